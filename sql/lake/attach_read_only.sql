-- lake/attach_read_only: attach the DuckLake described by the secret art_lake as `lake`, read
-- only: a reader's connection (SQL typed by a user) can change nothing in the lake, its
-- catalog database included (DuckLake reads it in read-only transactions).
-- params: none
ATTACH IF NOT EXISTS 'ducklake:art_lake' AS lake (READ_ONLY)
