-- lake/pg_try_lock: (PostgreSQL, through psycopg) take the session advisory lock named $key if free.
-- Serializes creating the lake and writing one (model, split, step) across hosts.
-- params: $key
SELECT pg_try_advisory_lock(hashtextextended($key, 0))
