-- lake/pg_lake_ready: (PostgreSQL, through psycopg) whether DuckLake's catalog and both of our
-- tables exist already, so a process can attach without taking the creation lock.
-- params: none
SELECT count(*) = 2 FROM ducklake_table
WHERE table_name IN ('trajectories', 'history') AND end_snapshot IS NULL
