"""`reverie eval wiki`: the wiki worker and the heartbeat, scored on a wiki with known answers.

A WordNet wiki (`eval.wiki_corpus`: held-out links, planted splits and frames, no fault of
our own making) is built into a fresh home's wiki folder; its truth is kept beside the
folder, where the worker cannot read it. Then, as the product runs it:

1. the worker (`graphs.wiki.work`, the product's loop) visits every node once, timed node by
   node; no System 1 (dreams need a promoted adapter), no retired values;
2. every proposal is scored against the truth. A crosslink is right when its undirected pair
   is a held-out one; a split when its node is a planted split (and its parts are checked
   against the planted parts); a frame when its node is a planted frame. What the corpus
   cannot score (a link between two breeds of one group, a grandparent) counts as a false
   positive, and is broken down by how far apart WordNet's relations put the two nodes, so a
   reader can judge it;
3. the heartbeat reviews the whole queue with the embedded judge (the embedded default has
   no capable System 2), timed; what it merged is scored as in 2;
4. the proposals the heartbeat must refuse (`Truth.bad`) are made into real proposals in a
   second fresh copy of the wiki and reviewed there; any that changes a node's text is a
   false accept;
5. a staleness check on a public persona: a node "About me" holds day 1's statements of
   fact, the days are curated night by night (no training) through the real replay buffer,
   and after each night the worker, given what the replay buffer says was retired, visits
   the node. The persona's update and correction probes say which sentence should be
   flagged after which day.

Targets (met or missed, never tuned for: no rule in the worker or heartbeat names WordNet or
its words): crosslink and split precision at least 0.8, no false accept, the heartbeat at
least 300 proposals an hour, a full worker cycle within 3 hours. Timings name the CPU.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from statistics import mean, median
from typing import Callable

from eval.retention import fresh_home
from wiki.worker import Worker

TARGETS = {"crosslink_precision": 0.8, "split_precision": 0.8, "false_accepts": 0, "reviews_per_hour": 300.0,
           "full_cycle_hours": 3.0}
SCORED = ("crosslink", "split", "frame")
PERSONA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "days" / "persona-a.json"
CHECKS = ("stale", "applies", "no text lost", "links", "front matter", "judge")   # the heartbeat's, cheapest first


@dataclass(frozen=True)
class WikiEvalArgs:
    nodes: int = 1000
    seed: int = 0
    minutes: float | None = None        # bound on the worker's run; the full cycle is then extrapolated
    review_max: int | None = None       # review at most this many proposals (None: the whole queue)
    review_minutes: float | None = None  # bound on the heartbeat's run
    stale_days: Path | None = PERSONA   # a days file for the staleness check; None skips it
    embedder: str = "all-MiniLM-L6-v2"

    def __post_init__(self):
        if self.nodes < 1:
            raise ValueError(f"nodes must be at least 1, got nodes={self.nodes}")
        for name in ("minutes", "review_minutes"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, got {name}={value}")
        if self.review_max is not None and self.review_max < 0:
            raise ValueError(f"review_max must be 0 or more, got review_max={self.review_max}")


class TimedWorker(Worker):
    """The product's worker, remembering how long `prepare` (reading and embedding the wiki) took."""

    prepare_seconds: float | None = None
    prepared_at: float | None = None

    def prepare(self) -> list[str]:
        started = time.perf_counter()
        order = super().prepare()
        self.prepared_at = time.perf_counter()
        self.prepare_seconds = self.prepared_at - started
        return order


# -- the run ----------------------------------------------------------------------------------------


def run(args: WikiEvalArgs, out: Path | None = None, progress: Callable[[str], None] = lambda s: None,
        keep_homes: Path | None = None) -> dict:
    """Build, work, score, review, plant, check staleness; the report's JSON (and files in `out`)."""
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    if keep_homes is not None:
        _refuse_git(Path(keep_homes))
    result: dict = {"eval": "wiki", "args": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(args).items()}}
    with fresh_home(keep_homes, "reverie-wiki-eval-") as home:
        result.update(bench(home, args, progress))
    with fresh_home(keep_homes, "reverie-wiki-planted-") as home:
        progress("planted bad proposals")
        result["planted"] = planted(home, args)
    if args.stale_days is not None:
        with fresh_home(keep_homes, "reverie-wiki-stale-") as home:
            result["stale_check"] = stale_check(Path(args.stale_days), home, args.embedder, progress)
    else:
        result["stale_check"] = None
    result["targets"] = targets(result)
    result["machine"] = machine(load_before)
    result["seconds"] = round(time.perf_counter() - started, 1)
    if out is not None:
        write_report(result, Path(out))
    return result


def _refuse_git(path: Path) -> None:
    """Merges commit when the wiki is in a git work tree: never let the benchmark commit into one."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path, capture_output=True,
                                text=True, timeout=30).stdout.strip() == "true"
    except (OSError, subprocess.SubprocessError):
        inside = False
    if inside:
        raise ValueError(f"keep_homes={path} is inside a git work tree; the heartbeat's merges would be committed "
                         "there: choose a folder outside any repository")


def bench(home: Path, args: WikiEvalArgs, progress: Callable[[str], None]) -> dict:
    from eval.wiki_corpus import build_wiki, corpus_stats
    from wiki.heartbeat import Heartbeat
    from wiki.proposals import Queue
    from wiki.store import init_wiki

    progress(f"building a {args.nodes}-node wiki (seed {args.seed})")
    truth = build_wiki(home / "wiki", nodes=args.nodes, seed=args.seed)
    (home / "truth.json").write_text(truth.to_json(), encoding="utf-8")   # outside the wiki folder
    wiki, _ = init_wiki(home, home / "wiki")
    graph = relation_graph(home / "wiki", truth)
    queue = Queue(home / "proposals").ensure()
    worker = TimedWorker(wiki, queue, home / "proposals", embedder=args.embedder, retired=[], associate=None)
    work = run_worker(worker, args.minutes, progress)
    proposals = [s.proposal for s in queue.pending()]
    scores = score(proposals, truth, graph)
    progress(f"heartbeat over {len(proposals)} proposals")
    heartbeat = Heartbeat(wiki, queue, home / "proposals" / "merges", judge=None, embedder=args.embedder)
    reviewed = run_heartbeat(heartbeat, args, progress)
    return {"corpus": corpus_stats(home / "wiki", truth), "worker": work, "scores": scores,
            "heartbeat": score_reviews(reviewed, {p.id: p for p in proposals}, truth, graph)}


def run_worker(worker: TimedWorker, minutes: float | None, progress: Callable[[str], None]) -> dict:
    """One cycle of the product's loop over every node (or for `minutes`), with each node's time."""
    from graphs.wiki import WikiContext, work

    stamps: list[float] = []

    def on_event(event: dict) -> None:
        stamps.append(time.perf_counter())
        if event["visited"] % 50 == 0 or event["visited"] == event["of"]:
            progress(f"worker: {event['visited']}/{event['of']} nodes")

    done = work(WikiContext(worker=worker, on_event=on_event), minutes=minutes, max_nodes=None)
    per_node = [b - a for a, b in zip([worker.prepared_at, *stamps], stamps)] if stamps else []
    nodes, visited = done["nodes"], done["visited"]
    prepare = worker.prepare_seconds or 0.0
    full = done["seconds"] if visited >= nodes else (prepare + mean(per_node) * nodes if per_node else None)
    return {"nodes": nodes, "visited": visited, "share_visited": round(visited / nodes, 4) if nodes else None,
            "seconds": done["seconds"], "prepare_seconds": round(prepare, 2),
            "visit_seconds": round(sum(per_node), 2), "per_node": _spread(per_node),
            "full_cycle_seconds": round(full, 1) if full is not None else None,
            "full_cycle_extrapolated": visited < nodes, "proposed": done["proposed"],
            "per_node_seconds": [round(x, 4) for x in per_node], "skipped": done["skipped"]}


def run_heartbeat(heartbeat, args: WikiEvalArgs, progress: Callable[[str], None]) -> dict:
    deadline = time.time() + args.review_minutes * 60 if args.review_minutes else None
    stamps: list[float] = []

    def on_event(decision: dict) -> None:
        stamps.append(time.perf_counter())
        if len(stamps) % 50 == 0:
            progress(f"heartbeat: {len(stamps)} reviewed")

    started = time.perf_counter()
    result = heartbeat.review(args.review_max, on_event=on_event,
                              should_stop=lambda: deadline is not None and time.time() > deadline)
    result["per_review"] = _spread([b - a for a, b in zip([started, *stamps], stamps)])
    result["pending_after"] = len(heartbeat.queue.pending())
    return result


def _spread(xs: list[float]) -> dict:
    if not xs:
        return {"count": 0, "mean": None, "median": None, "p90": None, "max": None}
    ordered = sorted(xs)
    return {"count": len(xs), "mean": round(mean(xs), 4), "median": round(median(xs), 4),
            "p90": round(ordered[min(len(xs) - 1, int(0.9 * len(xs)))], 4), "max": round(ordered[-1], 4)}


# -- scoring ----------------------------------------------------------------------------------------


def relation_graph(root: Path, truth) -> dict[str, set[str]]:
    """Every WordNet relation between two nodes: the links written in the files and the held-out ones."""
    from eval.wiki_corpus import WIKILINK

    graph: dict[str, set[str]] = defaultdict(set)
    pairs = list(truth.crosslinks)
    for path in sorted(Path(root).glob("*.md")):
        pairs += [(path.stem, t.strip()) for t in WIKILINK.findall(path.read_text(encoding="utf-8"))]
    for a, b in pairs:
        if a != b:
            graph[a].add(b)
            graph[b].add(a)
    graph["__written__"] = {f"{a}\0{b}" for a, b in (tuple(sorted(p)) for p in pairs[len(truth.crosslinks):])}
    return graph


def distance(graph: dict[str, set[str]], a: str, b: str, limit: int = 3) -> int | None:
    """Steps between two nodes along WordNet's relations, up to `limit` (None: farther or unconnected)."""
    frontier, seen = {a}, {a}
    for step in range(1, limit + 1):
        frontier = {n for f in frontier for n in graph.get(f, ()) if n not in seen}
        if b in frontier:
            return step
        seen |= frontier
    return None


def _why(pair_distance: int | None, written: bool) -> str:
    if written:
        return "already linked (written in the node)"
    return {2: "two steps apart (siblings, grandparent)", 3: "three steps apart"}.get(
        pair_distance, "unrelated by WordNet within three steps")


def score(proposals: list, truth, graph: dict[str, set[str]]) -> dict:
    """Each kind's proposals against the truth: precision, recall, and what the false positives are."""
    held = set(truth.crosslinks)
    by_kind = defaultdict(list)
    for p in proposals:
        by_kind[p.kind].append(p)
    out = {"crosslink": _score_crosslinks(by_kind["crosslink"], held, graph),
           "split": _score_splits(by_kind["split"], truth),
           "frame": _score_frames(by_kind["frame"], truth)}
    for kind in ("stale", "dream"):   # the corpus plants no stale claim, and no dream is made here
        out[kind] = {"proposed": len(by_kind[kind]), "true_positive": 0, "precision": None, "truth": 0,
                     "recall": None, "note": "the corpus holds no truth for this kind; every one would be unscored"}
    return out


def crosslink_pair(p) -> tuple[str, str]:
    return tuple(sorted((p.source, p.target)))


def _rate(hits: int, of: int) -> float | None:
    return round(hits / of, 4) if of else None


def _score_crosslinks(proposals: list, held: set, graph: dict) -> dict:
    written = graph.get("__written__", set())
    tp, reasons, false = 0, defaultdict(Counter), Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for p in proposals:
        pair = crosslink_pair(p)
        hit = pair in held
        tp += hit
        reason = "mention" if " mentions " in p.rationale else "neighbour"
        reasons[reason]["proposed"] += 1
        reasons[reason]["true_positive"] += hit
        if not hit:
            why = _why(distance(graph, *pair), "\0".join(pair) in written)
            false[why] += 1
            if len(examples[why]) < 8:
                examples[why].append(f"{p.source} → {p.target} ({p.rationale})")
    found = {crosslink_pair(p) for p in proposals} & held
    return {"proposed": len(proposals), "true_positive": tp, "precision": _rate(tp, len(proposals)),
            "truth": len(held), "found": len(found), "recall": _rate(len(found), len(held)),
            "by_reason": {r: {**c, "precision": _rate(c["true_positive"], c["proposed"])} for r, c in reasons.items()},
            "false_positives": dict(false), "false_positive_examples": dict(examples)}


def _plain_words(text: str) -> list[str]:
    """A part's words without its heading lines: the corpus' parts carry none, the worker's do."""
    return re.findall(r"\S+", "\n".join(l for l in text.splitlines() if not re.match(r"#{1,6}\s", l)))


def _score_splits(proposals: list, truth) -> dict:
    tp, parts_match, titles_match, details = 0, 0, 0, []
    for p in proposals:
        planted = truth.splits.get(p.node)
        tp += planted is not None
        if planted is None:
            details.append({"node": p.node, "planted": False, "parts": [x.title for x in p.parts]})
            continue
        want = planted["parts"]
        texts = len(p.parts) == len(want) and all(_plain_words(x.text) == _plain_words(w["text"])
                                                   for x, w in zip(p.parts, want))
        titles = len(p.parts) == len(want) and all(x.title.casefold() == w["title"].casefold()
                                                    for x, w in zip(p.parts, want))
        parts_match += texts
        titles_match += titles
        details.append({"node": p.node, "planted": True, "parts_match": texts, "titles_match": titles,
                        "parts": [x.title for x in p.parts], "planted_parts": [w["title"] for w in want]})
    found = {p.node for p in proposals} & set(truth.splits)
    return {"proposed": len(proposals), "true_positive": tp, "precision": _rate(tp, len(proposals)),
            "truth": len(truth.splits), "found": len(found), "recall": _rate(len(found), len(truth.splits)),
            "parts_match": parts_match, "titles_match": titles_match, "details": details}


def _score_frames(proposals: list, truth) -> dict:
    frames = set(truth.frames)
    tp = sum(p.node in frames for p in proposals)
    same = sum(" ".join(p.opening.split()) == " ".join(truth.frame_openings.get(p.node, "").split())
               for p in proposals if p.node in frames)
    found = {p.node for p in proposals} & frames
    return {"proposed": len(proposals), "true_positive": tp, "precision": _rate(tp, len(proposals)),
            "truth": len(frames), "found": len(found), "recall": _rate(len(found), len(frames)),
            "opening_matches": same,
            "details": [{"node": p.node, "planted": p.node in frames, "opening": p.opening} for p in proposals]}


def score_reviews(reviewed: dict, proposals: dict, truth, graph: dict) -> dict:
    """The heartbeat's decisions by kind and by check, the precision of what it merged, its pace."""
    held, splits, frames = set(truth.crosslinks), set(truth.splits), set(truth.frames)
    right = {"crosslink": lambda p: crosslink_pair(p) in held, "split": lambda p: p.node in splits,
             "frame": lambda p: p.node in frames}
    by_kind: dict[str, Counter] = defaultdict(Counter)
    merged_right: dict[str, Counter] = defaultdict(Counter)
    touched: set[str] = set()
    after_sibling = 0
    for d in reviewed["decisions"]:
        p = proposals.get(d["id"])
        outcome = "merged" if d["state"] == "merged" else d.get("check") or "rejected"
        by_kind[d["kind"]][outcome] += 1
        if p is None:
            continue
        if outcome == "stale" and set(p.touched()) & touched:
            after_sibling += 1   # a proposal from the same visit merged first and changed the node
        if d["state"] == "merged":
            touched |= set(p.touched())
            if p.kind in right:
                merged_right[p.kind]["merged"] += 1
                merged_right[p.kind]["true"] += right[p.kind](p)
        elif p.kind in right and right[p.kind](p):
            merged_right[p.kind]["true_rejected"] += 1
    merged = {k: {"merged": c["merged"], "true": c["true"], "precision": _rate(c["true"], c["merged"]),
                  "true_rejected": c["true_rejected"]} for k, c in merged_right.items()}
    by_check = Counter()
    for c in by_kind.values():
        by_check.update({k: v for k, v in c.items() if k != "merged"})
    return {"reviewed": reviewed["reviewed"], "merged": reviewed["merged"], "rejected": reviewed["rejected"],
            "seconds": reviewed["seconds"], "per_hour": reviewed.get("per_hour"),
            "per_review": reviewed["per_review"], "pending_after": reviewed["pending_after"],
            "by_kind": {k: dict(c) for k, c in sorted(by_kind.items())}, "by_check": dict(by_check),
            "merged_precision": merged, "stale_after_sibling_merge": after_sibling,
            "busy": reviewed.get("busy")}


# -- the proposals the heartbeat must refuse --------------------------------------------------------


def planted(home: Path, args: WikiEvalArgs) -> dict:
    """`Truth.bad` made into real proposals in a fresh copy of the same wiki, reviewed there alone.

    A false accept is a planted proposal whose merge changed a node's text. A dream is the
    one kind the heartbeat may accept: accepted, it must land on the Dreams page and nowhere
    else. A variant the product never makes on its own follows: the dream's sentence offered
    as a frame (a new opening) by the dreams author, to see whether anything stops a dream
    that arrives dressed as an edit; it is reported apart from the planted four."""
    from eval.wiki_corpus import build_wiki
    from wiki.heartbeat import Heartbeat
    from wiki.proposals import Author, Queue
    from wiki.store import init_wiki

    truth = build_wiki(home / "wiki", nodes=args.nodes, seed=args.seed)
    wiki, _ = init_wiki(home, home / "wiki")
    queue = Queue(home / "proposals").ensure()
    heartbeat = Heartbeat(wiki, queue, home / "proposals" / "merges", judge=None, embedder=args.embedder)
    author = Author(worker="eval-wiki")
    cases = [_bad_proposal(bad, wiki, author) for bad in truth.bad]
    outcomes = _review_cases(cases, wiki, queue, heartbeat)
    variants = []
    dream = next((bad for bad in truth.bad if bad["kind"] == "dream"), None)
    if dream is not None:
        variants = _review_cases([_dream_as_frame(dream, wiki)], wiki, queue, heartbeat)
    return {"proposals": len(outcomes), "false_accepts": sum(o["false_accept"] for o in outcomes),
            "refused": sum(o["state"] == "rejected" for o in outcomes),
            "as_expected": sum(o["as_expected"] for o in outcomes), "outcomes": outcomes,
            "variants": variants, "variant_false_accepts": sum(o["false_accept"] for o in variants)}


@dataclass
class _Case:
    bad: dict
    proposal: object
    expected: str                       # the check that should refuse it, or "dreams page"
    control: str | None = None          # the same proposal without its fault, through the cheap checks
    edit_after: dict | None = None
    variant: str | None = None


def _new(cls, author, rationale: str, nodes: dict, **fields):
    from wiki.proposals import new_id, now

    return cls(id=new_id(cls.model_fields["kind"].default), created=now(), author=author, rationale=rationale,
               nodes=nodes, **fields)


def _bad_proposal(bad: dict, wiki, author) -> _Case:
    from wiki.proposals import Crosslink, Dream, Part, Split

    node = wiki.node(bad["node"])
    if node is None:
        raise ValueError(f"the planted proposal names {bad['node']!r}, which the built wiki does not hold")
    nodes = {node.id: node.hash}
    if bad["kind"] == "split":
        resolver = wiki.resolver()
        titles = [p["title"] if resolver.resolve(p["title"]) is None else f"{p['title']} (part {k})"
                  for k, p in enumerate(bad["parts"], 1)]
        texts = _cut(node.body, [p["title"] for p in bad["parts"]])
        lossy = [texts[0].replace(bad["lost"], "", 1), *texts[1:]]
        hub = f"# {node.title}\n\n{node.title} was split into " + " and ".join(f"[[{t}]]" for t in titles) + "."
        make = lambda parts: _new(Split, author, bad["why"], nodes, node=node.id, hub=hub,  # noqa: E731
                                  parts=[Part(title=t, text=x) for t, x in zip(titles, parts)])
        return _Case(bad, make(lossy), "no text lost", control=_cheap(make(texts), wiki))
    if bad["kind"] == "dream":
        return _Case(bad, _new(Dream, author, bad["why"], nodes, text=bad["dream"]), "dreams page")
    link = _new(Crosslink, author, bad["why"], nodes, source=node.id, target=bad["target"],
                sentence=f"[[{bad['target']}]]")
    if bad.get("edit_after"):
        return _Case(bad, link, "stale", control=_cheap(link, wiki), edit_after=bad["edit_after"])
    return _Case(bad, link, "links")


def _dream_as_frame(bad: dict, wiki) -> _Case:
    from wiki.proposals import Author, Frame

    node = wiki.node(bad["patch"]["node"])
    frame = _new(Frame, Author(worker="dreams"), f"a dream offered as a fact: {bad['dream']}", {node.id: node.hash},
                 node=node.id, opening=bad["patch"]["append"])
    return _Case(bad, frame, "any refusal", variant="the dream's sentence as a new opening (a Frame by the dreams author)")


def _cut(body: str, titles: list[str]) -> list[str]:
    """The body cut where each part's `## title` heading starts (the first part keeps what comes before)."""
    starts = [m.start() for t in titles[1:] for m in [re.search(rf"^## {re.escape(t)}[ \t]*$", body, re.MULTILINE)] if m]
    if len(starts) != len(titles) - 1:
        raise ValueError(f"the planted split's headings {titles} are not all in the node")
    bounds = [0, *starts, len(body)]
    return [body[a:b] for a, b in zip(bounds, bounds[1:])]


def _cheap(proposal, wiki) -> str:
    """Whether a proposal passes the heartbeat's cheap checks (nothing is written)."""
    from wiki.heartbeat import Refused, plan

    try:
        plan(proposal, wiki, wiki.resolver())
    except Refused as exc:
        return f"refused ({exc.check}: {exc.reason})"
    return "passes the cheap checks"


def _review_cases(cases: list[_Case], wiki, queue, heartbeat) -> list[dict]:
    files = lambda: {p.relative_to(wiki.root).as_posix(): p.read_bytes() for p in wiki.root.rglob("*.md")}  # noqa: E731
    for case in cases:
        queue.stage(case.proposal)
    for case in cases:
        if case.edit_after:   # the person edits the node between the proposal and its review
            path = wiki.path_of(case.edit_after["node"])
            path.write_bytes(path.read_bytes().rstrip(b"\n") + b"\n\n" + case.edit_after["append"].encode() + b"\n")
    before = files()
    decisions = {d["id"]: d for d in heartbeat.review()["decisions"]}
    after = files()
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    outcomes = []
    for case in cases:
        d = decisions.get(case.proposal.id, {"state": "pending", "check": None, "reason": "not reviewed"})
        touched = sorted(d.get("files") or []) if d["state"] == "merged" else []
        into_nodes = [f for f in touched if f != "Dreams.md"]
        dreams = after.get("Dreams.md", b"").decode("utf-8")
        if case.expected == "dreams page":
            node_file = wiki.path_of(case.bad["node"]).relative_to(wiki.root).as_posix()
            fine = not into_nodes and node_file not in changed and (d["state"] == "rejected" or case.bad["dream"] in dreams)
        elif case.expected == "any refusal":
            fine = d["state"] == "rejected"
        else:
            fine = d["state"] == "rejected" and d.get("check") == case.expected
        outcomes.append({"kind": case.bad["kind"], "proposal": case.proposal.kind, "node": case.bad["node"],
                         "why": case.bad["why"], "expected": case.expected, "state": d["state"],
                         "check": d.get("check"), "reason": d.get("reason"), "files_written": touched,
                         "false_accept": bool(into_nodes), "as_expected": fine, "control": case.control,
                         **({"variant": case.variant} if case.variant else {}),
                         **({"on_dreams_page": case.bad["dream"] in dreams} if case.bad["kind"] == "dream" else {})})
    return outcomes


# -- staleness on a persona's days ------------------------------------------------------------------


def stale_check(days: Path, home: Path, embedder: str = "all-MiniLM-L6-v2",
                progress: Callable[[str], None] = lambda s: None) -> dict:
    """Does the worker flag a day-1 fact as out of date after the day that changes it?

    The node "About me" holds day 1's user messages that state facts (as `perceive` reads
    them). Each day is curated as the sleep graph curates it (no training) into the replay
    buffer, and then the worker, given the retired values `graphs.wiki.retired_values` reads
    from that buffer (the product's path), visits the node. The persona's update and
    correction probes whose old value a node sentence states say what should be flagged, and
    after which day (`learned_on`)."""
    from types import SimpleNamespace

    from cognition.perceive import perceive
    from consolidation.curate import curate
    from consolidation.dataset import ReplayBuffer
    from eval.curation import days_source
    from eval.retention import load_days, probes_of
    from graphs.wiki import WikiContext, retired_values, work
    from wiki.proposals import Queue
    from wiki.store import init_wiki

    data, source = load_days(days), days_source(days)
    facts = [t for t in data["days"][0]["turns"] if perceive(t).category == "fact"] if data["days"] else []
    wiki, _ = init_wiki(home, home / "wiki")
    (wiki.root / "About me.md").write_text("# About me\n\n" + "\n\n".join(facts) + "\n", encoding="utf-8")
    expected = [{"probe": p.id, "kind": p.kind, "value": value, "day": p.learned_on, "sentence": s}
                for p in probes_of(data) if p.kind in ("update", "correction")
                for value in p.forbidden for s in facts if value.casefold() in s.casefold()]
    replay = ReplayBuffer(home / "replay.jsonl")
    agent = SimpleNamespace(user_home=SimpleNamespace(replay=replay.path))   # all retired_values reads of an agent
    queue = Queue(home / "proposals").ensure()
    nights, flags = [], []
    for n, night in enumerate(source.nights, 1):
        progress(f"stale check: {source.name} night {n}/{len(source.nights)}")
        curated = curate(night.items, prior=replay.examples(), night=night.date)
        replay.add(curated.examples, curated.retired, night=night.date)
        retired = retired_values(agent)
        before = {s.id for s in queue.list()}
        work(WikiContext(worker=Worker(wiki, queue, home / "proposals", embedder=embedder, retired=retired)))
        for staged in queue.list():
            p = staged.proposal
            if p.id not in before and p.kind == "stale":
                value = next((e.removeprefix("retired: ") for e in p.evidence if e.startswith("retired: ")), "")
                flags.append({"night": n, "date": night.date, "value": value, "claim": p.claim, "why": p.why})
        nights.append({"night": n, "date": night.date, "curation_retired": list(curated.retired),
                       "worker_given": sorted({r.value for r in retired})})
    return {"days": str(days), "name": source.name, "node_sentences": facts, "nights": nights, "flags": flags,
            "expected": [_expected_outcome(e, flags, nights) for e in expected],
            "unexpected_flags": [f for f in flags if not any(f["value"].casefold() == e["value"].casefold()
                                                             for e in expected)],
            **_stale_summary(expected, flags, nights)}


def _first_night(nights: list[dict], key: str, value: str) -> int | None:
    return next((n["night"] for n in nights if value.casefold() in {v.casefold() for v in n[key]}), None)


def _expected_outcome(e: dict, flags: list[dict], nights: list[dict]) -> dict:
    flagged = next((f["night"] for f in flags if f["value"].casefold() == e["value"].casefold()), None)
    retired, given = _first_night(nights, "curation_retired", e["value"]), _first_night(nights, "worker_given", e["value"])
    if flagged is not None:
        why = "flagged" + (" on time" if flagged == e["day"] else f" after day {flagged}, expected after day {e['day']}")
    elif retired is None:
        why = "curation never retired the old value"
    elif given is None:
        why = (f"curation retired it on night {retired}, but no replay record carries it in `retires`, so "
               "graphs.wiki.retired_values never gives it to the worker")
    else:
        why = (f"the worker was given it from night {given} but did not flag the sentence (it shares no word "
               "with what replaced it)")
    return {**e, "flagged_after_day": flagged, "curation_retired_on": retired, "worker_given_on": given,
            "on_time": flagged == e["day"], "outcome": why}


def _stale_summary(expected: list[dict], flags: list[dict], nights: list[dict]) -> dict:
    found = [e for e in expected if any(f["value"].casefold() == e["value"].casefold() for f in flags)]
    updates = [e for e in expected if e["kind"] == "update"]
    return {"expected_flags": len(expected), "flagged": len(found),
            "updates_expected": len(updates),
            "updates_flagged": sum(e in found for e in updates)}
