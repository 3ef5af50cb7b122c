-- local/logged_steps: the splits and steps of a model's history lines from line $first_seq on
-- (the lines a catch-up just read): openpipe-art appends one after it writes a step's file,
-- and writes a step logged again over its old file, which changes no folder.
-- params: $project, $model, $first_seq
SELECT DISTINCT split, step FROM history
WHERE project = $project AND model = $model AND seq >= $first_seq
ORDER BY split, step
