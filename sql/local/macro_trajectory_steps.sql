-- local/macro_trajectory_steps: art_trajectory_steps(project, model), the splits and steps of
-- one run that have a trajectory file (the dashboard's step picker: a step that logged only
-- metrics has no transcript to show), from the catalog's file list: no file is opened. A file
-- of no rows (a step logged with no groups) has nothing to show either, as on a lake.
-- params: none
CREATE OR REPLACE TEMP MACRO art_trajectory_steps(p, m) AS TABLE
SELECT DISTINCT split, step FROM trajectory_files WHERE project = p AND model = m AND rows > 0
