-- local/sandbox_folder_files: the views' files in the given split folders, as their paths and
-- as their escaped patterns, for a sandbox that allows those files one by one (a folder that
-- holds a link or a subfolder, or whose path has glob characters: allowing it whole would let
-- glob() list names beyond it).
-- params: $folders
SELECT DISTINCT p FROM (
    SELECT abs_path AS p, project, model, split FROM file_index
    UNION ALL
    SELECT pattern, project, model, split FROM file_index
)
WHERE list_contains($folders, getvariable('art_base_path') || '/' || project || '/models/' || model
                              || '/trajectories/' || split)
ORDER BY p
