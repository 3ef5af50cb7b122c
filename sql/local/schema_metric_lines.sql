-- local/schema_metric_lines: history.jsonl lines that may hold one metric, staged between
-- reading them (local/metric_lines_file, local/metric_lines_text) and parsing them. `plain`:
-- the line has no escape and names `step` and the metric at most once each, so DuckDB reads
-- it as Python's parser does; the other lines go to Python (local/metric_lines_odd).
-- params: none
CREATE TABLE IF NOT EXISTS metric_lines (l VARCHAR NOT NULL, plain BOOLEAN NOT NULL)
