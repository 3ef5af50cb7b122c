-- local/take_model_files: copy one model's file index rows from the attached catalog snapshot
-- into memory, before the reader's catch-up changes them (explicit columns).
-- params: $project, $model
INSERT INTO memory.main.trajectory_files (path, project, model, split, step, rows, groups,
                                          trajectories, exceptions, bytes, mtime_ns,
                                          format_version, error)
SELECT path, project, model, split, step, rows, groups, trajectories,
       exceptions, bytes, mtime_ns, format_version, error
FROM art_catalog.main.trajectory_files
WHERE project = $project AND model = $model
