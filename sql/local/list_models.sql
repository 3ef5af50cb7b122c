-- local/list_models: (project, model) of every model the catalog knows.
-- params: none
SELECT project, model FROM models
