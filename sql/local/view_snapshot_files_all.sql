-- local/view_snapshot_files_all: trajectory_files of a reader over a catalog snapshot when its
-- catch-up took no model's file rows into memory: the snapshot's rows, and any the catch-up
-- added (local/view_snapshot_files without its filter, which costs every scan an anti-join).
-- params: none
CREATE OR REPLACE TEMP VIEW trajectory_files AS
SELECT s.path, s.project, s.model, s.split, s.step, s.rows, s.groups, s.trajectories,
       s.exceptions, s.bytes, s.mtime_ns, s.format_version, s.error
FROM art_catalog.main.trajectory_files s
UNION ALL
SELECT path, project, model, split, step, rows, groups, trajectories,
       exceptions, bytes, mtime_ns, format_version, error
FROM memory.main.trajectory_files
