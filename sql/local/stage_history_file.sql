-- local/stage_history_file: the first $lines lines of a whole history.jsonl, read by DuckDB's
-- JSON reader (a first ingest: no Python per line; a writer may be appending, so only those
-- count). The caller has checked that none of them is blank and that the reader parses each
-- (local/history_file_lines), so row numbers are line numbers.
-- The path's glob characters are escaped: a model named `*` reads its own file only.
-- params: $path, $lines
INSERT INTO history_docs (seq, j)
SELECT row_number() OVER () - 1, json
FROM read_json_objects(regexp_replace($path, '([*?\[])', '[\1]', 'g'), format = 'newline_delimited', ignore_errors = true)
QUALIFY row_number() OVER () <= $lines
