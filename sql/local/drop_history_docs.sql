-- local/drop_history_docs: the staged lines are parsed: the temp table goes (a user's
-- connection never shows it).
-- params: none
DROP TABLE IF EXISTS temp.history_docs
