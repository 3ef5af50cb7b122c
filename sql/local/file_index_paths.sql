-- local/file_index_paths: what the trajectories view reads, from file_index: the first file
-- alone (the view and the macro are bound over it; a view is bound again when queried) and
-- every file, as one text of paths separated by NUL (which no path holds) that the views
-- split when bound (a list of 10,000 paths cost ~7 ms to set as a variable, the text ~2 ms).
-- Glob characters are escaped (`pattern`): a model named `*` is a name, never a pattern.
-- params: none
SELECT min(pattern ORDER BY abs_path) AS first,
       coalesce(string_agg(pattern, chr(0) ORDER BY abs_path), '') AS paths
FROM file_index
