-- lake/schema_trajectories: every logged trajectory row (ART's v2 columns) with where it belongs.
-- params: none
CREATE TABLE IF NOT EXISTS lake.trajectories (
    project VARCHAR, model VARCHAR, split VARCHAR, step BIGINT, recorded_at TIMESTAMP,
    format_version SMALLINT, group_index BIGINT, trajectory_index BIGINT,
    group_json VARCHAR, trajectory_json VARCHAR, group_metadata VARCHAR, group_metrics VARCHAR,
    group_logs VARCHAR[], reward DOUBLE, metrics VARCHAR, metadata VARCHAR, tools VARCHAR,
    logs VARCHAR[],
    messages STRUCT(role VARCHAR, content VARCHAR, tool_calls VARCHAR, tool_call_id VARCHAR,
                    trainable BOOLEAN)[]
)
