-- local/sandbox_folders: the folders that hold the files the views read, one row per split
-- folder (`BASE/PROJECT/models/MODEL/trajectories/SPLIT`), for the sandbox's allowed folders;
-- beside each, the same path with glob characters escaped as the views name their files
-- (DuckDB checks the name it was given, before it expands it).
-- params: none
SELECT folder,
       CASE WHEN contains(folder, '[') OR contains(folder, '*') OR contains(folder, '?')
            THEN regexp_replace(folder, '([*?\[])', '[\1]', 'g') ELSE folder END AS pattern
FROM (
    SELECT getvariable('art_base_path') || '/' || project || '/models/' || model
           || '/trajectories/' || split AS folder
    FROM (SELECT DISTINCT project, model, split FROM file_index)  -- then the text: a few rows
)
ORDER BY folder
