-- local/bulk_counts: rows, groups, trajectories and exceptions of each listed v2 file, as
-- file_stats counts them (a group's exceptions from its group_json; placeholder rows of groups
-- without trajectories count as rows, not trajectories). Reads, and so decodes every page of,
-- the group_index, trajectory_index and group_json columns only; a file that cannot be read
-- fails the whole statement (the caller splits the list).
-- params: none
WITH per_group AS (
    SELECT filename, group_index, count(*) AS rows, count(trajectory_index) AS trajectories,
           coalesce(json_array_length(any_value(group_json), '$.exceptions'), 0) AS exceptions
    FROM read_parquet(getvariable('art_bulk_paths'), filename = true)
    GROUP BY filename, group_index
)
SELECT filename, sum(rows)::BIGINT AS rows, count(*) AS groups,
       sum(trajectories)::BIGINT AS trajectories, sum(exceptions)::BIGINT AS exceptions
FROM per_group
GROUP BY filename
