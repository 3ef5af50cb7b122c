-- trajectories_flat: one project's trajectories (those of the models in $models, or of all
-- when NULL) as openpipe-art's load_trajectories() takes them: the step from the file's name
-- (a file whose name is not a number is left out, as there), group after group in order, and
-- the JSON columns as text for the caller to spread into metric_* and metadata_* columns.
-- params: $project, $models
SELECT model, split, step, group_index, reward, messages, logs,
       metrics::VARCHAR AS metrics, metadata::VARCHAR AS metadata,
       group_metrics::VARCHAR AS group_metrics, group_metadata::VARCHAR AS group_metadata
FROM trajectories
WHERE project = $project AND step IS NOT NULL
  AND ($models::VARCHAR[] IS NULL OR list_contains($models::VARCHAR[], model))
ORDER BY model, split, step, group_index, trajectory_index
