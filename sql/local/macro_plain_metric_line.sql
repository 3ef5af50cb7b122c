-- local/macro_plain_metric_line: plain_metric_line(l, needle): DuckDB's JSON parser reads the
-- history line `l` as Python's does, for the metric quoted as `needle`: no escape, the metric
-- and `step` named at most once each, and nothing DuckDB's parser takes that Python's refuses
-- (a trailing comma; nan or inf spelt any way: even NaN and Infinity, which Python reads, go
-- to Python). Used by local/metric_lines_file and local/metric_lines_text.
-- params: none
CREATE OR REPLACE MACRO plain_metric_line(l, needle) AS
    NOT contains(l, '\')
    AND len(string_split(l, needle)) = 2
    AND len(string_split(l, '"step"')) <= 2
    AND NOT regexp_matches(l, ',\s*[\]}]')
    AND NOT CASE WHEN contains(lower(l), 'nan') OR contains(lower(l), 'inf')
                 THEN regexp_matches(l, '[:,\[]\s*[-+]?(?i:nan|inf)') ELSE false END
