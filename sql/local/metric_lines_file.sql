-- local/metric_lines_file: stage the lines of a whole history.jsonl that may hold $metric, as
-- DuckDB's JSON reader reads them (their own text). Fails on a line that reader cannot parse:
-- the caller then reads the file's complete lines itself (local/metric_lines_text).
-- A line can hold the key only as "$metric" verbatim or written with an escape, so a line
-- with neither the quoted name nor a backslash is left out without parsing it.
-- The path's glob characters are escaped: a model named `*` reads its own file only.
-- params: $path, $metric
INSERT INTO metric_lines (l, plain)
WITH lines AS (
    SELECT json::VARCHAR AS l, '"' || $metric || '"' AS needle
    FROM read_json_objects(regexp_replace($path, '([*?\[])', '[\1]', 'g'), format = 'newline_delimited')
)
SELECT l, plain_metric_line(l, needle)
FROM lines
WHERE contains(l, needle) OR contains(l, '\')
