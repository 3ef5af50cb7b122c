-- local/history_count: rows in the history table.
-- params: none
SELECT count(*) FROM history
