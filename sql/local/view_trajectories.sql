-- local/view_trajectories: every logged trajectory of every run, for a store whose files are
-- all v2 (art_trajectory_rows over every file listed in the variable art_trajectory_paths,
-- NUL-separated). A filter on project, model, split or step prunes files before any is
-- opened, at a cost of ~20 us per listed file and filter (DuckDB evaluates it file by file):
-- trajectories_of() picks its files from the list at once instead.
-- params: none
CREATE OR REPLACE TEMP VIEW trajectories AS
SELECT * FROM art_trajectory_rows(string_split(getvariable('art_trajectory_paths'), chr(0)))
