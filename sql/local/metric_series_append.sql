-- local/metric_series_append: append $metric's rows parsed in Python ($steps[i], $values[i]).
-- params: $project, $model, $metric, $steps, $values
INSERT INTO history (project, model, metric, step, value)
SELECT $project, $model, $metric, unnest($steps::BIGINT[]), unnest($values::DOUBLE[])
