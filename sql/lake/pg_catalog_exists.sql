-- lake/pg_catalog_exists: (PostgreSQL, through psycopg) whether DuckLake's catalog tables exist.
-- params: none
SELECT to_regclass('ducklake_table') IS NOT NULL
