-- view_history_by_step: one row per project, model and step, every metric of that step in
-- a MAP (the mean where a step logged a metric more than once): metrics['val/reward'].
-- params: none
CREATE OR REPLACE TEMP VIEW history_by_step AS
SELECT project, model, step, map_from_entries(list((metric, value) ORDER BY metric)) AS metrics
FROM (SELECT project, model, step, metric, avg(value) AS value
      FROM history GROUP BY project, model, step, metric)
GROUP BY project, model, step
