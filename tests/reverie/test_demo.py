"""`make demo` says which arithmetic its night takes, and shortens the night where it is slow."""

from __future__ import annotations

import pytest
import torch

from cognition.config import load_settings
from reverie.demo import FP32_CYCLES, FP32_LEARNING_RATE, FP32_STEPS, cpu_path


def _with_dtype(settings, dtype: str):
    return settings.model_copy(update={"model": settings.model.model_copy(update={"dtype": dtype})})


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU paths; a GPU names itself instead")
def test_float32_takes_a_shorter_night_and_says_so(tmp_path):
    settings = load_settings(home=str(tmp_path))
    path, shorter = cpu_path(_with_dtype(settings, "float32"))
    assert "without native bf16" in path and "float32" in path
    assert shorter.sleep.rem_cycles_max == FP32_CYCLES < settings.sleep.rem_cycles_max
    assert shorter.sleep.rem_cycles_min <= FP32_CYCLES
    assert shorter.sleep.iterations_per_cycle == FP32_STEPS < settings.sleep.iterations_per_cycle
    assert settings.sleep.learning_rate is None and shorter.sleep.learning_rate == FP32_LEARNING_RATE
    assert f"{FP32_CYCLES} REM cycles of {FP32_STEPS} steps" in path


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU paths; a GPU names itself instead")
def test_float32_keeps_a_learning_rate_the_user_set(tmp_path):
    settings = load_settings(home=str(tmp_path))
    settings = settings.model_copy(update={"sleep": settings.sleep.model_copy(update={"learning_rate": 1e-4})})
    _, shorter = cpu_path(_with_dtype(settings, "float32"))
    assert shorter.sleep.learning_rate == 1e-4


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU paths; a GPU names itself instead")
def test_bfloat16_keeps_the_night_as_set(tmp_path):
    settings = _with_dtype(load_settings(home=str(tmp_path)), "bfloat16")
    path, same = cpu_path(settings)
    assert "training in bfloat16" in path
    assert same.sleep == settings.sleep
