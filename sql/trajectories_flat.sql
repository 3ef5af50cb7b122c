-- trajectories_flat: one project's trajectories (those of the models in $models, or of all
-- when NULL) as openpipe-art's load_trajectories() gives them: the step from the file's name
-- (a file whose name is not a number is left out, as there), group after group in order,
-- groups numbered from 1 in that order, each message as role, content, tool calls (parsed;
-- NULL when there are none or their text is not JSON) and trainable, and the JSON columns
-- as text for the caller to spread into metric_* and metadata_* columns. Within a group,
-- rows keep the file's order (openpipe-art's v1 files have no trajectory_index).
-- params: $project, $models
SELECT model, split, step, reward,
       dense_rank() OVER (ORDER BY model, split, step, group_index) AS group_number,
       list_transform(messages, m -> {
           'role': m.role,
           'content': m.content,
           'tool_calls': CASE WHEN m.tool_calls <> '' AND json_valid(m.tool_calls)
                              THEN try(from_json(m.tool_calls, '[{"function": {"name": "VARCHAR", "arguments": "VARCHAR"}}]'))
                         END,
           'trainable': coalesce(m.trainable, false)
       }) AS messages,
       logs,
       metrics::VARCHAR AS metrics, metadata::VARCHAR AS metadata,
       group_metrics::VARCHAR AS group_metrics, group_metadata::VARCHAR AS group_metadata
FROM (SELECT *, row_number() OVER () AS read_order FROM trajectories
      WHERE project = $project AND step IS NOT NULL
        AND ($models::VARCHAR[] IS NULL OR list_contains($models::VARCHAR[], model)))
ORDER BY model, split, step, group_index, trajectory_index, read_order
