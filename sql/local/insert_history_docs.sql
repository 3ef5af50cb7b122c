-- local/insert_history_docs: parse the staged history.jsonl lines (history_docs) and append
-- them in long format, as history.parse_line does in Python: a line counts when it is a JSON
-- object with a numeric `step`; its metrics are the other numeric (booleans too), finite
-- values but training_step and recorded_at; the split is the head of the first metric key
-- whose head is not in $reserved (else 'train'); recorded_at is read as UTC (naive: this
-- machine's zone). A line repeating a key counts as Python reads it: the key's last value, at
-- the place of its first (json_each, for those lines only: DuckDB's MAP refuses them).
-- params: $project, $model, $reserved, $iso_time
INSERT INTO history (project, model, split, step, training_step, recorded_at, seq, metric, value)
WITH objects AS MATERIALIZED (
    SELECT seq, j, len(json_keys(j)) = list_unique(json_keys(j)) AS unique_keys
    FROM history_docs WHERE json_type(j) = 'OBJECT'
), maps AS (
    SELECT seq, map_entries(CAST(j AS MAP(VARCHAR, JSON))) AS es FROM objects WHERE unique_keys
), repeated AS (  -- a line repeating a key: per key, its first place and its last value
    SELECT o.seq, e.key, min(e.id) AS first_id, arg_max(e.value, e.id) AS value
    FROM objects o, json_each(o.j) e
    WHERE NOT o.unique_keys
    GROUP BY o.seq, e.key
), entries AS (
    SELECT seq, unnest(es) AS e, generate_subscripts(es, 1) AS pos FROM maps
    UNION ALL
    SELECT seq, {'key': key, 'value': value} AS e,
           row_number() OVER (PARTITION BY seq ORDER BY first_id) AS pos
    FROM repeated
), valued AS MATERIALIZED (
    SELECT seq, pos, e.key AS key, e.value::VARCHAR AS text,
           CASE WHEN e.value::VARCHAR = 'true' THEN 1.0
                WHEN e.value::VARCHAR = 'false' THEN 0.0
                WHEN left(e.value::VARCHAR, 1) IN ('"', 'n', '{', '[') THEN NULL
                ELSE TRY_CAST(e.value::VARCHAR AS DOUBLE) END AS value
    FROM entries
), metrics AS MATERIALIZED (
    SELECT * FROM valued
    WHERE key NOT IN ('step', 'training_step', 'recorded_at') AND isfinite(value)
), lines AS (
    SELECT seq,
           any_value(value) FILTER (WHERE key = 'step' AND text NOT IN ('true', 'false')) AS step,
           any_value(value) FILTER (
               WHERE key = 'training_step' AND text NOT IN ('true', 'false') AND isfinite(value)
           ) AS training_step,
           any_value(text) FILTER (WHERE key = 'recorded_at' AND left(text, 1) = '"')::JSON->>'$' AS at_text
    FROM valued
    GROUP BY seq
), stamped AS (
    -- read here, once a line (not once a metric: ICU's time zones cost ~30 ms a 5,000-line file);
    -- only history.ISO_TIME's shape, within years 1-9999 in UTC, as Python's parser reads it
    SELECT seq, step, training_step,
           CASE WHEN regexp_full_match(at_text, $iso_time) THEN timezone('UTC', try_cast(at_text AS TIMESTAMPTZ)) END AS ts
    FROM lines
), dated AS (
    SELECT seq, step, training_step,
           CASE WHEN ts BETWEEN TIMESTAMP '0001-01-01' AND TIMESTAMP '9999-12-31 23:59:59.999999'
                THEN ts END AS recorded_at
    FROM stamped
), splits AS (
    SELECT seq, arg_min(split_part(key, '/', 1), pos) AS split
    FROM metrics
    WHERE contains(key, '/') AND NOT list_contains($reserved, split_part(key, '/', 1))
    GROUP BY seq
)
SELECT $project, $model, coalesce(s.split, 'train'), trunc(l.step)::BIGINT,
       trunc(l.training_step)::BIGINT,
       l.recorded_at, m.seq, m.key, m.value
FROM metrics m
JOIN dated l USING (seq)
LEFT JOIN splits s USING (seq)
WHERE isfinite(l.step)
ORDER BY m.key, l.step, m.seq  -- the order local/history_sort keeps (one project and model here)
