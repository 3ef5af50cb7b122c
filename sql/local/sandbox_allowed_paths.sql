-- local/sandbox_allowed_paths: the single files a user's connection may open besides the
-- allowed folders: those of split folders that cannot be allowed whole (see
-- local/sandbox_folder_files); usually none.
-- One JSON text (see sandbox_allowed_directories).
-- params: $paths
SET allowed_paths = from_json($paths, '["VARCHAR"]')
