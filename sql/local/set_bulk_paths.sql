-- local/set_bulk_paths: the trajectory files one bulk read takes, from a JSON list of paths
-- (one VARCHAR parameter: a Python list of 1,000 paths costs far more to convert), glob
-- characters escaped (`*` -> `[*]`), so read_parquet takes each as that one file.
-- params: $paths
SET VARIABLE art_bulk_paths = list_transform(
    from_json($paths, '["VARCHAR"]'), p -> regexp_replace(p, '([*?\[])', '[\1]', 'g')
)
