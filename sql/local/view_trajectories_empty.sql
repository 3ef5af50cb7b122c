-- local/view_trajectories_empty: the trajectories view of a store that has no trajectory files yet.
-- params: none
CREATE OR REPLACE TEMP VIEW trajectories AS
SELECT NULL::VARCHAR AS project, NULL::VARCHAR AS model, NULL::VARCHAR AS split,
       NULL::BIGINT AS step, NULL::BIGINT AS group_index, NULL::BIGINT AS trajectory_index,
       NULL::DOUBLE AS reward, NULL::JSON AS metrics, NULL::JSON AS metadata,
       NULL::JSON AS group_metadata, NULL::JSON AS group_metrics, NULL::JSON AS tools,
       NULL::VARCHAR[] AS logs, NULL::VARCHAR[] AS group_logs,
       NULL::STRUCT(role VARCHAR, content VARCHAR, tool_calls VARCHAR, tool_call_id VARCHAR,
                    trainable BOOLEAN)[] AS messages,
       NULL::JSON AS trajectory_json, NULL::JSON AS group_json, NULL::VARCHAR AS path
WHERE false
