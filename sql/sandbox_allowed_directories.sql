-- sandbox_allowed_directories: a user's connection may open files in these folders only
-- (each ends with `/`; DuckDB resolves symlinks of the files opened before comparing, so a
-- link inside a folder that points elsewhere is refused).
-- One JSON text, not a Python list: the client asked for pandas once per list element.
-- params: $folders
SET allowed_directories = from_json($folders, '["VARCHAR"]')
