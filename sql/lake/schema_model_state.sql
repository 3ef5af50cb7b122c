-- lake/schema_model_state: each model's running totals (ART's MetricsBuilder state, what a local
-- store keeps in state.json under _metrics_builder_state), as JSON text, one row per model, so a
-- restarted trainer and every host of a fleet go on from the same totals.
-- params: none
CREATE TABLE IF NOT EXISTS lake.model_state (project VARCHAR, model VARCHAR, state VARCHAR)
