-- local/metric_lines_text: stage the lines of $text (whole history.jsonl lines, each ending in
-- a newline) that may hold $metric: the quoted name verbatim, or a backslash (an escape).
-- A line DuckDB's parser refuses is not plain (Python's parser reads it).
-- params: $text, $metric
INSERT INTO metric_lines (l, plain)
WITH lines AS (
    SELECT unnest(string_split($text, chr(10))) AS l, '"' || $metric || '"' AS needle
)
SELECT l,
       NOT contains(l, '\')
       AND len(string_split(l, needle)) = 2
       AND len(string_split(l, '"step"')) <= 2
       AND NOT regexp_matches(l, ',\s*[\]}]')
       AND NOT CASE WHEN contains(lower(l), 'nan') OR contains(lower(l), 'inf')
                    THEN regexp_matches(l, '[:,\[]\s*[-+]?(?i:nan|inf)') ELSE false END
       AND json_valid(l)
FROM lines
WHERE contains(l, needle) OR contains(l, '\')
