-- local/upsert_file: register (or re-register) one trajectory parquet file.
-- params: $path, $project, $model, $split, $step, $rows, $groups, $trajectories, $exceptions, $bytes, $mtime_ns, $format_version, $error
INSERT OR REPLACE INTO trajectory_files VALUES (
    $path, $project, $model, $split, $step, $rows, $groups, $trajectories, $exceptions,
    $bytes, $mtime_ns, $format_version, $error
)
