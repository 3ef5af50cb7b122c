-- local/bulk_footers: each listed file's row count, trajectory format marker, and whether its
-- footer holds our writer's counts (our files also carry page CRCs), from the footers alone.
-- A file whose footer cannot be read fails the whole statement (the caller splits the list).
-- params: none
SELECT m.file_name, m.num_rows, k.version, coalesce(k.ours, false) AS ours
FROM parquet_file_metadata(getvariable('art_bulk_paths')) m
LEFT JOIN (
    SELECT file_name,
           max(decode(value)) FILTER (WHERE decode(key) = 'art.trajectory_parquet.version') AS version,
           bool_or(decode(key) = 'art.groups') AS ours
    FROM parquet_kv_metadata(getvariable('art_bulk_paths'))
    GROUP BY file_name
) k ON k.file_name = m.file_name
