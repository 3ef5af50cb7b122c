-- lake/macro_trajectories_of: trajectories_of(project, model[, split][, at_step := N]) on a
-- DuckLake store (the filters prune data files by their column statistics).
-- params: none
CREATE OR REPLACE TEMP MACRO trajectories_of(p, m, s := NULL, at_step := NULL) AS TABLE
SELECT * FROM trajectories
WHERE project = p AND model = m AND (s IS NULL OR split = s) AND (at_step IS NULL OR step = at_step)
