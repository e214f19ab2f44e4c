"""`reverie eval forget` end to end on the tiny model: the harness plays, sleeps and says clearly
when there is nothing the weights recall to forget (the tiny model's weights are random)."""

from __future__ import annotations

import json

import pytest

from eval.forget import entries_stating, forget_eval
from eval.retention import Probe


def test_a_probe_is_traced_to_the_entries_that_state_it(home, tiny_model_dir):
    from cognition.config import load_settings
    from graphs.agent import Agent

    agent = Agent(load_settings(model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512}))
    try:
        said = agent.diary.write("exchange", "My sister Ilse lives in Ghent.", reply="Noted.")
        agent.diary.write("exchange", "I play the fiddle.", reply="Noted.")
        probe = Probe("p1", "Where does my sister live?", ("Ghent",), (), 1, "fact")
        assert entries_stating(agent, probe) == [said.id]
    finally:
        agent.close()


def test_nothing_recalled_closed_book_is_a_clear_error(tmp_path, tiny_model_dir, models_dir, monkeypatch):
    monkeypatch.setenv("REVERIE_MODELS_DIR", str(models_dir))
    days = tmp_path / "days.json"
    days.write_text(json.dumps({"name": "tiny", "days": [{"date": "2026-01-05", "turns": [
        "My sister Ilse lives in Ghent.", "I play the fiddle in a folk band."]}], "probes": [
        {"id": "f1", "question": "Where does my sister live?", "answers": ["Ghent"], "kind": "fact", "learned_on": 1}]}))
    overrides = {"model": {"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
                 "system1": {"associate_tokens": 6, "answer_tokens": 6}, "system2": {"answer_tokens": 8},
                 "sleep": {"rem_cycles_min": 1, "rem_cycles_max": 1, "iterations_per_cycle": 2, "batch_size": 4,
                           "self_test_threshold": 0.0, "drift_bound": 1000.0, "quiz_drop_bound": 1.0,
                           "anchor_weight": 0.0}}
    with pytest.raises(ValueError, match="nothing to forget"):
        forget_eval(days, tmp_path / "home", overrides)
