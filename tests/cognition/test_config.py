"""Settings: DESIGN.md's seed parameters as defaults, and flag over env over file over default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from cognition.config import ChemistrySettings, Settings, System2Settings, default_home, load_settings


pytestmark = pytest.mark.usefixtures("clean_environment")   # tests/cognition/conftest.py


def write_config(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")


def test_defaults_are_the_seed_parameters(tmp_path):
    s = load_settings(home=tmp_path)
    assert s.idle.rumination_every_s == 120
    assert s.idle.daydream_every_s == 180
    assert s.idle.daydream_temperature == 0.95
    assert s.sleep.replay_fraction == 0.30
    assert s.sleep.self_test_threshold == 0.70
    assert s.sleep.merge_every_days == 30
    assert s.sleep.lora_rank == 16
    assert (s.sleep.rem_cycles_min, s.sleep.rem_cycles_max) == (3, 9)
    assert s.sleep.iterations_per_cycle == 80
    assert s.sleep.learning_rate is None  # the model profile's, per DESIGN.md
    c = s.chemistry
    assert (c.dopamine_praise, c.dopamine_correction, c.dopamine_neutral) == (1.5, 2.0, 1.0)
    assert c.cortisol_max_boost == 1.5
    assert s.user == "default"
    assert s.home == tmp_path
    assert s.models_path == tmp_path / "models"
    assert s.system2.backend == "embedded"
    assert s.system1.enabled is True


def test_default_home(monkeypatch, tmp_path):
    assert default_home() == tmp_path / "xdg" / "reverie"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_home() == tmp_path / "user-home" / ".local" / "share" / "reverie"
    monkeypatch.setenv("REVERIE_HOME", str(tmp_path / "elsewhere"))
    assert default_home() == tmp_path / "elsewhere"


def test_config_file_over_defaults(tmp_path):
    write_config(tmp_path, 'user = "maren"\n[sleep]\nlora_rank = 8\n[idle]\ndaydream_temperature = 0.5\n')
    s = load_settings(home=tmp_path)
    assert s.user == "maren"
    assert s.sleep.lora_rank == 8
    assert s.idle.daydream_temperature == 0.5
    assert s.sleep.merge_every_days == 30  # untouched keys keep their defaults


def test_environment_over_config_file(tmp_path, monkeypatch):
    write_config(tmp_path, 'user = "maren"\n[sleep]\nlora_rank = 8\nmerge_every_days = 7\n')
    monkeypatch.setenv("REVERIE_USER", "joaquim")
    monkeypatch.setenv("REVERIE_SLEEP__LORA_RANK", "32")
    s = load_settings(home=tmp_path)
    assert s.user == "joaquim"
    assert s.sleep.lora_rank == 32
    assert s.sleep.merge_every_days == 7  # from the file: env and file merge per key


def test_explicit_arguments_over_environment(tmp_path, monkeypatch):
    write_config(tmp_path, 'user = "maren"\n[sleep]\nlora_rank = 8\nreplay_fraction = 0.5\n')
    monkeypatch.setenv("REVERIE_USER", "joaquim")
    monkeypatch.setenv("REVERIE_SLEEP__LORA_RANK", "32")
    s = load_settings(home=tmp_path, user="noor", sleep={"lora_rank": 4})
    assert s.user == "noor"
    assert s.sleep.lora_rank == 4
    assert s.sleep.replay_fraction == 0.5


def test_none_overrides_are_ignored(tmp_path, monkeypatch):
    # The CLI passes None for flags the user did not give.
    monkeypatch.setenv("REVERIE_USER", "joaquim")
    assert load_settings(home=tmp_path, user=None).user == "joaquim"


def test_home_argument_chooses_the_config_file_and_is_restored(tmp_path, monkeypatch):
    other = tmp_path / "other"
    write_config(other, 'user = "from-other"\n')
    monkeypatch.setenv("REVERIE_HOME", str(tmp_path / "env-home"))
    write_config(tmp_path / "env-home", 'user = "from-env-home"\n')

    assert load_settings(home=other).user == "from-other"
    assert os.environ["REVERIE_HOME"] == str(tmp_path / "env-home")
    assert load_settings().user == "from-env-home"


def test_unknown_top_level_key_is_named(tmp_path):
    write_config(tmp_path, 'colour = "blue"\n')
    with pytest.raises(ValidationError) as info:
        load_settings(home=tmp_path)
    assert "colour" in str(info.value)
    assert "extra" in str(info.value).lower()


def test_unknown_nested_key_is_named(tmp_path):
    write_config(tmp_path, "[sleep]\nlora_rnk = 8\n")
    with pytest.raises(ValidationError) as info:
        load_settings(home=tmp_path)
    assert "sleep.lora_rnk" in str(info.value)


def test_invalid_value_in_file_names_field(tmp_path):
    write_config(tmp_path, "[sleep]\nreplay_fraction = 1.5\n")
    with pytest.raises(ValidationError) as info:
        load_settings(home=tmp_path)
    assert "sleep.replay_fraction" in str(info.value)


def test_openai_backend_needs_base_url(tmp_path, monkeypatch):
    with pytest.raises(ValidationError, match="base_url"):
        System2Settings(backend="openai")
    write_config(tmp_path, '[system2]\nbackend = "openai"\n')
    with pytest.raises(ValidationError, match="base_url"):
        load_settings(home=tmp_path)
    monkeypatch.setenv("REVERIE_SYSTEM2__BASE_URL", "http://localhost:8000/v1")
    s = load_settings(home=tmp_path)
    assert (s.system2.backend, s.system2.base_url) == ("openai", "http://localhost:8000/v1")


def test_refine_threshold_must_not_exceed_accept():
    with pytest.raises(ValidationError, match="refine_at"):
        System2Settings(accept_at=0.3, refine_at=0.5)


def test_rem_cycle_bounds_are_ordered():
    with pytest.raises(ValidationError, match="rem_cycles_max=2"):
        Settings(home=Path("/nonexistent"), sleep={"rem_cycles_min": 5, "rem_cycles_max": 2})


@pytest.mark.parametrize("name", ["", "-dash", ".hidden", "../escape", "a/b", "has space", "é", "x" * 65])
def test_invalid_user_names_are_rejected(tmp_path, name):
    with pytest.raises(ValidationError) as info:
        load_settings(home=tmp_path, user=name)
    assert "user" in str(info.value)


@pytest.mark.parametrize("name", ["default", "maren", "Noor_2", "a.b-c", "x" * 64])
def test_valid_user_names_are_accepted(tmp_path, name):
    assert load_settings(home=tmp_path, user=name).user == name


def test_assignment_is_validated(tmp_path):
    s = load_settings(home=tmp_path)
    with pytest.raises(ValidationError):
        s.user = "../root"
    with pytest.raises(ValidationError):
        s.chemistry.cortisol_spike = 2.0


def test_chemistry_settings_bounds():
    with pytest.raises(ValidationError, match="cortisol_half_life_h"):
        ChemistrySettings(cortisol_half_life_h=0)
