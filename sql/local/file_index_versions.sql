-- local/file_index_versions: how many files the trajectories view reads, and how many are v2.
-- params: none
SELECT count(*) AS files, count(*) FILTER (WHERE format_version = 2) AS v2_files FROM file_index
