-- local/schema_metric_series: the rows of the metrics a checkpoint choice asked for, per model
-- and step, read from history.jsonl (art/store/metric_series.py). Named `history` and shaped
-- like its long format, so sql/best_step.sql runs on it unchanged.
-- params: none
CREATE TABLE IF NOT EXISTS history (
    project VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    step BIGINT NOT NULL,
    value DOUBLE NOT NULL
)
