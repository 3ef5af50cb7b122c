-- lake/maintain_expire: expire snapshots older than $keep_seconds (time travel before them ends).
-- params: $keep_seconds
CALL ducklake_expire_snapshots('lake', older_than => now() - to_seconds($keep_seconds::BIGINT))
