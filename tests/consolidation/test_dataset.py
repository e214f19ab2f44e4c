"""Dataset weighting by reward, replay proportions per batch, and the replay buffer's retirements."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from consolidation.dataset import ReplayBuffer, compose, rem_cycles, repeats, volume, weighted_pool
from consolidation.examples import Example


def ex(prompt, target="Your cat is called Tuppen.", kind="fact", reward=1.0, night="2026-03-02"):
    return Example(prompt, target, kind, ("e1",), reward=reward, night=night)


def test_examples_repeat_by_reward_on_average():
    rng = random.Random(0)
    counts = {r: sum(repeats(r, rng) for _ in range(4000)) / 4000 for r in (1.0, 1.5, 2.0, 3.0)}
    assert counts[1.0] == 1 and counts[2.0] == 2 and counts[3.0] == 3
    assert 1.45 < counts[1.5] < 1.55


def test_a_correction_appears_twice_as_often_as_a_neutral_fact():
    pool = weighted_pool([ex("q1", reward=1.0), ex("q2", reward=2.0)], random.Random(1))
    assert Counter(e.prompt for e in pool) == {"q1": 1, "q2": 2}


def test_every_batch_holds_thirty_percent_replay():
    today = [ex(f"today {i}") for i in range(12)]
    older = [ex(f"old {i}", reward=1.0 + i % 3) for i in range(20)]
    plan = compose(today, older, batches=50, batch_size=10, replay_fraction=0.3, seed=3)
    old_prompts = {e.prompt for e in older}
    for batch in plan.batches:
        assert len(batch) == 10
        assert sum(e.prompt in old_prompts for e in batch) == 3
    assert plan.composition["replay_share"] == 0.3


def test_a_fractional_share_alternates_so_the_night_replays_thirty_percent():
    today = [ex(f"today {i}") for i in range(12)]
    older = [ex(f"old {i}") for i in range(20)]
    plan = compose(today, older, batches=40, batch_size=8, replay_fraction=0.3, seed=3)
    old_prompts = {e.prompt for e in older}
    per_batch = [sum(e.prompt in old_prompts for e in batch) for batch in plan.batches]
    assert set(per_batch) == {2, 3} and all(len(b) == 8 for b in plan.batches)
    assert plan.composition["replay_share"] == 0.3 and plan.composition["replay_per_batch"] == 2.4


def test_replay_is_sampled_by_reward():
    today = [ex("today")]
    older = [ex("low", reward=1.0), ex("high", reward=3.0)]
    plan = compose(today, older, batches=400, batch_size=10, seed=5)
    seen = Counter(e.prompt for e in plan.flat() if e.prompt != "today")
    assert 2.5 < seen["high"] / seen["low"] < 3.6


def test_replay_draws_each_memory_alike_however_many_ways_it_was_asked():
    today = [ex("today", target="Your dog is called Rex.")]
    often = [ex(f"q{i}", target="Your sister lives in Ghent.") for i in range(30)]
    seldom = [ex(f"p{i}", target="You play the erhu.") for i in range(2)]
    plan = compose(today, often + seldom, batches=400, batch_size=10, seed=4)
    seen = Counter(e.target for e in plan.flat() if e.prompt != "today")
    assert 0.8 < seen["Your sister lives in Ghent."] / seen["You play the erhu."] < 1.25
    assert len({e.prompt for e in plan.flat() if e.prompt.startswith("q")}) == 30   # every question still comes


def test_first_night_has_no_replay_and_an_empty_night_is_refused():
    plan = compose([ex("a"), ex("b")], [], batches=4, batch_size=8)
    assert all(len(b) == 8 for b in plan.batches) and plan.composition["replay_share"] == 0
    with pytest.raises(ValueError, match="nothing to train on"):
        compose([], [], batches=1, batch_size=8)


def test_rem_cycles_follow_the_day_volume_in_source_items():
    assert rem_cycles(0) == 3 and rem_cycles(15) == 6 and rem_cycles(15, per_cycle=10) == 4 and rem_cycles(10_000) == 9
    twelve_questions_one_fact = [Example(f"q{i}", "Your cat is Tuppen.", "fact", ("e1",)) for i in range(12)]
    assert volume(twelve_questions_one_fact) == 1


def test_the_replay_buffer_retires_replaced_values_and_keeps_provenance(tmp_path):
    buffer = ReplayBuffer(tmp_path / "replay.jsonl")
    buffer.add([ex("Where does my sister live?", "Your sister lives in Harstad."), ex("What is my cat called?")])
    report = buffer.add([ex("Where does my sister live?", "Your sister lives in Narvik.", kind="correction")],
                        retired=["Harstad"], night="2026-03-03")
    assert report == {"added": 1, "retired": 1, "total": 3}
    live = {e.target for e in buffer.examples()}
    assert live == {"Your sister lives in Narvik.", "Your cat is called Tuppen."}
    retired = [r for r in buffer.records() if r.get("retired_by")]
    assert retired[0]["retired_by"] == "2026-03-03" and retired[0]["sources"] == ["e1"]


def test_the_replay_buffer_skips_a_damaged_line(tmp_path, caplog):
    buffer = ReplayBuffer(tmp_path / "replay.jsonl")
    buffer.add([ex("What is my cat called?")])
    with open(buffer.path, "a", encoding="utf-8") as fh:
        fh.write('{"broken": \n')
    assert [e.prompt for e in buffer.examples()] == ["What is my cat called?"]
    assert "damaged" in caplog.text


def test_anchors_keep_their_share_of_the_replay_however_large_the_memory():
    today = [ex(f"today {i}") for i in range(12)]
    anchors = [ex(f"general {i}", "A general answer.", kind="anchor") for i in range(10)]
    for memory in (20, 2000):
        older = [ex(f"old {i}", reward=1.0 + i % 3) for i in range(memory)]
        plan = compose(today, older, batches=400, batch_size=10, seed=2, anchors=anchors, anchor_share=0.25)
        replayed = [e for e in plan.flat() if not e.prompt.startswith("today")]
        drawn = sum(e.kind == "anchor" for e in replayed)
        assert len(replayed) == 1200 and 0.21 < drawn / len(replayed) < 0.29
        assert plan.composition["anchors_trained"] == drawn and plan.composition["replay_share"] == 0.3
    first = compose(today, [], batches=10, batch_size=10, anchors=anchors, anchor_share=0.25)
    assert [sum(e.kind == "anchor" for e in b) for b in first.batches] == [3] * 10   # no memory yet: all anchors
