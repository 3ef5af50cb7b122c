-- lake/pg_unlock: (PostgreSQL, through psycopg) release the session advisory lock named $key.
-- params: $key
SELECT pg_advisory_unlock(hashtextextended($key, 0))
