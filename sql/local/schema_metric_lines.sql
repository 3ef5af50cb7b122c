-- local/schema_metric_lines: history.jsonl lines that may hold one metric, staged between
-- reading them (local/metric_lines_file, local/metric_lines_text) and parsing them. `plain`:
-- DuckDB reads the line as Python's parser does (local/macro_plain_metric_line); the other
-- lines go to Python (local/metric_lines_odd).
-- params: none
CREATE TABLE IF NOT EXISTS metric_lines (l VARCHAR NOT NULL, plain BOOLEAN NOT NULL)
