-- local/macro_trajectories_of: trajectories_of(project, model[, split][, at_step := N]) for a store
-- holding v1 files or none: the trajectories view filtered on the file name (DuckDB prunes the
-- other files before opening any).
-- params: none
CREATE OR REPLACE TEMP MACRO trajectories_of(p, m, s := NULL, at_step := NULL) AS TABLE
SELECT * FROM trajectories
WHERE starts_with(path, getvariable('art_base_path') || '/' || p || '/models/' || m || '/trajectories/'
                        || coalesce(s || '/', ''))
  AND (at_step IS NULL OR step = at_step)
