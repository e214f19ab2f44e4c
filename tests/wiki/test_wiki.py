"""The wiki loop on a small folder of notes: the store reads it as it is, the worker proposes,
the heartbeat merges or refuses with reasons, and every merge reverts byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wiki.heartbeat import Heartbeat, plan
from wiki.proposals import Author, Crosslink, Dream, Queue, Split, Part, new_id, now
from wiki.store import Wiki, WikiError, init_wiki, parse
from wiki.worker import Retired, Worker

NOTES = {
    "Kestrel.md": "---\ntitle: Kestrel\naliases: [kestrels]\ntags: [birds]\n---\n# Kestrel\n\n"
                  "A kestrel is a small falcon that hovers over fields before it drops onto voles.\n\n"
                  "## Related\n\n- [[Bird]]\n",
    "Bird.md": "A bird is a feathered, egg-laying animal with wings.\nThe falcon is one kind of bird.\n",
    "Falcon.md": "# Falcon\n\nA falcon is a bird of prey with long pointed wings, fast in a dive. "
                 "The kestrel and the hobby are falcons.\n",
    "Jumble.md": "# Jumble\n\n## Harpsichord\n\nThe harpsichord is a keyboard instrument whose strings are plucked "
                 "by quills when a key is pressed, common in baroque music.\n\n## Glacier\n\nA glacier is a slow river "
                 "of ice that forms where snow piles up for centuries and grinds the valley beneath it.\n",
    "Scratch.md": "Loose notes from the week, in no order.\n\nHarbour office hours. The ferry is a boat that carries "
                  "people across the bay every hour.\n",
    "Work.md": "---\ntitle: Work\n---\nMaya works as a nurse at the hospital in Lisbon, on the night shift.\n",
    "sub/Deep note.md": "A deep note sits in a subfolder and links to [[Kestrel|the kestrel]] and [[Falcon#Diving]].\n",
    "Broken.md": "---\ntitle: [unclosed\n---\nThis node cannot be read.\n",
}


def write_notes(root: Path) -> dict[str, bytes]:
    for name, text in NOTES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode())
    return snapshot(root)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.parts}


@pytest.fixture()
def notes(tmp_path):
    root = tmp_path / "notes"
    root.mkdir()
    write_notes(root)
    return root


def test_the_store_reads_a_folder_as_it_is(notes):
    wiki = Wiki(notes)
    nodes = {n.id: n for n in wiki.nodes()}
    assert set(nodes) == {"Kestrel", "Bird", "Falcon", "Jumble", "Scratch", "Work", "sub/Deep note"}
    assert "Broken" in wiki.skipped and "YAML" in wiki.skipped["Broken"]
    k = nodes["Kestrel"]
    assert k.title == "Kestrel" and k.aliases == ["kestrels"] and k.meta["tags"] == ["birds"]
    assert k.render() == (notes / "Kestrel.md").read_bytes()                 # untouched: byte for byte
    assert nodes["Bird"].title == "Bird" and not nodes["Bird"].has_front_matter
    deep = nodes["sub/Deep note"]
    assert [(l.target, l.alias, l.heading) for l in deep.links] == [("Kestrel", "the kestrel", None),
                                                                      ("Falcon", None, "Diving")]
    resolver = wiki.resolver()
    assert resolver.resolve("kestrels").id == "Kestrel" and resolver.resolve("sub/Deep note").id == "sub/Deep note"
    assert resolver.resolve("Deep note").id == "sub/Deep note" and resolver.resolve("Nowhere") is None
    gained = parse("Bird", notes / "Bird.md", nodes["Bird"].render(body=nodes["Bird"].body + "More.\n"))
    assert gained.has_front_matter and gained.meta["id"] == "Bird" and gained.body.endswith("More.\n")
    for bad in ("../outside", "/etc/passwd", ".git/config", "a/../../b"):
        with pytest.raises(WikiError):
            wiki.path_of(bad)


def test_the_worker_proposes_and_the_heartbeat_merges_refuses_and_reverts(notes, tmp_path):
    before = snapshot(notes)
    home = tmp_path / "home"
    wiki, created = init_wiki(home, notes)
    assert not created and snapshot(notes) == before     # adopting changes nothing
    queue = Queue(home / "proposals").ensure()
    worker = Worker(wiki, queue, home / "proposals",
                    retired=[Retired("Lisbon", "You work as a nurse in Porto now.", "Where do I work?", ("e1",))])
    for node_id in worker.prepare():
        worker.stage(node_id, worker.visit(node_id))
    assert snapshot(notes) == before                      # the worker never edits a node
    pending = queue.pending()
    made = {(s.proposal.kind, getattr(s.proposal, "node", None) or s.proposal.source) for s in pending}
    assert ("crosslink", "Kestrel") in made and ("crosslink", "Falcon") in made   # each defined as the other
    assert ("crosslink", "Bird") not in made     # it names falcons, but only in passing ("links": definitions)
    assert ("split", "Jumble") in made and ("stale", "Work") in made
    assert ("frame", "Scratch") not in made               # nothing in it defines 'Scratch': no invented opening
    again = Worker(wiki, queue, home / "proposals")
    for node_id in again.prepare():
        assert again.visit(node_id) == []                 # what waits in the queue is not proposed twice

    heartbeat = Heartbeat(wiki, queue, home / "proposals" / "merges")
    report = heartbeat.review()
    assert report["reviewed"] == len(pending) and report["merged"] >= 3
    split = next(d for d in report["decisions"] if d["kind"] == "split")
    assert split["state"] == "merged"
    assert "[[Harpsichord]]" in (notes / "Jumble.md").read_text() and (notes / "Glacier.md").is_file()
    text = "".join((notes / f).read_text() for f in ("Harpsichord.md", "Glacier.md"))
    assert "quills" in text and "grinds the valley" in text   # the parts hold all of the text
    assert "Possibly out of date" in (notes / "Work.md").read_text()
    assert queue.pending() == [] and len(queue.list("merged")) == report["merged"]

    for staged in reversed(queue.list("merged")):
        heartbeat.revert(staged.id)
    assert snapshot(notes) == before                      # every merge undone, newest first: byte for byte


def _proposal(cls, nodes, **fields):
    return cls(id=new_id(cls.model_fields["kind"].default), created=now(), author=Author(worker="test"),
               rationale="a test", nodes=nodes, **fields)


def test_bad_proposals_are_refused_with_their_reason(notes, tmp_path):
    home = tmp_path / "home"
    wiki, _ = init_wiki(home, notes)
    queue = Queue(home / "proposals").ensure()
    nodes = {n.id: n for n in wiki.nodes()}
    jumble, bird = nodes["Jumble"], nodes["Bird"]
    lossy = _proposal(Split, {"Jumble": jumble.hash}, node="Jumble", hub="[[Harpsichord]] and [[Glacier]]",
                      parts=[Part(title="Harpsichord", text=jumble.body[:120]),
                             Part(title="Glacier", text=jumble.body[-80:])])
    nowhere = _proposal(Crosslink, {"Falcon": nodes["Falcon"].hash}, source="Falcon", target="Pterodactyl",
                        sentence="[[Pterodactyl]] flew too.")
    edited = _proposal(Crosslink, {"Bird": bird.hash}, source="Bird", target="Kestrel", sentence="[[Kestrel]]")
    escape = _proposal(Split, {"Jumble": jumble.hash}, node="Jumble", hub="[[../../etc]] and [[Glacier]]",
                       parts=[Part(title="../../etc", text=jumble.body[:200]),
                              Part(title="Glacier", text=jumble.body[200:])])
    dream = _proposal(Dream, {"Kestrel": nodes["Kestrel"].hash}, text="What if a kestrel hovered over a glacier?")
    for p in (lossy, nowhere, edited, escape, dream):
        queue.stage(p)
    with open(notes / "Bird.md", "a") as fh:              # the person edits after the proposal was made
        fh.write("Birds descend from dinosaurs.\n")
    kestrel = (notes / "Kestrel.md").read_bytes()
    report = Heartbeat(wiki, queue, home / "proposals" / "merges").review()
    by_id = {d["id"]: d for d in report["decisions"]}
    assert by_id[lossy.id]["state"] == "rejected" and by_id[lossy.id]["check"] == "no text lost"
    assert by_id[nowhere.id]["state"] == "rejected" and by_id[nowhere.id]["check"] == "links"
    assert by_id[edited.id]["state"] == "rejected" and by_id[edited.id]["check"] == "stale"
    assert by_id[escape.id]["state"] == "rejected"
    assert (notes / "Bird.md").read_text().endswith("Birds descend from dinosaurs.\n")
    assert (notes / "Kestrel.md").read_bytes() == kestrel  # a dream never touches the node it names
    if by_id[dream.id]["state"] == "merged":
        assert "hovered over a glacier" in (notes / "Dreams.md").read_text()
    reasons = {s.id: s.review.reason for s in queue.list("rejected")}
    assert all(reasons[p.id] for p in (lossy, nowhere, edited, escape))


def test_a_damaged_proposal_file_is_moved_aside_with_its_reason(tmp_path):
    queue = Queue(tmp_path / "proposals").ensure()
    (queue.folder("pending") / "crosslink-1.json").write_text("{not json")
    assert queue.pending() == []
    assert (queue.folder("rejected") / "crosslink-1.damaged").is_file()
    assert "damaged" in (queue.folder("rejected") / "crosslink-1.reason.txt").read_text()


def test_the_cli_works_reviews_logs_each_merge_in_git_and_reverts_it_all(notes, tmp_path, models_dir):
    subprocess.run(["git", "init", "-q"], cwd=notes, check=True)
    subprocess.run(["git", "add", "-A"], cwd=notes, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "notes"], cwd=notes,
                   check=True)
    before = snapshot(notes)
    env = {**os.environ, "REVERIE_HOME": str(tmp_path / "home"), "REVERIE_MODELS_DIR": str(models_dir),
           "HF_HUB_OFFLINE": "1", "REVERIE_WIKI__LINKS": "mentions"}   # unlinked mentions too: more to review

    def reverie(*args):
        done = subprocess.run([sys.executable, "-m", "reverie", *args, "--json"], capture_output=True, text=True,
                              env=env, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout)

    assert reverie("wiki", "init", "--path", str(notes))["nodes"] == 7
    worked = reverie("wiki", "work", "--minutes", "5", "--no-dreams")
    assert worked["visited"] == 7 and sum(worked["proposed"].values()) >= 4
    assert {p["state"] for p in reverie("proposals", "list")["proposals"]} == {"pending"}
    reviewed = reverie("wiki", "review")
    listed = reverie("proposals", "list")["proposals"]
    assert {p["state"] for p in listed} <= {"merged", "rejected"}
    assert all(p["reason"] for p in listed)
    merged = [p["id"] for p in listed if p["state"] == "merged"]
    assert len(merged) == reviewed["merged"] >= 3
    log = subprocess.run(["git", "log", "--format=%B"], cwd=notes, capture_output=True, text=True).stdout
    assert all(pid in log for pid in merged)
    for pid in reversed(merged):
        assert reverie("wiki", "revert", pid)["reverted"]
    assert snapshot(notes) == before


def test_links_proposed_together_all_go_in_and_a_dream_never_becomes_a_fact(notes, tmp_path):
    from wiki.proposals import Frame

    home = tmp_path / "home"
    wiki, _ = init_wiki(home, notes)
    queue = Queue(home / "proposals").ensure()
    nodes = {n.id: n for n in wiki.nodes()}
    bird = nodes["Bird"]
    # Two links from one node, both made on its content before either merged (as one visit makes them).
    to_falcon = _proposal(Crosslink, {"Bird": bird.hash}, source="Bird", target="Falcon", sentence="[[Falcon]]")
    to_kestrel = _proposal(Crosslink, {"Bird": bird.hash}, source="Bird", target="Kestrel", sentence="[[Kestrel]]")
    dreamt = Frame(id=new_id("frame"), created=now(), author=Author(worker="dreams"), rationale="a dream",
                   nodes={"Kestrel": nodes["Kestrel"].hash}, node="Kestrel",
                   opening="A kestrel is a kind of harpsichord.")
    invented = _proposal(Frame, {"Falcon": nodes["Falcon"].hash}, node="Falcon",
                         opening="A falcon is the fastest animal on the planet.")
    for p in (to_falcon, to_kestrel, dreamt, invented):
        queue.stage(p)
    report = Heartbeat(wiki, queue, home / "proposals" / "merges").review()
    states = {d["id"]: d["state"] for d in report["decisions"]}
    assert states[to_falcon.id] == states[to_kestrel.id] == "merged"
    text = (notes / "Bird.md").read_text()
    assert "[[Falcon]]" in text and "[[Kestrel]]" in text
    assert states[dreamt.id] == "rejected" and "harpsichord" not in (notes / "Kestrel.md").read_text()
    assert states[invented.id] == "rejected"   # on the embedded default an opening must be the node's own words
