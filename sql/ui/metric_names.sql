-- ui/metric_names: every metric name in the store's history, for the runs page's picker.
-- Returns (metric), sorted.
-- params: none
SELECT DISTINCT metric FROM history ORDER BY metric
