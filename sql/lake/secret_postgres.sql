-- lake/secret_postgres: the catalog database's password, kept in a DuckDB secret (value bound)
-- so that the connection string, which DuckDB quotes in its errors, never holds it.
-- params: $password
CREATE OR REPLACE SECRET (TYPE postgres, PASSWORD $password)
