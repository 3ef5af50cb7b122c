-- lake/pg_lake_writable: (PostgreSQL, through psycopg) whether every table a writer needs exists
-- (a lake made by an older version lacks model_state: the writer creates it under the lock).
-- params: none
SELECT count(*) = 3 FROM ducklake_table
WHERE table_name IN ('trajectories', 'history', 'model_state') AND end_snapshot IS NULL
