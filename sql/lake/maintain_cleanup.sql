-- lake/maintain_cleanup: delete files scheduled for deletion more than $keep_seconds ago
-- (readers older than that could still be scanning newer ones).
-- params: $keep_seconds
CALL ducklake_cleanup_old_files('lake', older_than => now() - to_seconds($keep_seconds::BIGINT))
