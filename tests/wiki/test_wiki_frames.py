"""Frames on the embedded default: an opening that never says what its node is gets one, taken
from a sentence of the node or composed from what its labelled links say, and the heartbeat
accepts a composed opening only when the wiki's own links say it."""

from __future__ import annotations

from pathlib import Path

from wiki.heartbeat import Heartbeat
from wiki.proposals import Author, Frame, Queue, new_id, now
from wiki.store import init_wiki
from wiki.worker import Worker, labelled_opening, labelled_links

NOTES = {
    # An opening that says nothing of what the node is; a labelled link does.
    "Lanner.md": "# Lanner\n\nMiscellaneous jottings, to be sorted some day.\n\n## See\n\n- Kind of: [[Falcon]]\n"
                 "- Seen in: [[Crete]]\n",
    # Only the other side says it: the falcon's page lists the merlin among its kinds.
    "Merlin.md": "# Merlin\n\nStuff I wrote down after the field trip.\n",
    "Falcon.md": "# Falcon\n\nA falcon is a bird of prey with long pointed wings.\n\n- Kinds: [[Merlin]], [[Lanner]]\n",
    # A front-matter property, written with an underscore.
    "Crete.md": "---\ntitle: Crete\npart_of: \"[[Greece]]\"\n---\nRead on for the trip's photos and the ferry times.\n",
    "Greece.md": "# Greece\n\nGreece is a country in the south-east of Europe.\n",
    # Links without a label say nothing of what the node is: no opening is invented.
    "Drafts.md": "# Drafts\n\nOdds and ends from the week.\n\n- [[Falcon]]\n- [[Greece]]\n",
    # A disambiguated title is named by its plain name: "A bass is …" names "Bass (fish)".
    "Bass (fish).md": "# Bass (fish)\n\nA bass is a lean-fleshed fish of lakes and rivers.\n\n- Kind of: [[Falcon]]\n",
}


def _wiki(tmp_path: Path):
    root = tmp_path / "notes"
    for name, text in NOTES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    wiki, _ = init_wiki(home, root)
    return root, home, wiki, Queue(home / "proposals").ensure()


def _frames(wiki, queue, home) -> dict[str, str]:
    worker = Worker(wiki, queue, home / "proposals")
    found = {}
    for node_id in worker.prepare():
        for p in worker.visit(node_id):
            if p.kind == "frame":
                found[p.node] = p.opening
            worker.stage(node_id, [p])
    return found


def test_labels_are_read_from_lines_fields_and_front_matter(tmp_path):
    _, _, wiki, _ = _wiki(tmp_path)
    nodes = {n.id: n for n in wiki.nodes()}
    assert labelled_links(nodes["Lanner"]) == [("kind of", "Falcon"), ("seen in", "Crete")]
    assert labelled_links(nodes["Crete"]) == [("part of", "Greece")]
    assert labelled_links(nodes["Falcon"]) == [("kinds", "Merlin"), ("kinds", "Lanner")]
    assert labelled_links(nodes["Drafts"]) == []


def test_the_worker_composes_an_opening_from_what_the_links_say(tmp_path):
    _, home, wiki, queue = _wiki(tmp_path)
    frames = _frames(wiki, queue, home)
    assert frames["Lanner"] == "Lanner is a kind of [[Falcon]]."           # its own label, not "seen in"
    assert frames["Merlin"] == "Merlin is a kind of [[Falcon]]."           # said on the falcon's page
    assert frames["Crete"] == "Crete is part of [[Greece]]."               # a front-matter property
    assert "Drafts" not in frames                                          # unlabelled links: nothing to say
    assert "Bass (fish)" not in frames and "Falcon" not in frames          # their openings name them


def test_the_heartbeat_merges_a_composed_opening_and_refuses_one_the_links_do_not_say(tmp_path):
    root, home, wiki, queue = _wiki(tmp_path)
    before = (root / "Merlin.md").read_bytes()
    _frames(wiki, queue, home)
    nodes = {n.id: n for n in wiki.nodes()}
    claimed = Frame(id=new_id("frame"), created=now(), author=Author(worker="test"), rationale="a test",
                    nodes={"Drafts": nodes["Drafts"].hash}, node="Drafts", opening="Drafts is a kind of [[Falcon]].")
    queue.stage(claimed)
    heartbeat = Heartbeat(wiki, queue, home / "proposals" / "merges")
    report = heartbeat.review()
    decisions = {d["id"]: d for d in report["decisions"]}
    assert decisions[claimed.id]["state"] == "rejected"                  # it only links the falcon, unlabelled
    merged = [s for s in queue.list("merged") if s.proposal.kind == "frame"]
    assert {s.proposal.node for s in merged} == {"Lanner", "Merlin", "Crete"}, decisions
    text = (root / "Merlin.md").read_text()
    assert "\n# Merlin\n\nMerlin is a kind of [[Falcon]].\n\nStuff I wrote down" in text   # it gained front matter
    for staged in reversed(queue.list("merged")):
        heartbeat.revert(staged.id)
    assert (root / "Merlin.md").read_bytes() == before


def test_a_composed_opening_names_at_most_two_of_a_relation_and_never_the_node_itself(tmp_path):
    _, _, wiki, _ = _wiki(tmp_path)
    nodes = {n.id: n for n in wiki.nodes()}
    resolver = wiki.resolver()
    assert labelled_opening(nodes["Drafts"], list(nodes.values()), resolver) is None
    assert labelled_opening(nodes["Falcon"], list(nodes.values()), resolver) is None   # "Kinds" points down
