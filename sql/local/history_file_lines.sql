-- local/history_file_lines: how many of the first $lines lines of a history.jsonl DuckDB's
-- JSON reader reads as JSON values; fails on a line it cannot parse. Run on its own cursor
-- before local/stage_history_file, which skips what it cannot parse.
-- The path's glob characters are escaped: a model named `*` reads its own file only.
-- params: $path, $lines
SELECT count(*) FROM (SELECT json FROM read_json_objects(regexp_replace($path, '([*?\[])', '[\1]', 'g'), format = 'newline_delimited') LIMIT $lines)
