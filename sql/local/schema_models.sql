-- local/schema_models: one row per PROJECT/models/MODEL folder; details from model.json when present.
-- params: none
CREATE TABLE IF NOT EXISTS models (
    project VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    trainable BOOLEAN NOT NULL,
    base_model VARCHAR,
    model_json VARCHAR,
    PRIMARY KEY (project, model)
)
