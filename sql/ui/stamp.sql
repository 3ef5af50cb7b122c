-- ui/stamp: a cheap fingerprint of the store that changes whenever a step is logged: open
-- pages poll it and reload their data only when it moves.
-- Returns (runs, log_calls, last_recorded_at).
-- params: none
SELECT count(*) AS runs, coalesce(sum(log_calls), 0) AS log_calls, max(last_recorded_at) AS last_recorded_at
FROM runs
