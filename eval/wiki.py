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
from wiki.worker import Worker, WorkerSettings

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
    links: str = "definitions"          # the worker's evidence for a crosslink (`wiki.links`)

    def __post_init__(self):
        if self.nodes < 1:
            raise ValueError(f"nodes must be at least 1, got nodes={self.nodes}")
        for name in ("minutes", "review_minutes"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, got {name}={value}")
        WorkerSettings(links=self.links)   # says what is wrong with it
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
    corpus = corpus_stats(home / "wiki", truth)   # before any merge adds part nodes
    relations = relation_graph(home / "wiki", truth)
    queue = Queue(home / "proposals").ensure()
    worker = TimedWorker(wiki, queue, home / "proposals", embedder=args.embedder, retired=[], associate=None,
                         settings=WorkerSettings(links=args.links))
    work = run_worker(worker, args.minutes, progress)
    proposals = [s.proposal for s in queue.pending()]
    scores = score(proposals, truth, relations)
    progress(f"heartbeat over {len(proposals)} proposals")
    heartbeat = Heartbeat(wiki, queue, home / "proposals" / "merges", judge=None, embedder=args.embedder)
    reviewed = run_heartbeat(heartbeat, args, progress)
    return {"corpus": corpus, "worker": work, "scores": scores,
            "heartbeat": score_reviews(reviewed, {p.id: p for p in proposals}, truth)}


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


@dataclass
class Relations:
    """WordNet's relations between the wiki's nodes: the links written in the files and the held-out ones."""
    graph: dict[str, set[str]]
    written: set[tuple[str, str]]


def relation_graph(root: Path, truth) -> Relations:
    from eval.wiki_corpus import WIKILINK

    graph: dict[str, set[str]] = defaultdict(set)
    written = {tuple(sorted((path.stem, t.strip()))) for path in sorted(Path(root).glob("*.md"))
               for t in WIKILINK.findall(path.read_text(encoding="utf-8"))}
    for a, b in [*written, *truth.crosslinks]:
        if a != b:
            graph[a].add(b)
            graph[b].add(a)
    return Relations(dict(graph), written)


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
        pair_distance, "more than three steps apart, or unconnected")


def score(proposals: list, truth, relations: Relations) -> dict:
    """Each kind's proposals against the truth: precision, recall, and what the false positives are."""
    held = set(truth.crosslinks)
    by_kind = defaultdict(list)
    for p in proposals:
        by_kind[p.kind].append(p)
    out = {"crosslink": _score_crosslinks(by_kind["crosslink"], held, relations),
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


def _score_crosslinks(proposals: list, held: set, relations: Relations) -> dict:
    tp, reasons, false = 0, defaultdict(Counter), Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for p in proposals:
        pair = crosslink_pair(p)
        hit = pair in held
        tp += hit
        reason = ("definition" if "'s opening says it is " in p.rationale else
                  "mention" if " mentions " in p.rationale else "neighbour")
        reasons[reason]["proposed"] += 1
        reasons[reason]["true_positive"] += hit
        if not hit:
            why = _why(distance(relations.graph, *pair), pair in relations.written)
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


def score_reviews(reviewed: dict, proposals: dict, truth) -> dict:
    """The heartbeat's decisions by kind and by check, the precision of what it merged, its pace."""
    held, splits, frames = set(truth.crosslinks), set(truth.splits), set(truth.frames)
    right = {"crosslink": lambda p: crosslink_pair(p) in held, "split": lambda p: p.node in splits,
             "frame": lambda p: p.node in frames}
    by_kind: dict[str, Counter] = defaultdict(Counter)
    merged_right: dict[str, Counter] = defaultdict(Counter)
    touched: set[str] = set()
    after_sibling: Counter = Counter()
    for d in reviewed["decisions"]:
        p = proposals.get(d["id"])
        outcome = "merged" if d["state"] == "merged" else d.get("check") or "rejected"
        by_kind[d["kind"]][outcome] += 1
        if p is None:
            continue
        if outcome == "stale" and set(p.touched()) & touched:
            after_sibling[p.kind] += 1   # a proposal from the same visit merged first and changed the node
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
            "merged_precision": merged, "stale_after_sibling_merge": sum(after_sibling.values()),
            "stale_after_sibling_merge_by_kind": dict(after_sibling),
            "busy": reviewed.get("busy")}


# -- the proposals the heartbeat must refuse --------------------------------------------------------


def planted(home: Path, args: WikiEvalArgs) -> dict:
    """`Truth.bad` made into real proposals, each reviewed alone in its own fresh copy of the wiki.

    A false accept is a planted proposal whose merge changed a node's text. A dream is the
    one kind the heartbeat may accept: accepted, it must land on the Dreams page and nowhere
    else. A variant the product never makes on its own follows: the dream's sentence offered
    as a frame (a new opening) by the dreams author, to see whether anything stops a dream
    that arrives dressed as an edit; it is reported apart from the planted ones. Each case
    has its own copy (the same seed gives the same bytes) so that one case's edit or merge
    cannot decide another's (two of them may name the same node)."""
    from eval.wiki_corpus import build_wiki

    truth = build_wiki(home / "corpus", nodes=args.nodes, seed=args.seed)
    outcomes, variants = [], []
    for k, bad in enumerate(truth.bad):
        outcomes.append(_review_alone(home / f"{k}-{bad['kind']}", args, lambda wiki: _bad_proposal(bad, wiki)))
        if bad["kind"] == "dream":
            variants.append(_review_alone(home / f"{k}-dream-as-frame", args, lambda wiki: _dream_as_frame(bad, wiki)))
    return {"proposals": len(outcomes), "false_accepts": sum(o["false_accept"] for o in outcomes),
            "refused": sum(o["state"] == "rejected" for o in outcomes),
            "as_expected": sum(o["as_expected"] for o in outcomes), "outcomes": outcomes,
            "variants": variants, "variant_false_accepts": sum(o["false_accept"] for o in variants)}


def _review_alone(home: Path, args: WikiEvalArgs, make: Callable) -> dict:
    from eval.wiki_corpus import build_wiki
    from wiki.heartbeat import Heartbeat
    from wiki.proposals import Queue
    from wiki.store import init_wiki

    build_wiki(home / "wiki", nodes=args.nodes, seed=args.seed)
    wiki, _ = init_wiki(home, home / "wiki")
    queue = Queue(home / "proposals").ensure()
    heartbeat = Heartbeat(wiki, queue, home / "proposals" / "merges", judge=None, embedder=args.embedder)
    return _review_case(make(wiki), wiki, queue, heartbeat)


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


def _bad_proposal(bad: dict, wiki) -> _Case:
    from wiki.proposals import Author, Crosslink, Dream, Part, Split

    author = Author(worker="eval-wiki")
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
    return _Case(bad, frame, "any refusal",
                 variant="the dream's sentence as a new opening (a Frame by the dreams author)")


def _cut(body: str, titles: list[str]) -> list[str]:
    """The body cut where each part's `## title` heading starts (the first part keeps what comes before)."""
    found = [re.search(rf"^## {re.escape(t)}[ \t]*$", body, re.MULTILINE) for t in titles[1:]]
    starts = [m.start() for m in found if m]
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


def _review_case(case: _Case, wiki, queue, heartbeat) -> dict:
    files = lambda: {p.relative_to(wiki.root).as_posix(): p.read_bytes() for p in wiki.root.rglob("*.md")}  # noqa: E731
    queue.stage(case.proposal)
    if case.edit_after:   # the person edits the node between the proposal and its review
        path = wiki.path_of(case.edit_after["node"])
        path.write_bytes(path.read_bytes().rstrip(b"\n") + b"\n\n" + case.edit_after["append"].encode() + b"\n")
    before = files()
    decisions = {d["id"]: d for d in heartbeat.review()["decisions"]}
    after = files()
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    d = decisions.get(case.proposal.id, {"state": "pending", "check": None, "reason": "not reviewed"})
    into_nodes = [f for f in changed if f != "Dreams.md"] if d["state"] == "merged" else []
    dreams = after.get("Dreams.md", b"").decode("utf-8")
    if case.expected == "dreams page":
        fine = not into_nodes and (d["state"] == "rejected" or case.bad["dream"] in dreams)
    elif case.expected == "any refusal":
        fine = d["state"] == "rejected"
    else:
        fine = d["state"] == "rejected" and d.get("check") == case.expected
    return {"kind": case.bad["kind"], "proposal": case.proposal.kind, "node": case.bad["node"], "why": case.bad["why"],
            "expected": case.expected, "state": d["state"], "check": d.get("check"), "reason": d.get("reason"),
            "files_written": changed, "false_accept": bool(into_nodes), "as_expected": fine, "control": case.control,
            **({"variant": case.variant} if case.variant else {}),
            **({"on_dreams_page": case.bad["dream"] in dreams} if case.bad["kind"] == "dream" else {})}


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
    from cognition.home import Home
    from cognition.perceive import perceive
    from consolidation.curate import curate
    from consolidation.dataset import ReplayBuffer, RetiredLog
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
    user_home = Home(home).user("stale-check").ensure()
    replay, retired_log = ReplayBuffer(user_home.replay), RetiredLog(user_home.root / "retired.jsonl")
    queue = Queue(home / "proposals").ensure()
    nights, flags = [], []
    for n, night in enumerate(source.nights, 1):
        progress(f"stale check: {source.name} night {n}/{len(source.nights)}")
        curated = curate(night.items, prior=replay.examples(), night=night.date)
        replay.add(curated.examples, curated.retired, night=night.date)
        retired_log.add(curated.retired, curated.examples, night.date)   # as the night's promote does
        retired = retired_values(user_home)
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
    retired = _first_night(nights, "curation_retired", e["value"])
    given = _first_night(nights, "worker_given", e["value"])
    if flagged is not None:
        why = "flagged " + ("on time" if flagged == e["day"] else f"after day {flagged}, expected after day {e['day']}")
    elif retired is None:
        why = "curation never retired the old value"
    elif given is None:
        why = f"curation retired it on night {retired}, but graphs.wiki.retired_values never gave it to the worker"
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


# -- targets, machine, report -----------------------------------------------------------------------


def targets(result: dict) -> dict:
    """Each target with the measured value and whether it was met (None: nothing to measure)."""
    s, hb, w = result["scores"], result["heartbeat"], result["worker"]
    full = w["full_cycle_seconds"] / 3600 if w["full_cycle_seconds"] is not None else None
    rows = {"crosslink_precision": (s["crosslink"]["precision"], ">="),
            "split_precision": (s["split"]["precision"], ">="),
            "false_accepts": (result["planted"]["false_accepts"], "<="),
            "reviews_per_hour": (hb["per_hour"], ">="),
            "full_cycle_hours": (full, "<=")}
    out = {}
    for name, (value, op) in rows.items():
        bar = TARGETS[name]
        met = None if value is None else (value >= bar if op == ">=" else value <= bar)
        shown = round(value, 4) if isinstance(value, float) else value   # judged unrounded: 3.0001 h misses 3 h
        out[name] = {"value": shown, "target": f"{op} {bar:g}", "met": met}
    return out


def machine(load_before: float) -> dict:
    """The CPU the timings come from (the language model is not loaded: nothing here uses it)."""
    import platform

    import torch

    from cognition.runtime import cpu_has_bf16

    try:
        cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                    if l.startswith("model name")), platform.processor())
    except OSError:
        cpu = platform.processor()
    return {"cpu": cpu, "cpus": os.cpu_count(), "cpu_bf16": cpu_has_bf16(), "torch": torch.__version__,
            "torch_threads": torch.get_num_threads(), "torch_interop_threads": torch.get_num_interop_threads(),
            "load_avg_1m_before": round(load_before, 2), "load_avg_1m_after": round(os.getloadavg()[0], 2)}


def write_report(result: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "wiki.json").write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    plot_precision(result, out / "precision_recall.png")
    plot_decisions(result, out / "heartbeat.png")
    plot_worker_times(result, out / "worker_times.png")
    (out / "report.md").write_text(markdown(result), encoding="utf-8")
    return out / "report.md"


def plot_precision(result: dict, path: Path) -> Path:
    """Precision and recall of the worker's proposals, and precision of what the heartbeat merged, per kind."""
    from eval.report import _pyplot

    plt = _pyplot()
    s, merged = result["scores"], result["heartbeat"]["merged_precision"]
    series = {"precision (proposed)": [s[k]["precision"] for k in SCORED],
              "recall (of the planted truth)": [s[k]["recall"] for k in SCORED],
              "precision (merged)": [merged.get(k, {}).get("precision") for k in SCORED]}
    counts = {"precision (proposed)": [f"{s[k]['true_positive']}/{s[k]['proposed']}" for k in SCORED],
              "recall (of the planted truth)": [f"{s[k]['found']}/{s[k]['truth']}" for k in SCORED],
              "precision (merged)": [f"{merged.get(k, {}).get('true', 0)}/{merged.get(k, {}).get('merged', 0)}"
                                     for k in SCORED]}
    fig, ax = plt.subplots(figsize=(9, 3.8))
    width = 0.8 / len(series)
    for i, (name, values) in enumerate(series.items()):
        xs = [x + i * width for x in range(len(SCORED))]
        ax.bar(xs, [v or 0 for v in values], width, label=name)
        for x, v, c in zip(xs, values, counts[name]):
            ax.text(x, (v or 0) + 0.02, c if v is not None else "none", ha="center", fontsize=7)
    ax.axhline(TARGETS["crosslink_precision"], color="red", linestyle="--", linewidth=1, label="precision target 0.8")
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(SCORED))], SCORED)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("share (right / proposed, found / planted)")
    return _save(plt, fig, ax, f"Wiki worker against the truth ({result['corpus']['nodes']} nodes)", path)


def plot_decisions(result: dict, path: Path) -> Path:
    """The heartbeat's decisions per kind as shares, stacked: merged, then rejected by the check that
    refused (stale split in two: refused because a proposal of the same visit was merged first, or not)."""
    from eval.report import _pyplot

    plt = _pyplot()
    hb = result["heartbeat"]
    by_kind, sibling = hb["by_kind"], hb.get("stale_after_sibling_merge_by_kind", {})
    kinds = sorted(by_kind)
    rows = {k: dict(c) for k, c in by_kind.items()}
    for k, n in sibling.items():
        rows[k]["stale"] = rows[k].get("stale", 0) - n
        rows[k]["stale: same visit merged first"] = n
    outcomes = ["merged", "stale: same visit merged first", *CHECKS]
    outcomes += sorted({o for c in rows.values() for o in c} - set(outcomes))
    colours = dict(zip(outcomes, ["tab:green", "silver", "tab:grey", "tab:orange", "tab:red", "tab:purple",
                                  "tab:brown", "tab:blue", "tab:olive", "tab:cyan"]))
    fig, ax = plt.subplots(figsize=(8, 3.8))
    bottom = [0.0] * len(kinds)
    totals = [sum(rows[k].values()) or 1 for k in kinds]
    for outcome in outcomes:
        counts = [rows[k].get(outcome, 0) for k in kinds]
        if not any(counts):
            continue
        shares = [c / t for c, t in zip(counts, totals)]
        label = outcome if outcome in ("merged", "stale: same visit merged first") else f"rejected: {outcome}"
        label += f" ({sum(counts)})"
        ax.bar(range(len(kinds)), shares, bottom=bottom, label=label, color=colours.get(outcome))
        for x, (b, share, count) in enumerate(zip(bottom, shares, counts)):
            if share >= 0.04:
                ax.text(x, b + share / 2, str(count), ha="center", va="center", fontsize=8)
        bottom = [b + v for b, v in zip(bottom, shares)]
    ax.set_xticks(range(len(kinds)), [f"{k}\n{t} reviewed" for k, t in zip(kinds, totals)])
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of the kind's proposals")
    return _save(plt, fig, ax, f"Heartbeat decisions ({hb['reviewed']} reviewed, {hb['per_hour'] or 0:.0f} an hour)",
                 path)


def _save(plt, fig, ax, title: str, path: Path) -> Path:
    """Title, the legend beside the plot, and the file."""
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_worker_times(result: dict, path: Path) -> Path:
    """How long the worker spent on each node (its visit and staging; the embedding is apart)."""
    from eval.report import _pyplot

    plt = _pyplot()
    w = result["worker"]
    times = [t for t in w["per_node_seconds"] if t > 0]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    if times:
        low, high = min(times), max(times)
        logarithmic = high / low > 20   # a few nodes (splits, embedded anew) take far longer than the rest
        bins = [low * (high / low) ** (i / 40) for i in range(41)] if logarithmic else 40
        ax.hist(times, bins=bins, color="tab:blue")
        if logarithmic:
            ax.set_xscale("log")
        ax.axvline(w["per_node"]["median"], color="black", linestyle="--", linewidth=1,
                   label=f"median {w['per_node']['median']:.3f} s")
        ax.axvline(w["per_node"]["p90"], color="grey", linestyle=":", linewidth=1,
                   label=f"p90 {w['per_node']['p90']:.3f} s")
        ax.legend(fontsize=8)
    ax.set_xlabel("seconds per node" + (" (log scale)" if times and logarithmic else ""))
    ax.set_ylabel("nodes")
    ax.set_title(f"Worker time per node ({w['visited']} of {w['nodes']} visited; reading and embedding "
                 f"the wiki first: {w['prepare_seconds']:.0f} s)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _pct(x) -> str:
    return "-" if x is None else f"{x:.0%}"


def _cell(text) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= 140 else text[:139] + "…"


def markdown(result: dict) -> str:
    """The report: targets first, then the worker, its proposals, the heartbeat, the planted ones, staleness."""
    lines = _head_markdown(result) + _worker_markdown(result) + _heartbeat_markdown(result["heartbeat"])
    lines += _planted_markdown(result["planted"]) + stale_markdown(result.get("stale_check"))
    return "\n".join(lines) + "\n"


def _head_markdown(result: dict) -> list[str]:
    m, c, a = result["machine"], result["corpus"], result["args"]
    lines = ["# Wiki worker and heartbeat", "",
             f"`reverie eval wiki --nodes {a['nodes']} --seed {a['seed']}"
             + (f" --minutes {a['minutes']:g}" if a["minutes"] else "") + "`, "
             f"{result['seconds']} s on {m['cpu']} ({m['cpus']} CPUs, "
             f"bf16 {'native' if m['cpu_bf16'] else 'not native'}, "
             f"torch {m['torch_threads']} threads; load average {m['load_avg_1m_before']} before, "
             f"{m['load_avg_1m_after']} after).", "",
             f"The corpus: {c['nodes']} WordNet nodes, {c['bare']} without front matter, {c['pairs_written']} links "
             f"written, {c['held_out_links']} held out, {c['splits']} planted splits, {c['frames']} planted frames "
             f"(eval/wiki_corpus.py).", "", "## Targets", "", "| target | value | bar | met |", "|---|---|---|---|"]
    for name, t in result["targets"].items():
        met = "-" if t["met"] is None else ("met" if t["met"] else "**missed**")
        lines.append(f"| {name.replace('_', ' ')} | {t['value']} | {t['target']} | {met} |")
    return lines


def _worker_markdown(result: dict) -> list[str]:
    w, s = result["worker"], result["scores"]
    lines = ["", "## The worker", "",
             f"{w['visited']} of {w['nodes']} nodes visited in {w['seconds']} s: {w['prepare_seconds']} s reading and "
             f"embedding the wiki, then {w['per_node']['median']} s a node (median; p90 {w['per_node']['p90']}, max "
             f"{w['per_node']['max']}). A full cycle "
             + (f"would take about {w['full_cycle_seconds']} s (extrapolated from the share visited)."
                if w["full_cycle_extrapolated"] else f"took {w['full_cycle_seconds']} s."),
             "", "![worker time per node](worker_times.png)", "", "## Proposals against the truth", "",
             "| kind | proposed | right | precision | planted | found | recall |", "|---|---|---|---|---|---|---|"]
    for kind in (*SCORED, "stale", "dream"):
        k = s[kind]
        lines.append(f"| {kind} | {k['proposed']} | {k['true_positive']} | {_pct(k['precision'])} | {k['truth']} | "
                     f"{k.get('found', '-')} | {_pct(k['recall'])} |")
    x = s["crosslink"]
    lines += ["", "Crosslinks by why the worker proposed them: " + "; ".join(
        f"{r} {v['true_positive']}/{v['proposed']} ({_pct(v['precision'])})" for r, v in x["by_reason"].items()) + ".",
        "", "What the crosslinks the truth does not hold are (WordNet's relations between the two nodes; the truth "
        "counts only a direct relation, so a link to a grandparent counts against the worker even where a reader "
        "might keep it):", ""]
    lines += [f"- {why}: {n}" for why, n in sorted(x["false_positives"].items(), key=lambda kv: -kv[1])]
    for why, examples in x["false_positive_examples"].items():
        lines += ["", f"<details><summary>{why}: examples</summary>", ""] + [f"- {_cell(e)}" for e in examples] + [
            "", "</details>"]
    sp, fr = s["split"], s["frame"]
    return lines + ["", f"Splits: {sp['true_positive']} of {sp['proposed']} on planted nodes; of those, "
                    f"{sp['parts_match']} have the planted parts' text word for word and {sp['titles_match']} their "
                    f"titles. Frames: {fr['true_positive']} of {fr['proposed']} on planted nodes "
                    f"({fr['opening_matches']} with the lost opening).", "",
                    "![precision and recall](precision_recall.png)"]


def _heartbeat_markdown(hb: dict) -> list[str]:
    lines = ["", "## The heartbeat", "",
             f"{hb['reviewed']} reviewed in {hb['seconds']} s ({hb['per_hour']} an hour; median "
             f"{hb['per_review']['median']} s a proposal), {hb['merged']} merged, {hb['rejected']} rejected, "
             f"{hb['pending_after']} left pending. {hb['stale_after_sibling_merge']} of the "
             f"{hb['by_check'].get('stale', 0)} refused as stale were refused because another proposal of the same "
             "visit (on the same node, reviewed first) had just been merged into it; the worker proposes them "
             "afresh on its next visit, which this benchmark does not run.", "",
             "| kind | " + " | ".join(["merged", *CHECKS]) + " |", "|---|" + "---|" * (len(CHECKS) + 1)]
    for kind, counts in hb["by_kind"].items():
        lines.append(f"| {kind} | " + " | ".join(str(counts.get(o, 0)) for o in ["merged", *CHECKS]) + " |")
    return lines + ["", "Precision of what it merged: " + ("; ".join(
        f"{k} {v['true']}/{v['merged']} ({_pct(v['precision'])}), {v['true_rejected']} right ones rejected"
        for k, v in hb["merged_precision"].items()) or "nothing merged") + ".", "",
        "![heartbeat decisions](heartbeat.png)"]


def _planted_markdown(pl: dict) -> list[str]:
    lines = ["", "## Planted bad proposals", "",
             f"{pl['proposals']} planted, each reviewed alone in a fresh copy of the wiki: {pl['refused']} refused, "
             f"{pl['false_accepts']} false accepts (a merge that changed a node's text), {pl['as_expected']} refused "
             "for the expected reason or, for the dream, filed on the Dreams page with the node unchanged.", "",
             "| planted | as | expected | outcome | check | files written | false accept | without its fault |",
             "|---|---|---|---|---|---|---|---|"]
    for o in pl["outcomes"] + pl["variants"]:
        name = o["kind"] + (" (variant)" if o.get("variant") else "")
        lines.append(f"| {name} | {o['proposal']} | {o['expected']} | {o['state']} | {o['check'] or '-'} | "
                     f"{', '.join(o['files_written']) or '-'} | {o['false_accept']} | {o['control'] or '-'} |")
    lines += [""] + [f"- {o['kind']}: {_cell(o['why'])} → {_cell(o['reason'])}"
                     for o in pl["outcomes"] + pl["variants"]]
    if pl["variants"]:
        lines += ["", "The variant is not one of the planted ones and the product never makes it (dreams are "
                  "always Dream proposals); it asks whether a dream dressed as an edit would get through: "
                  f"{pl['variant_false_accepts']} of {len(pl['variants'])} did."]
    return lines


def stale_markdown(st: dict | None) -> list[str]:
    if not st:
        return ["", "## Staleness", "", "Not run."]
    lines = ["", f"## Staleness on {st['name']}", "",
             f"\"About me\" holds day 1's {len(st['node_sentences'])} statements of fact. Of the "
             f"{st['expected_flags']} sentences the persona's update and correction probes make stale, "
             f"{st['flagged']} were flagged ({st['updates_flagged']} of {st['updates_expected']} updates).", "",
             "| probe | kind | old value | stale after day | flagged after day | outcome |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {e['probe']} | {e['kind']} | {e['value']} | {e['day']} | {e['flagged_after_day'] or '-'} | "
              f"{_cell(e['outcome'])} |" for e in st["expected"]]
    if st["unexpected_flags"]:
        lines += ["", "Flags no probe calls for:", ""]
        lines += [f"- after day {f['night']}: \"{_cell(f['claim'])}\" ({f['value']})" for f in st["unexpected_flags"]]
    lines += ["", "Retired by curation each night, and what the worker was given (from the replay buffer):", ""]
    lines += [f"- night {n['night']}: curation {n['curation_retired']}; worker given {n['worker_given']}"
              for n in st["nights"]]
    return lines
