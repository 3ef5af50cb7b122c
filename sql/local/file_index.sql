-- local/file_index: the readable trajectory files: their absolute paths, and the same paths
-- with glob characters escaped (`*` -> `[*]`), so read_parquet takes each as that one file.
-- params: none
CREATE OR REPLACE TEMP TABLE file_index AS
SELECT getvariable('art_base_path') || '/' || path AS abs_path,
       regexp_replace(getvariable('art_base_path') || '/' || path, '([*?\[])', '[\1]', 'g') AS pattern,
       project, model, split, step, format_version
FROM trajectory_files
WHERE error IS NULL
