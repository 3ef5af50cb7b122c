-- local/snapshot_list_models: local/list_models as the attached catalog snapshot holds them (a
-- reader's catch-up reads them once, before it changes any).
-- params: none
SELECT project, model FROM art_catalog.main.models
