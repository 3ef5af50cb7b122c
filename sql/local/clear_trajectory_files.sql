-- local/clear_trajectory_files: empty a reader's trajectory_files table (its copy of a catalog that turned out unusable).
-- params: none
DELETE FROM trajectory_files
