-- local/macro_trajectories_of_files: trajectories_of(project, model[, split][, at_step := N]) for
-- a store whose files are all v2: reads only the files of that model (split, step), picked from
-- the file list when the query is bound, so one step costs the same in a store of 100 steps or
-- 10,000. No such file: no rows (read_parquet needs a file, so it is given the store's first
-- one and the constant WHERE, folded when the query is planned, keeps it from being read).
-- params: none
CREATE OR REPLACE TEMP MACRO trajectories_of(p, m, s := NULL, at_step := NULL) AS TABLE
SELECT * FROM art_trajectory_rows(coalesce(nullif(art_trajectory_files_of(p, m, s, at_step), []),
                                           [split_part(getvariable('art_trajectory_paths'), chr(0), 1)]))
WHERE len(art_trajectory_files_of(p, m, s, at_step)) > 0
