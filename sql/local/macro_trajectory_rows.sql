-- local/macro_trajectory_rows: art_trajectory_rows(paths), the rows of the trajectories view
-- read from the listed files only (patterns from file_index, all v2: one schema, so binding
-- reads one footer). Every logged trajectory (placeholder rows of groups without trajectories
-- are left out); JSON columns are typed JSON; `path` is the file. Project, model, split and
-- step come from each file's path (PROJECT/models/MODEL/trajectories/SPLIT/NNNN.parquet), each
-- computed straight from `filename` (no subquery; the step by parse_filename, a quarter
-- cheaper per listed file than a regular expression), so DuckDB prunes files on a filter over
-- them before opening any, and top-N reads `messages` of the winning rows only (late
-- materialization). The view and trajectories_of() both read through it (a table macro is
-- expanded in place: the plans are those of the SELECT written out).
-- params: none
CREATE OR REPLACE TEMP MACRO art_trajectory_rows(paths) AS TABLE
SELECT string_split(t.filename[length(getvariable('art_base_path')) + 2:], '/')[1] AS project,
       string_split(t.filename[length(getvariable('art_base_path')) + 2:], '/')[3] AS model,
       string_split(t.filename[length(getvariable('art_base_path')) + 2:], '/')[5] AS split,
       TRY_CAST(parse_filename(t.filename, true) AS BIGINT) AS step,
       t.group_index, t.trajectory_index, t.reward,
       t.metrics::JSON AS metrics, t.metadata::JSON AS metadata,
       t.group_metadata::JSON AS group_metadata, t.group_metrics::JSON AS group_metrics,
       t.tools::JSON AS tools, t.logs, t.group_logs, t.messages,
       t.trajectory_json::JSON AS trajectory_json, t.group_json::JSON AS group_json,
       t.filename AS path
FROM read_parquet(paths, filename = true) t
WHERE t.reward IS NOT NULL
