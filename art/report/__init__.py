"""Mirrors of the history to experiment trackers (Weights & Biases)."""
