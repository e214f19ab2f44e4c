"""System 1 on the tiny model: the adapter it serves, a damaged one refused, closed-book answers."""

from __future__ import annotations

from system1.adapters import AdapterStore, runtime_name
from system1.backends.local import LocalBackend
from system1.brain import LizardBrain


def test_without_an_adapter_system1_is_the_bare_base(tiny_runtime, tmp_path):
    from system1.prompts import answer_messages

    brain = LizardBrain(LocalBackend(tiny_runtime, AdapterStore(tmp_path / "adapters")))
    answer = brain.answer("Where does my sister live?")
    bare = tiny_runtime.chat(answer_messages("Where does my sister live?"), adapter=False,
                             max_new_tokens=brain.settings.answer_tokens)
    assert brain.adapter is None and answer.adapter is None
    assert answer.text == bare.text


def test_the_promoted_adapter_answers_and_a_damaged_one_falls_back(tiny_runtime, tmp_path, adapter_factory):
    store = AdapterStore(tmp_path / "adapters")
    v1 = adapter_factory(store, seed=1)
    store.promote(v1)
    v2 = adapter_factory(store, seed=2, parent=v1)
    store.promote(v2)
    backend = LocalBackend(tiny_runtime, store)
    brain = LizardBrain(backend)
    assert brain.adapter == v2
    with_v2 = brain.answer("Where does my sister live?").text

    weights = store.path(v2) / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-16] + b"\0" * 16)
    assert backend.reload() == v1
    assert any("adapter_model.safetensors" in r for r in backend.refused)
    answer = brain.answer("Where does my sister live?")
    assert answer.adapter == v1
    assert store.current() == v2  # refusing to serve is not a rollback: nothing was rewritten
    assert tiny_runtime.adapter == runtime_name("default", v1) and with_v2


def test_associate_is_short(tiny_runtime, tmp_path):
    brain = LizardBrain(LocalBackend(tiny_runtime, AdapterStore(tmp_path / "adapters")))
    thought = brain.associate("My sister Ilse lives in Ghent.", seed=3)
    # Re-tokenising decoded text can differ by a token or two from what was generated.
    assert len(tiny_runtime.tokenizer(thought.text, add_special_tokens=False)["input_ids"]) <= brain.settings.associate_tokens + 2
