-- local/macro_trajectory_steps: art_trajectory_steps(project, model), the splits and steps of
-- one run that have a trajectory file (the dashboard's step picker: a step that logged only
-- metrics has no transcript to show), from the catalog's file list: no file is opened. A file
-- of no rows (a step logged with no groups) has nothing to show either, as on a lake; a file
-- that could not be read is offered with its error, so that its page says why. Returns
-- split, step, error (NULL: readable).
-- params: none
CREATE OR REPLACE TEMP MACRO art_trajectory_steps(p, m) AS TABLE
SELECT split, step, max(error) AS error FROM trajectory_files
WHERE project = p AND model = m AND (rows > 0 OR error IS NOT NULL)
GROUP BY split, step
