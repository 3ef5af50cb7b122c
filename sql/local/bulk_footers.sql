-- local/bulk_footers: each listed file's trajectory format marker, and whether its footer holds
-- our writer's counts (our files also carry page CRCs), from the footers' key-value metadata.
-- A file whose footer cannot be read fails the whole statement (the caller splits the list).
-- params: none
SELECT file_name,
       max(decode(value)) FILTER (WHERE decode(key) = 'art.trajectory_parquet.version') AS version,
       bool_or(decode(key) = 'art.groups') AS ours
FROM parquet_kv_metadata(getvariable('art_bulk_paths'))
GROUP BY file_name
