-- local/file_index: the readable trajectory files with their absolute paths, for the trajectories view.
-- params: none
CREATE OR REPLACE TEMP TABLE file_index AS
SELECT getvariable('art_base_path') || '/' || path AS abs_path, project, model, split, step, format_version
FROM trajectory_files
WHERE error IS NULL
