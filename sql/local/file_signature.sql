-- local/file_signature: the size and mtime the catalog recorded of one trajectory file.
-- params: $path
SELECT bytes, mtime_ns FROM trajectory_files WHERE path = $path
