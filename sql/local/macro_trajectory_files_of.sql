-- local/macro_trajectory_files_of: art_trajectory_files_of(project, model, split, step), the
-- listed files (art_trajectory_paths) of that model, and of that split and step where they
-- are not NULL. Picked from the list when the query is bound, not by DuckDB's filter
-- pushdown, which evaluates a filter file by file (~20 us each). The names are compared as
-- text with the listed paths (escaped alike): a name is never a pattern.
-- One step: its files found by one regular expression over the list's text (~1.5 ms at
-- 5,000 files, against ~3 for splitting the whole list to filter it): the model's (split's)
-- prefix, quoted (art_listed_regex), after the NUL that starts each path (the text is given
-- a leading one), so it matches where a path starts only; then the step's names,
-- `0*N.parquet` (the catalog lists a file only when its name is ASCII digits, so a match is
-- the whole path). No step: the list split and filtered by the prefix, in one vectorized
-- pass (~1 us a listed file; a regular expression matching the model's run of paths is
-- slower here). DuckDB folds each branch of a CASE over constants, so each branch is given
-- the list only when it is the one taken.
-- params: none
CREATE OR REPLACE TEMP MACRO art_trajectory_files_of(p, m, s, n) AS
CASE WHEN n IS NULL
     THEN list_filter(string_split(CASE WHEN n IS NULL THEN getvariable('art_trajectory_paths') END, chr(0)),
                      f -> starts_with(f, art_glob_escaped(getvariable('art_base_path') || '/' || p || '/models/'
                                                           || m || '/trajectories/' || coalesce(s || '/', ''))))
     ELSE list_transform(
              regexp_extract_all(chr(0) || getvariable('art_trajectory_paths'),
                                 '\x00' || art_listed_regex(getvariable('art_base_path') || '/' || p || '/models/'
                                                            || m || '/trajectories/')
                                 || coalesce(art_listed_regex(s) || '/', '[^/\x00]+/')
                                 || '0*' || CASE WHEN TRY_CAST(n AS BIGINT) = n THEN TRY_CAST(n AS BIGINT) END
                                 || '\.parquet'),
              f -> f[2:])
END
