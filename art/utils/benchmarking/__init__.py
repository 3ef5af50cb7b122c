"""`art.utils.benchmarking`: ART's loader of a project's trajectories into one polars frame."""
