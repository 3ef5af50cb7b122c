-- local/copy_trajectory_files: a reader's copy of the attached catalog's file index (explicit columns).
-- params: none
INSERT INTO trajectory_files (path, project, model, split, step, rows, groups, trajectories,
                              exceptions, bytes, mtime_ns, format_version, error)
SELECT path, project, model, split, step, rows, groups, trajectories,
       exceptions, bytes, mtime_ns, format_version, error
FROM art_catalog.main.trajectory_files
