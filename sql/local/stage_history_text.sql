-- local/stage_history_text: the lines of $text (whole history.jsonl lines, each ending in a
-- newline; the first is line number $first_seq) that are valid JSON.
-- params: $text, $first_seq
INSERT INTO history_docs (seq, j)
WITH split_lines AS (
    SELECT string_split($text, chr(10)) AS l
), lines_in AS (
    SELECT unnest(l) AS line, generate_subscripts(l, 1) AS i FROM split_lines
)
SELECT $first_seq + i - 1, line::JSON
FROM lines_in
WHERE trim(line) <> '' AND json_valid(line)
