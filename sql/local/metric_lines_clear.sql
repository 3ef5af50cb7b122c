-- local/metric_lines_clear: empty the staging table once its lines are parsed.
-- params: none
DELETE FROM metric_lines
