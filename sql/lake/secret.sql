-- lake/secret: where the DuckLake catalog (PostgreSQL) and its data files live (values bound),
-- so the ATTACH that follows names only this secret.
-- params: $metadata_path, $data_path
CREATE OR REPLACE SECRET art_lake (TYPE ducklake, METADATA_PATH $metadata_path, DATA_PATH $data_path)
