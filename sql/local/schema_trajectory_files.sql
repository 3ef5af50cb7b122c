-- local/schema_trajectory_files: one row per trajectories/SPLIT/NNNN.parquet file in the store.
-- path is relative to base_path; error is set (and the counts NULL) for a file that cannot be read.
-- params: none
CREATE TABLE IF NOT EXISTS trajectory_files (
    path VARCHAR PRIMARY KEY,
    project VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    split VARCHAR NOT NULL,
    step BIGINT NOT NULL,
    rows BIGINT,
    groups BIGINT,
    trajectories BIGINT,
    exceptions BIGINT,
    bytes BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    format_version INTEGER,
    error VARCHAR
)
