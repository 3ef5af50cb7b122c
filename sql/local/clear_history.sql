-- local/clear_history: empty a reader's history table (its copy of a catalog that turned out unusable).
-- params: none
DELETE FROM history
