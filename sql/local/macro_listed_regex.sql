-- local/macro_listed_regex: art_listed_regex(text), a regular expression matching the text
-- as the file list spells it: glob characters escaped as file_index escapes a path (`*` ->
-- `[*]`), then every character that means something to a regular expression quoted. Plain
-- replacements (`[` first: the others add brackets), not a regular expression: each one in
-- a query is compiled when it is bound (~0.2-0.5 ms each here).
-- params: none
CREATE OR REPLACE TEMP MACRO art_listed_regex(x) AS
regexp_escape(replace(replace(replace(x, '[', '[[]'), '*', '[*]'), '?', '[?]'))
