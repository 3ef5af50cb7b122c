-- lake/schema_history: history in long format, as the local catalog's (seq identifies a log call).
-- params: none
CREATE TABLE IF NOT EXISTS lake.history (
    project VARCHAR, model VARCHAR, split VARCHAR, step BIGINT, training_step BIGINT,
    recorded_at TIMESTAMP, seq BIGINT, metric VARCHAR, value DOUBLE
)
