-- local/bulk_counts: rows, groups, trajectories and exceptions of each listed v2 file, as
-- file_stats counts them (placeholder rows of groups without trajectories count as rows, not
-- trajectories). One aggregation per file, no per-group one (that cost a third of the open of
-- an openpipe-art store): a group's exceptions are read from its row with trajectory_index 0,
-- or its placeholder row (NULL), the one row openpipe-art writes first for each group. The
-- JSON of those rows alone is parsed (a CASE, not an aggregate FILTER, which parsed every
-- row's). Reads, and so decodes every page of, the group_index, trajectory_index and
-- group_json columns only; a file that cannot be read fails the whole statement (the caller
-- splits the list). Files are named by their place in the list (DuckDB's file_index;
-- grouping by the name text cost ~10%).
-- params: none
SELECT file_index, count(*)::BIGINT AS rows, count(DISTINCT group_index) AS groups,
       count(trajectory_index)::BIGINT AS trajectories,
       coalesce(sum(CASE WHEN coalesce(trajectory_index, 0) = 0
                         THEN json_array_length(group_json, '$.exceptions') END), 0)::BIGINT AS exceptions
FROM read_parquet(getvariable('art_bulk_paths'))
GROUP BY file_index
