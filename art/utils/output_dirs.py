"""ART's `art.utils.output_dirs`: where a store keeps a model's files, as path strings.

The layout is ART's and this library's alike:
`{art_path}/{project}/models/{model}/checkpoints/{step:04d}` and
`{art_path}/{project}/models/{model}/trajectories/{split}/`. Unlike ART's, each name is
checked to be one path component (a name is data, never a path: `../x` is refused with an
InvalidNameError naming it), and the default store is `.art` in the working folder, where
`art.Model` logs (ART's: `.art` at its own repository's root, or the working folder).
"""

from __future__ import annotations

import operator
from typing import Any

from art.store.paths import validate_name, validate_split, validate_step


def get_default_art_path() -> str:
    return ".art"


def get_models_dir(project_name: str, art_path: str | None = None) -> str:
    base = get_default_art_path() if art_path is None else art_path
    return f"{base}/{validate_name('project', project_name)}/models"


def get_output_dir_from_model_properties(project: str, name: str, art_path: str | None = None) -> str:
    return f"{get_models_dir(project, art_path)}/{validate_name('model', name)}"


def get_model_dir(model: Any, art_path: str | None = None) -> str:
    """A model's folder: its `run_name` for a TrainableModel (ART 0.5.21+), else its name."""
    return get_output_dir_from_model_properties(model.project, model._storage_name(), art_path)


def get_step_checkpoint_dir(model_output_dir: str, step: int) -> str:
    """Any integer type is a step (numpy's, as ART formats it); bools and floats are not."""
    if not isinstance(step, bool) and hasattr(type(step), "__index__"):
        step = operator.index(step)
    return f"{model_output_dir}/checkpoints/{validate_step(step):04d}"


def get_trajectories_dir(model_output_dir: str) -> str:
    return f"{model_output_dir}/trajectories"


def get_trajectories_split_dir(model_output_dir: str, split: str) -> str:
    return f"{get_trajectories_dir(model_output_dir)}/{validate_split(split)}"
