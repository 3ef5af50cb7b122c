-- snapshot_sources: every row of the sources table, for the in-memory copy that art.connect() serves.
-- params: none
SELECT * FROM sources
