-- sandbox_allowed_directories: a user's connection may open files in these folders only
-- (each ends with `/`; DuckDB resolves symlinks of the files opened before comparing, so a
-- link inside a folder that points elsewhere is refused).
-- One text of the folders separated by NUL (which no path holds), not a Python list: the
-- client asked for pandas once per list element (nor JSON: the json module is ~1.5 ms of a
-- cold open that needs it for nothing else). No folders: the empty list, not one empty name.
-- params: $folders
SET allowed_directories = CASE WHEN $folders = '' THEN []::VARCHAR[] ELSE string_split($folders, chr(0)) END
