-- lake/use: make the lake the default catalog, so the shared queries (best_step, ...) read it.
-- params: none
USE lake
