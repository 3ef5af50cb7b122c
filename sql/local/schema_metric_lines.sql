-- local/schema_metric_lines: history.jsonl lines that may hold one metric, staged between
-- reading them (local/metric_lines_file, local/metric_lines_text) and parsing them. `plain`:
-- DuckDB reads the line as Python's parser does: it has no escape, names `step` and the metric
-- at most once each, and holds nothing DuckDB's parser takes and Python's refuses (a trailing
-- comma, nan or inf spelt any way: even NaN and Infinity, which Python reads, go to Python).
-- The other lines go to Python (local/metric_lines_odd).
-- params: none
CREATE TABLE IF NOT EXISTS metric_lines (l VARCHAR NOT NULL, plain BOOLEAN NOT NULL)
