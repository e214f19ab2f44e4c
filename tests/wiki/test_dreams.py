"""After a promoted night the new adapter dreams against the wiki and the day: the dreams wait
in the queue for review, and the morning briefing names them."""

from __future__ import annotations

from pathlib import Path

from cognition.config import load_settings
from graphs.agent import Agent
from graphs.night import Night
from wiki.proposals import Queue
from wiki.store import init_wiki


def test_a_promoted_night_stages_dreams_and_the_briefing_names_them(home, tiny_model_dir):
    agent = Agent(load_settings(
        model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
        system1={"associate_tokens": 8, "answer_tokens": 8, "temperature": 1.0}, system2={"answer_tokens": 8},
        sleep={"rem_cycles_min": 1, "rem_cycles_max": 1, "iterations_per_cycle": 2, "batch_size": 4,
               "self_test_threshold": 0.0, "drift_bound": 1000.0, "quiz_drop_bound": 1.0, "anchor_weight": 0.0}))
    notes = Path(home) / "notes"
    notes.mkdir(parents=True)
    for title, text in {"Lighthouse": "A lighthouse is a tower with a bright lamp that guides ships at night.",
                        "Orchard": "An orchard is a planted field of fruit trees such as apples and pears.",
                        "Tide": "The tide is the daily rise and fall of the sea, pulled by the moon."}.items():
        (notes / f"{title}.md").write_text(text + "\n")
    init_wiki(agent.home.root, notes)
    for text in ("My sister Ilse lives in Ghent.", "I planted two pear trees this spring.",
                 "We walked to the lighthouse at low tide."):
        agent.diary.write("exchange", text, reply="Noted.")
    before = {p.name: p.read_bytes() for p in notes.iterdir()}
    try:
        state = Night(agent).run(priority=False)
    finally:
        agent.close()
    assert state["promoted"]
    staged = Queue(agent.home.root / "proposals").pending()
    assert state["dreams"] and sorted(d["id"] for d in state["dreams"]) == sorted(s.id for s in staged)
    assert all(s.proposal.kind == "dream" and s.proposal.author.system1 == state["version"] for s in staged)
    assert all(s.proposal.memories for s in staged)       # each drew on something said that day
    briefing = Path(state["briefing"]).read_text()
    assert "Dreams staged for review" in briefing and all(d["id"] in briefing for d in state["dreams"])
    assert {p.name: p.read_bytes() for p in notes.iterdir()} == before   # staged, never applied
