-- local/history_sort: rewrite the (in-memory) history table sorted by model and metric, so that
-- a query for one metric skips the row groups of every other (zone maps): 35 ms -> 7 ms
-- for a best-step choice over 100,000 history lines.
-- params: none
CREATE OR REPLACE TABLE history AS SELECT * FROM history ORDER BY project, model, metric, step, seq
