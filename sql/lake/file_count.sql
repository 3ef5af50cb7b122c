-- lake/file_count: how many data files each lake table has now.
-- params: none
SELECT 'trajectories' AS table_name, count(*) AS files FROM ducklake_list_files('lake', 'trajectories')
UNION ALL
SELECT 'history', count(*) FROM ducklake_list_files('lake', 'history')
