-- local/schema_history: history in long format, one row per (log call, metric); rebuilt from history.jsonl.
-- recorded_at is UTC. seq is the line number in the model's history.jsonl (0-based).
-- params: none
CREATE TABLE IF NOT EXISTS history (
    project VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    split VARCHAR NOT NULL,
    step BIGINT NOT NULL,
    training_step BIGINT,
    recorded_at TIMESTAMP,
    seq BIGINT NOT NULL,
    metric VARCHAR NOT NULL,
    value DOUBLE NOT NULL
)
