-- local/bulk_reader_settings: a private connection that counts many files keeps each parsed
-- footer for the statements after the first (the footers are then read once, not twice).
-- params: none
SET parquet_metadata_cache = true
