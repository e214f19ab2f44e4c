"""Which crosslinks the worker proposes: what a node's defining sentence says it is, the sense a
shared name means, nothing already two of its own steps away, and looser evidence only when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from wiki.proposals import Queue
from wiki.store import Wiki
from wiki.worker import Worker, WorkerSettings, defining_nouns

NOTES = {
    "Sloop": "# Sloop\n\nA sloop is a small sailing boat with one mast and a single headsail.\n",
    "Sailing boat": "# Sailing boat\n\nA sailing boat is a boat driven by the wind on its sails.\n\n"
                    "## Related\n\n- [[Boat]]\n",
    "Boat": "# Boat\n\nA boat is a vessel for travelling over water.\n\n## Related\n\n- [[Sailing boat]]\n",
    "Ketch": "# Ketch\n\nA ketch is a boat with two masts.\n\n## Related\n\n- [[Sailing boat]]\n",
    "Harbour": "# Harbour\n\nA harbour is a sheltered stretch of water where a sloop or a ferry can moor.\n",
    "Ferry": "# Ferry\n\nA ferry is a type of boat that carries passengers across water on a timetable.\n",
    "Mast (sailing)": "# Mast (sailing)\n\nA mast is a tall upright pole that carries the sails of a boat.\n",
    "Mast": "# Mast\n\nA mast is the fruit of beech and oak trees, eaten by pigs in autumn woods.\n",
    "Rigging": "# Rigging\n\nRigging is the ropes and wires that hold a mast up and work the sails.\n",
    "Log": "# Log\n\nSailed the sloop, the ketch and the ferry this week; see [[Sloop]], [[Ketch]], [[Ferry]].\n",
}


@pytest.fixture()
def worker(tmp_path):
    def make(links: str = "definitions") -> Worker:
        root = tmp_path / links
        root.mkdir()
        for name, text in NOTES.items():
            (root / f"{name}.md").write_text(text, encoding="utf-8")
        w = Worker(Wiki(root), Queue(tmp_path / f"{links}-proposals").ensure(), tmp_path / f"{links}-state",
                   settings=WorkerSettings(links=links, crosslinks_per_visit=5))
        w.prepare()
        return w
    return make


def proposed(w: Worker) -> set[tuple[str, str]]:
    return {(p.source, p.target) for n in w.ids for p in w.visit(n) if p.kind == "crosslink"}


def test_the_defining_noun_is_what_the_subject_is_said_to_be():
    def heads(sentence):
        return [sentence[i:].split()[0].strip(".,;") for i in defining_nouns(sentence)]

    assert heads("A sloop is a small sailing boat with one mast.") == ["boat"]
    assert heads("A ferry is a type of boat that carries passengers.") == ["boat"]      # through a class noun
    assert heads("A tender is any of various small boats kept aboard a ship.") == ["boats"]
    assert heads("A coracle is a boat or basket woven from willow.") == ["boat", "basket"]
    assert heads("Sailed the sloop all week with my brother.") == []                    # not a definition


def test_a_node_is_linked_to_what_its_definition_says_it_is(worker):
    links = proposed(worker())
    assert ("Sloop", "Sailing boat") in links            # the longest title holding "boat": not Boat
    assert ("Ferry", "Boat") in links
    assert ("Sailing boat", "Boat") not in links          # already linked
    assert ("Ketch", "Boat") not in links                 # it links Sailing boat, which links Boat: a grandparent
    assert ("Harbour", "Sloop") not in links              # named in passing, not what a harbour is
    assert not {(a, b) for a, b in links if b == "Log"}   # a note that links to all joins none of them


def test_a_shared_name_means_the_sense_nearest_the_node(worker):
    w = worker("mentions")
    links = proposed(w)
    assert ("Rigging", "Mast (sailing)") in links and ("Rigging", "Mast") not in links
    assert ("Harbour", "Sloop") in links and ("Harbour", "Ferry") in links        # unlinked mentions, asked for


def test_each_looser_evidence_adds_to_the_surer(worker):
    strict, loose, loosest = proposed(worker()), proposed(worker("mentions")), proposed(worker("neighbours"))
    assert strict < loose <= loosest
    with pytest.raises(ValueError, match="definitions, mentions, neighbours"):
        WorkerSettings(links="everything")


SPICE_RACK = {
    "Spice": "# Spice\n\nA spice is a dried seed, root or bark used to flavour food.\n",
    # The title says what it is: a seed spice is a spice (no sentence or link has to).
    "Seed spice": "# Seed spice\n\nAny of numerous dried seeds ground or used whole in cooking.\n\n- Kinds: [[Cumin]]\n",
    "Cumin": "# Cumin\n\nCumin is an aromatic spice from a plant of the parsley family.\n\n- Kind of: [[Seed spice]]\n",
    # Its definition names a wider class than its labelled one: "spice" is a grandparent.
    "Nigella": "# Nigella\n\nNigella is a black spice with an onion-like bite.\n\n- Kind of: [[Black seed]]\n",
    "Black seed": "# Black seed\n\nA black seed is a small dark seed used as a spice.\n",
    # Nothing says what it is but its definition: that is what it gets linked to.
    "Mace": "# Mace\n\nMace is a spice made from the red covering of the nutmeg seed.\n",
    # Sumac's label names its class; its definition's "bark spice" is another note, not its parent.
    "Bark spice": "# Bark spice\n\nA bark spice is a spice cut from the inner bark of trees.\n",
    "Sumac": "# Sumac\n\nSumac is a sour bark spice.\n\n- Kind of: [[Spice]]\n",
}


def test_a_title_or_a_label_that_says_the_class_leaves_no_grandparent_link(tmp_path):
    root = tmp_path / "rack"
    root.mkdir()
    for name, text in SPICE_RACK.items():
        (root / f"{name}.md").write_text(text, encoding="utf-8")
    w = Worker(Wiki(root), Queue(tmp_path / "p").ensure(), tmp_path / "s", settings=WorkerSettings(crosslinks_per_visit=5))
    w.prepare()
    links = proposed(w)
    assert ("Mace", "Spice") in links                    # the control: a definition alone still links
    assert ("Cumin", "Spice") not in links               # its class, Seed spice, is a spice by its title
    assert ("Nigella", "Spice") not in links             # its label already names its class
    assert ("Sumac", "Bark spice") not in links          # labelled a kind of Spice already
    assert w.kinds(w.by_id["Seed spice"]) == ["spice"]
