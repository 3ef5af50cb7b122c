-- local/macro_trajectories_of_files: trajectories_of(project, model[, split][, at_step := N]) for
-- a store whose files are all v2: reads only the files of that model (split, step), picked from
-- the file list when the query is bound, so one step costs the same in a store of 100 steps or
-- 10,000. No such file: no rows (read_parquet needs a file, so it is given the store's first
-- one, whose rows the WHERE refuses: they are of another model, split or step, or the file
-- would have been picked; DuckDB prunes it by its name before reading it). The WHERE compares
-- the rows' own project, model, split and step, computed from each file's path: picking the
-- files from the list a second time to learn whether there were any cost a third of the
-- query (~4 ms at 5,000 steps). The pick is made once and handed to a lambda that falls back
-- to the first file (art_first_path) when it is empty: coalesce(nullif(pick, []), ...) made
-- it twice, and split_part split the whole list for the first file (~4 ms at 5,000 steps).
-- params: none
-- The WHERE sees the row's project, model, split and step under other names: an argument
-- written as a bare column (`trajectories_of('p', model)`) is then an error, not a column of
-- the row itself (read_parquet took it as the text 'model' and the WHERE as the row's model:
-- the store's first file came back, for any model).
CREATE OR REPLACE TEMP MACRO trajectories_of(p, m, s := NULL, at_step := NULL) AS TABLE
SELECT art_of_project AS project, art_of_model AS model, art_of_split AS split, art_of_step AS step,
       * EXCLUDE (art_of_project, art_of_model, art_of_split, art_of_step)
FROM (SELECT *
      FROM art_trajectory_rows(list_transform([art_trajectory_files_of(p, m, s, at_step)],
                                              f -> CASE WHEN len(f) > 0 THEN f ELSE [art_first_path()] END)[1])
           AS t(art_of_project, art_of_model, art_of_split, art_of_step)
      WHERE art_of_project = p AND art_of_model = m AND (s IS NULL OR art_of_split = s)
        AND (at_step IS NULL OR art_of_step = at_step))
