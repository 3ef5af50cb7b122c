-- lake/macro_trajectory_steps: art_trajectory_steps(project, model) on a DuckLake store, the
-- splits and steps of one run that hold trajectory rows (placeholder rows of groups with only
-- exceptions included, as a local store's file list counts them). Returns split, step, error
-- (always NULL: a lake's rows were read when they were written).
-- params: none
CREATE OR REPLACE TEMP MACRO art_trajectory_steps(p, m) AS TABLE
SELECT DISTINCT split, step, NULL::VARCHAR AS error FROM lake.main.trajectories
WHERE project = p AND model = m
