-- local/macro_trajectory_files_of: art_trajectory_files_of(project, model, split, step), the
-- listed files (art_trajectory_paths) of that model, and of that split and step where they
-- are not NULL. Picked from the list in one vectorized pass when the query is bound (~1 us a
-- listed file), not by DuckDB's filter pushdown, which evaluates a filter file by file (~20
-- us each). The names are compared as text with the listed paths (escaped alike): a name is
-- never a pattern.
-- params: none
CREATE OR REPLACE TEMP MACRO art_trajectory_files_of(p, m, s, n) AS
list_filter(
    list_filter(string_split(getvariable('art_trajectory_paths'), chr(0)),
                f -> starts_with(f, art_glob_escaped(getvariable('art_base_path') || '/' || p || '/models/'
                                                     || m || '/trajectories/' || coalesce(s || '/', '')))),
    f -> n IS NULL OR TRY_CAST(parse_filename(f, true) AS BIGINT) = n)
