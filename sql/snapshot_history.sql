-- snapshot_history: every row of the history table, for the in-memory copy that art.connect() serves.
-- params: none
SELECT * FROM history
