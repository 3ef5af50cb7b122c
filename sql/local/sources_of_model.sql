-- local/sources_of_model: ingest progress of one model's files: (path, kind, bytes, lines, inode, mtime_ns).
-- params: $project, $model
SELECT path, kind, bytes, lines, inode, mtime_ns
FROM sources
WHERE project = $project AND model = $model
