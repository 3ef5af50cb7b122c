-- step_metrics: the aggregate history metrics of one log() call, ART 0.5.23's formulas.
-- Reads `entries`, one row: `names`, the metric names without the split, in history key
-- order ('/reward', '/exception_rate', '/<trajectory metric>' first seen first,
-- '/group/<group metric>' first seen first); `values`, for each name the values its mean is
-- over (each trajectory's reward that is not NaN; 0.0 per trajectory and 1.0 per exception;
-- each value of a trajectory metric; each value of a group metric, from groups that have
-- trajectories; bools as 0/1); `rewards`, each group's rewards (NaN left out).
-- Returns one row: the history keys and their values, in order, ending with reward_std_dev:
-- the mean over groups of two or more rewards of their population standard deviation (0 when
-- none). One projection over list columns: no grouping, join or sort to plan (about half the
-- time of a GROUP BY over one row per value at 4 groups x 4 trajectories).
-- params: $split
SELECT
    list_append([$split || name FOR name IN names], $split || '/reward_std_dev') AS metrics,
    list_append(
        [list_avg(v) FOR v IN "values"],
        coalesce(list_avg([list_stddev_pop(r) FOR r IN rewards IF len(r) >= 2]), 0.0)
    ) AS means
FROM entries
