"""Chemistry: adenosine builds sleep pressure, cortisol spikes and decays, dopamine tags exchanges."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import pytest

from cognition.chemistry import Chemistry, ChemistryStore
from cognition.config import ChemistrySettings
from cognition.perceive import Perception

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
NEUTRAL = Perception("fact", ("fact",))
PRAISE = Perception("praise", ("praise",))
CORRECTION = Perception("correction", ("correction", "fact"))
CORRECTION_AND_PRAISE = Perception("correction", ("correction", "praise"))


@pytest.fixture
def store(tmp_path) -> ChemistryStore:
    return ChemistryStore(tmp_path / "chemistry.json")


def test_starts_at_rest(store):
    state = store.load(T0)
    assert (state.adenosine, state.cortisol, state.dopamine) == (0.0, 0.0, 1.0)
    assert not store.path.exists()  # loading alone writes nothing


def test_adenosine_rises_per_exchange_and_more_on_correction(store):
    s = ChemistrySettings()
    a1 = store.perceive(NEUTRAL, T0).adenosine
    assert a1 == pytest.approx(s.adenosine_per_exchange)
    a2 = store.perceive(NEUTRAL, T0 + timedelta(minutes=1)).adenosine
    assert a2 == pytest.approx(2 * s.adenosine_per_exchange)
    a3 = store.perceive(CORRECTION, T0 + timedelta(minutes=2)).adenosine
    assert a3 - a2 == pytest.approx(s.adenosine_per_exchange + s.adenosine_per_correction)
    assert a3 - a2 > a2 - a1


def test_adenosine_caps_at_one_and_sleep_becomes_due(store):
    when = T0
    state = store.load(when)
    steps = 0
    while not store.sleep_due(state):
        assert state.adenosine < 1.0
        when += timedelta(minutes=1)
        state = store.perceive(NEUTRAL, when)
        steps += 1
        assert steps < 1000, "sleep never became due"
    assert state.adenosine == 1.0
    assert steps >= round(1 / ChemistrySettings().adenosine_per_exchange)
    for _ in range(5):
        when += timedelta(minutes=1)
        state = store.perceive(CORRECTION, when)
    assert state.adenosine == 1.0


def test_sleep_due_threshold(store):
    assert store.sleep_due(Chemistry(adenosine=1.0))
    assert not store.sleep_due(Chemistry(adenosine=0.999))


def test_slept_resets_adenosine_and_records_when(store):
    for i in range(10):
        store.perceive(CORRECTION, T0 + timedelta(minutes=i))
    before = store.load(T0 + timedelta(minutes=11))
    assert before.adenosine > 0.5 and before.cortisol > 0
    after = store.slept(T0 + timedelta(hours=8))
    assert after.adenosine == 0.0
    assert datetime.fromisoformat(after.slept) == T0 + timedelta(hours=8)
    reloaded = store.load(T0 + timedelta(hours=8))
    assert reloaded.adenosine == 0.0
    assert reloaded.slept == after.slept
    assert reloaded.cortisol == pytest.approx(before.cortisol * 0.5 ** ((8 * 60 - 11) / 60 / 6))


def test_cortisol_spikes_on_correction_only(store):
    assert store.perceive(NEUTRAL, T0).cortisol == 0.0
    assert store.perceive(PRAISE, T0).cortisol == 0.0
    assert store.perceive(CORRECTION, T0).cortisol == pytest.approx(ChemistrySettings().cortisol_spike)


def test_cortisol_halves_after_one_half_life(store):
    half_life = ChemistrySettings().cortisol_half_life_h
    spiked = store.perceive(CORRECTION, T0).cortisol
    assert store.load(T0 + timedelta(hours=half_life)).cortisol == pytest.approx(spiked / 2)


def test_cortisol_decay_is_computed_from_the_clock_not_per_call(store):
    # Loading often must decay no faster than loading once.
    spiked = store.perceive(CORRECTION, T0).cortisol
    for minutes in range(0, 6 * 60 + 1, 30):
        store.save(store.load(T0 + timedelta(minutes=minutes)))
    assert store.load(T0 + timedelta(hours=12)).cortisol == pytest.approx(spiked / 4)


def test_custom_half_life_and_stress(tmp_path):
    store = ChemistryStore(tmp_path / "c.json", ChemistrySettings(cortisol_half_life_h=1.0, cortisol_spike=0.4,
                                                                   cortisol_stressed_at=0.6))
    store.perceive(CORRECTION, T0)
    state = store.perceive(CORRECTION, T0)
    assert state.cortisol == pytest.approx(0.8)
    assert store.stressed(state)
    later = store.load(T0 + timedelta(hours=1))
    assert later.cortisol == pytest.approx(0.4)
    assert not store.stressed(later)


def test_cortisol_is_capped(store):
    for _ in range(10):
        state = store.perceive(CORRECTION, T0)
    assert state.cortisol == 1.0


def test_time_going_backwards_does_not_raise_cortisol(store):
    spiked = store.perceive(CORRECTION, T0).cortisol
    assert store.load(T0 - timedelta(hours=3)).cortisol == pytest.approx(spiked)


@pytest.mark.parametrize("perception,tag", [(PRAISE, 1.5), (CORRECTION, 2.0), (NEUTRAL, 1.0),
                                            (CORRECTION_AND_PRAISE, 2.0)])
def test_dopamine_tags(store, perception, tag):
    store.perceive(PRAISE if tag != 1.5 else NEUTRAL, T0)  # start from a different tag
    assert store.perceive(perception, T0 + timedelta(seconds=1)).dopamine == tag


def test_state_persists_across_store_instances(tmp_path):
    path = tmp_path / "chemistry.json"
    ChemistryStore(path).perceive(CORRECTION, T0)
    ChemistryStore(path).perceive(PRAISE, T0 + timedelta(minutes=1))
    state = ChemistryStore(path).load(T0 + timedelta(minutes=1))
    s = ChemistrySettings()
    assert state.adenosine == pytest.approx(2 * s.adenosine_per_exchange + s.adenosine_per_correction)
    assert state.dopamine == s.dopamine_praise
    assert state.cortisol == pytest.approx(s.cortisol_spike * 0.5 ** (1 / 60 / s.cortisol_half_life_h))
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert set(raw) == {"adenosine", "cortisol", "dopamine", "updated", "slept"}


def test_snapshot_is_rounded_numbers():
    snap = Chemistry(adenosine=1 / 3, cortisol=0.123456789, dopamine=2.0).snapshot()
    assert snap == {"adenosine": 0.3333, "cortisol": 0.1235, "dopamine": 2.0}


def test_save_leaves_no_temporary_files(store):
    store.perceive(NEUTRAL, T0)
    store.perceive(NEUTRAL, T0)
    # the lock that keeps concurrent turns from losing an update stays; nothing else may
    assert sorted(p.name for p in store.path.parent.iterdir()) == [".chemistry.json.lock", "chemistry.json"]


@pytest.mark.parametrize("content", [
    pytest.param(b'{"adenosine": 0.5, "cort', id="truncated"),
    pytest.param(b"\xff\xfe\x00garbage", id="binary"),
    pytest.param(b"", id="empty"),
    pytest.param(b"null", id="null"),
    pytest.param(b"[0.5, 0.1]", id="list"),
    pytest.param(b'{"adenosine": "high"}', id="string-level"),
    pytest.param(b'{"adenosine": null}', id="null-level"),
    pytest.param(b'{"cortisol": NaN}', id="nan-level"),
    pytest.param(b'{"adenosine": 0.4, "updated": "yesterday"}', id="bad-timestamp"),
    pytest.param(b'{"adenosine": 0.4, "updated": 12}', id="number-timestamp"),
])
def test_damaged_file_is_survived_with_a_warning(store, caplog, content):
    # Regression: valid JSON with a wrong-typed level or an unparseable `updated`
    # passed the load and crashed the next perceive (TypeError / ValueError).
    store.path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="cognition.chemistry"):
        state = store.perceive(NEUTRAL, T0)
    assert state.adenosine == pytest.approx(ChemistrySettings().adenosine_per_exchange)
    assert state.cortisol == 0.0
    assert any("damaged" in r.getMessage() and str(store.path) in r.getMessage() for r in caplog.records)
    # The file was replaced by a sound one.
    assert ChemistryStore(store.path).load(T0).adenosine == state.adenosine


def test_naive_timestamp_in_file_is_read_as_local_time(store):
    # A hand-edited file may carry a time without a zone; it must not crash the decay.
    local = T0.astimezone().replace(tzinfo=None)
    store.path.write_text(json.dumps({"cortisol": 0.4, "updated": local.isoformat()}), encoding="utf-8")
    assert store.load(T0 + timedelta(hours=6)).cortisol == pytest.approx(0.2)


def test_three_corrections_in_a_row_make_it_stressed(store):
    states = [store.perceive(CORRECTION, T0 + timedelta(minutes=i)) for i in range(3)]
    assert not store.stressed(states[0])
    assert store.stressed(states[2]) and states[2].cortisol > ChemistrySettings().cortisol_stressed_at
    calm = store.load(T0 + timedelta(hours=3 * ChemistrySettings().cortisol_half_life_h))
    assert not store.stressed(calm)  # three half-lives later it has calmed down
