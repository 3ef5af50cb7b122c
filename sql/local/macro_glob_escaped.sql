-- local/macro_glob_escaped: art_glob_escaped(text), the text with glob characters escaped as
-- file_index escapes a path (`*` -> `[*]`), so a name given to trajectories_of() matches the
-- listed patterns as text. The regular expression only where there is one: inside a list
-- lambda, an expression over a bound parameter runs once per listed file.
-- params: none
CREATE OR REPLACE TEMP MACRO art_glob_escaped(x) AS
CASE WHEN contains(x, '[') OR contains(x, '*') OR contains(x, '?')
     THEN regexp_replace(x, '([*?\[])', '[\1]', 'g') ELSE x END
