-- local/metric_series_insert: parse the plain staged lines and append $metric's (step, value)
-- rows, as history.parse_line reads a line: a JSON object with a numeric `step` (truncated to
-- an integer; booleans are not steps) whose $metric is numeric (booleans count as 1 and 0) and
-- finite; step, training_step and recorded_at are never metrics. Keys are looked up by JSON
-- Pointer (RFC 6901: `~` is written ~0 and `/` ~1); a line that is not an object has no step.
-- params: $project, $model, $metric
INSERT INTO history (project, model, metric, step, value)
WITH texts AS (
    SELECT v[1] AS step_text, v[2] AS text
    FROM (
        SELECT json_extract(l, ['/step', '/' || replace(replace($metric, '~', '~0'), '/', '~1')])::VARCHAR[] AS v
        FROM metric_lines
        WHERE plain
    )
), valued AS (
    SELECT CASE WHEN step_text IN ('true', 'false') OR left(step_text, 1) IN ('"', 'n', '{', '[') THEN NULL
                ELSE TRY_CAST(step_text AS DOUBLE) END AS step,
           CASE WHEN text = 'true' THEN 1.0
                WHEN text = 'false' THEN 0.0
                WHEN left(text, 1) IN ('"', 'n', '{', '[') THEN NULL
                ELSE TRY_CAST(text AS DOUBLE) END AS value
    FROM texts
)
SELECT $project, $model, $metric, TRY_CAST(trunc(step) AS BIGINT) AS step, value
FROM valued
WHERE isfinite(step) AND isfinite(value) AND TRY_CAST(trunc(step) AS BIGINT) IS NOT NULL
  AND $metric NOT IN ('step', 'training_step', 'recorded_at')
