-- local/macro_trajectories_of: trajectories_of(project, model[, split][, at_step := N]) for a store
-- holding v1 files or none: the trajectories view filtered on the file name (DuckDB prunes the
-- other files before opening any).
-- params: none
-- The WHERE sees the row's project, model, split and step under other names, so an argument
-- written as a bare column is an error rather than the row's own value (local/macro_trajectories_of_files).
CREATE OR REPLACE TEMP MACRO trajectories_of(p, m, s := NULL, at_step := NULL) AS TABLE
SELECT art_of_project AS project, art_of_model AS model, art_of_split AS split, art_of_step AS step,
       * EXCLUDE (art_of_project, art_of_model, art_of_split, art_of_step)
FROM (SELECT * FROM trajectories AS t(art_of_project, art_of_model, art_of_split, art_of_step)
      WHERE starts_with(path, getvariable('art_base_path') || '/' || p || '/models/' || m || '/trajectories/'
                              || coalesce(s || '/', ''))
        AND (at_step IS NULL OR art_of_step = at_step))
