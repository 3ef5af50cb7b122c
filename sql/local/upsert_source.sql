-- local/upsert_source: record how far a source file has been ingested.
-- params: $path, $project, $model, $kind, $bytes, $lines, $inode, $mtime_ns
INSERT OR REPLACE INTO sources VALUES ($path, $project, $model, $kind, $bytes, $lines, $inode, $mtime_ns)
