-- local/delete_file: forget a trajectory file that is gone from disk.
-- params: $path
DELETE FROM trajectory_files WHERE path = $path
