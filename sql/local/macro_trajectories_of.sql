-- local/macro_trajectories_of: trajectories_of(project, model[, split]) reads only that model's
-- files (the filter on the file name prunes the others before any is opened).
-- params: none
CREATE OR REPLACE TEMP MACRO trajectories_of(p, m, s := NULL) AS TABLE
SELECT * FROM trajectories
WHERE starts_with(path, getvariable('art_base_path') || '/' || p || '/models/' || m || '/trajectories/'
                        || coalesce(s || '/', ''))
