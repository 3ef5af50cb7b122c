-- local/clear_models: empty a reader's models table (its copy of a catalog that turned out unusable).
-- params: none
DELETE FROM models
