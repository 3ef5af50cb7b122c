-- ui/run_configs: each run's config (JSON: model.json's "config"; NULL on a lake or without
-- one), for the runs page's differing keys (art/run_config.py: the same rule as `art runs`).
-- params: none
SELECT project, model, config FROM runs ORDER BY project, model
