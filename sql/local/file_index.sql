-- local/file_index: the readable trajectory files: their absolute paths, and the same paths
-- with glob characters escaped (`*` -> `[*]`), so read_parquet takes each as that one file
-- (the regular expression only where there is one: it cost 2 ms a connect at 5,000 files).
-- params: none
CREATE OR REPLACE TEMP TABLE file_index AS
SELECT abs_path,
       CASE WHEN contains(abs_path, '[') OR contains(abs_path, '*') OR contains(abs_path, '?')
            THEN regexp_replace(abs_path, '([*?\[])', '[\1]', 'g') ELSE abs_path END AS pattern,
       project, model, split, step, format_version
FROM (SELECT getvariable('art_base_path') || '/' || path AS abs_path, *
      FROM trajectory_files WHERE error IS NULL)
