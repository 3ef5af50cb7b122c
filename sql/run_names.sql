-- run_names: (project, model) of every run the store knows, for "did you mean" messages.
-- params: none
SELECT DISTINCT project, model FROM runs ORDER BY project, model
