-- local/metric_lines_text: stage the lines of $text (whole history.jsonl lines, each ending in
-- a newline) that may hold $metric: the quoted name verbatim, or a backslash (an escape).
-- A line DuckDB's parser refuses is not plain (Python's parser reads it).
-- params: $text, $metric
INSERT INTO metric_lines (l, plain)
WITH lines AS (
    SELECT unnest(string_split($text, chr(10))) AS l, '"' || $metric || '"' AS needle
)
SELECT l, plain_metric_line(l, needle) AND json_valid(l)
FROM lines
WHERE contains(l, needle) OR contains(l, '\')
