-- lake/attach: attach the DuckLake described by the secret art_lake as `lake`.
-- params: none
ATTACH IF NOT EXISTS 'ducklake:art_lake' AS lake
