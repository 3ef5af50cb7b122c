-- lake/maintain_orphans: delete files under the data path that no snapshot knows (left by writers
-- killed between upload and commit) once older than $orphan_seconds; returns their paths.
-- params: $orphan_seconds
CALL ducklake_delete_orphaned_files('lake', older_than => now() - to_seconds($orphan_seconds::BIGINT))
