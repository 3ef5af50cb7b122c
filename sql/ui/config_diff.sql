-- ui/config_diff: the config keys (top level of model.json's "config") whose values differ
-- between runs, or that some runs lack. Returns (project, model, key, value): value is the
-- key's JSON text, NULL where the run lacks the key.
-- params: none
WITH configs AS (
    SELECT project, model, json_extract(model_json::JSON, '$.config') AS config
    FROM models
),
pairs AS (
    SELECT c.project, c.model, k.key, json_extract(c.config, '$."' || replace(k.key, '"', '\"') || '"')::VARCHAR AS value
    FROM configs c, unnest(json_keys(c.config)) AS k(key)
    WHERE json_type(c.config) = 'OBJECT'
),
differing AS (
    SELECT key FROM pairs GROUP BY key
    HAVING count(DISTINCT value) > 1 OR count(*) < (SELECT count(*) FROM configs)
)
SELECT c.project, c.model, d.key, p.value
FROM configs c CROSS JOIN differing d
LEFT JOIN pairs p ON p.project = c.project AND p.model = c.model AND p.key = d.key
ORDER BY d.key, c.project, c.model
