-- lake/maintain_merge: merge small adjacent data files (snapshots keep referring to their parts).
-- params: none
CALL ducklake_merge_adjacent_files('lake')
