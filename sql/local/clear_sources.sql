-- local/clear_sources: empty a reader's sources table (its copy of a catalog that turned out unusable).
-- params: none
DELETE FROM sources
