-- lake/macro_trajectories_of: trajectories_of(project, model[, split][, at_step := N]) on a
-- DuckLake store (the filters prune data files by their column statistics).
-- params: none
-- The WHERE sees the row's project, model, split and step under other names, so an argument
-- written as a bare column is an error rather than the row's own value (`model = model`).
CREATE OR REPLACE TEMP MACRO trajectories_of(p, m, s := NULL, at_step := NULL) AS TABLE
SELECT art_of_project AS project, art_of_model AS model, art_of_split AS split, art_of_step AS step,
       * EXCLUDE (art_of_project, art_of_model, art_of_split, art_of_step)
FROM (SELECT * FROM trajectories AS t(art_of_project, art_of_model, art_of_split, art_of_step)
      WHERE art_of_project = p AND art_of_model = m AND (s IS NULL OR art_of_split = s)
        AND (at_step IS NULL OR art_of_step = at_step))
