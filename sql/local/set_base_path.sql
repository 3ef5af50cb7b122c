-- local/set_base_path: the store's absolute base path, for trajectories_of().
-- params: $base_path
SET VARIABLE art_base_path = $base_path
