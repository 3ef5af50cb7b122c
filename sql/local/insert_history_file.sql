-- local/insert_history_file: local/insert_history_text for a whole history.jsonl read by
-- DuckDB's JSON reader (a first ingest: no Python per line). Only the first $lines lines
-- count (a writer may be appending); the caller has checked that none of them is blank, so
-- row numbers are line numbers. Parsing as in local/insert_history_text.
-- The path's glob characters are escaped: a model named `*` reads its own file only.
-- params: $project, $model, $path, $lines, $reserved
INSERT INTO history (project, model, split, step, training_step, recorded_at, seq, metric, value)
WITH docs AS (
    SELECT row_number() OVER () - 1 AS seq, json AS j
    FROM read_json_objects(regexp_replace($path, '([*?\[])', '[\1]', 'g'), format = 'newline_delimited', ignore_errors = true)
    QUALIFY row_number() OVER () <= $lines
), objects AS (
    SELECT seq, j, json_keys(j) AS k FROM docs WHERE json_type(j) = 'OBJECT'
), maps AS (  -- a line repeating a key is left out (DuckDB's MAP refuses it)
    SELECT seq, map_entries(CAST(j AS MAP(VARCHAR, JSON))) AS es FROM objects WHERE len(k) = list_unique(k)
), entries AS (
    SELECT seq, unnest(es) AS e, generate_subscripts(es, 1) AS pos FROM maps
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
           any_value(text) FILTER (WHERE key = 'recorded_at' AND left(text, 1) = '"') AS recorded_at
    FROM valued
    GROUP BY seq
), splits AS (
    SELECT seq, arg_min(split_part(key, '/', 1), pos) AS split
    FROM metrics
    WHERE contains(key, '/') AND NOT list_contains($reserved, split_part(key, '/', 1))
    GROUP BY seq
)
SELECT $project, $model, coalesce(s.split, 'train'), trunc(l.step)::BIGINT,
       trunc(l.training_step)::BIGINT,
       timezone('UTC', try_cast(l.recorded_at::JSON->>'$' AS TIMESTAMPTZ)), m.seq, m.key, m.value
FROM metrics m
JOIN lines l USING (seq)
LEFT JOIN splits s USING (seq)
WHERE isfinite(l.step)
ORDER BY m.key, l.step, m.seq  -- the order local/history_sort keeps (one project and model here)
