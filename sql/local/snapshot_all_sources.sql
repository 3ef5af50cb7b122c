-- local/snapshot_all_sources: local/all_sources as the attached catalog snapshot holds them (a
-- reader reads them once: its catch-up runs once, so it records no progress of its own).
-- params: none
SELECT path, project, model, kind, bytes, lines, inode, mtime_ns FROM art_catalog.main.sources
