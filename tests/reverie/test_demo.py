"""`make demo` says which arithmetic its night takes, and shortens the night where it is slow."""

from __future__ import annotations

import pytest
import torch

from cognition.config import load_settings
from reverie.demo import FP32_CYCLES, cpu_path


def _with_dtype(settings, dtype: str):
    return settings.model_copy(update={"model": settings.model.model_copy(update={"dtype": dtype})})


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU paths; a GPU names itself instead")
def test_float32_takes_a_shorter_night_and_says_so(tmp_path):
    settings = load_settings(home=str(tmp_path))
    path, shorter = cpu_path(_with_dtype(settings, "float32"))
    assert "without native bf16" in path and "float32" in path
    assert shorter.sleep.rem_cycles_max == FP32_CYCLES < settings.sleep.rem_cycles_max
    assert shorter.sleep.rem_cycles_min <= FP32_CYCLES
    assert shorter.sleep.iterations_per_cycle == settings.sleep.iterations_per_cycle


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU paths; a GPU names itself instead")
def test_bfloat16_keeps_the_night_as_set(tmp_path):
    settings = _with_dtype(load_settings(home=str(tmp_path)), "bfloat16")
    path, same = cpu_path(settings)
    assert "training in bfloat16" in path
    assert same.sleep == settings.sleep
