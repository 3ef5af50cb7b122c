-- local/metric_lines_odd: the staged lines that are not plain (an escape, a repeated key, or
-- what DuckDB's parser refuses): Python's parser (history.parse_line) reads these.
-- params: none
SELECT l FROM metric_lines WHERE NOT plain
