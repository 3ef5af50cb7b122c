-- local/view_snapshot_files: trajectory_files of a reader over a catalog snapshot: the rows of
-- the models its catch-up changed from memory, every other model's rows from the snapshot
-- (attached read-only as art_catalog; explicit columns, the file is data). Same columns as
-- the table (local/schema_trajectory_files).
-- params: none
CREATE OR REPLACE TEMP VIEW trajectory_files AS
SELECT s.path, s.project, s.model, s.split, s.step, s.rows, s.groups, s.trajectories,
       s.exceptions, s.bytes, s.mtime_ns, s.format_version, s.error
FROM art_catalog.main.trajectory_files s
WHERE NOT EXISTS (SELECT 1 FROM taken_models t
                  WHERE t.rows = 'files' AND t.project = s.project AND t.model = s.model)
UNION ALL
SELECT path, project, model, split, step, rows, groups, trajectories,
       exceptions, bytes, mtime_ns, format_version, error
FROM memory.main.trajectory_files
