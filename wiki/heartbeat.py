"""The heartbeat: review pending proposals, merge what passes, reject the rest with a reason.

Cheapest checks first, each a reason to reject on its own:

1. stale: a node it names changed since it was proposed (the user edited it, or another
   merge did); it goes back to the worker, which sees the node afresh on its next visit;
2. it applies: the nodes and the text it names are there, its titles are free;
3. no text is lost: every line of a node's text is still in it afterwards, in order (a
   split instead: its parts together hold all of the node's text, word for word);
4. every link it adds resolves to a node (a split's parts count);
5. the front matter of every file it writes parses;

then a judge: a capable System 2 when one is configured (one short call, a strict JSON
verdict with a reason), else embedding and rule checks that need no language model. What
passes is merged through the merge log (atomic, reversible, a git commit when the wiki
is a repository); `revert` undoes a merge. One heartbeat at a time per home (a lock).
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, ValidationError

from cognition.index import cosine, embed
from wiki.mergelog import MergeConflict, MergeError, MergeLog
from wiki.proposals import Crosslink, Dream, Frame, Queue, Split, Staged, Stale
from wiki.store import Node, Resolver, Wiki, WikiError, parse
from wiki.worker import labelled_opening

log = logging.getLogger(__name__)

DREAMS = "Dreams"
JudgeFn = Callable[[list[dict[str, str]]], str]


class Refused(Exception):
    def __init__(self, reason: str, check: str):
        super().__init__(reason)
        self.reason, self.check = reason, check


@dataclass
class Plan:
    """What a merge writes: new bytes per path (relative to the wiki), and the hash each was based on."""
    changes: dict[str, bytes | None] = field(default_factory=dict)
    expect: dict[str, str | None] = field(default_factory=dict)
    added_links: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)   # node ids the merge creates


@dataclass(frozen=True)
class Thresholds:
    """The embedded judge's bars (cosine, all-MiniLM-L6-v2)."""
    crosslink: float = 0.35    # the two nodes have something to do with each other
    frame: float = 0.40        # the new opening is about what the node says
    split: float = 0.45        # the parts are about different things (their similarity stays below)
    dream: float = 0.10        # a dream touches what it names, however loosely


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: str
    reason: str


# -- turning a proposal into the bytes it would write ------------------------------------------


def plan(proposal, wiki: Wiki, resolver: Resolver, merged_since: Callable[[str, str, str], bool] | None = None) -> Plan:
    """The merge a proposal asks for, after the cheap checks; raises Refused with the reason.

    A proposal made on content that has changed since is stale, with one exception: a
    crosslink only adds a line, so where merges alone changed its node (`merged_since`:
    another link of the same visit went in first) it applies to the node as it is now.
    """
    if proposal.author.worker == "dreams" and not isinstance(proposal, Dream):
        raise Refused("a dream is filed on the Dreams page, never written into a node as a fact", "applies")
    for node_id in proposal.touched():
        node, wanted = _node(wiki, node_id), proposal.nodes[node_id]
        rel = node.path.relative_to(wiki.root).as_posix()
        rebased = isinstance(proposal, Crosslink) and merged_since is not None and merged_since(rel, wanted, node.hash)
        if node.hash != wanted and not rebased:
            raise Refused(f"stale: {node_id} changed since the proposal was made; the worker will look again",
                          "stale")
    out = Plan()
    if isinstance(proposal, Crosslink):
        source = _node(wiki, proposal.source)
        target = resolver.resolve(proposal.target)
        if target is None:
            raise Refused(f"the link target {proposal.target!r} is not a node of the wiki", "links")
        if target.id == source.id:
            raise Refused("a node cannot be linked to itself", "applies")
        if not any(resolver.resolve(l.target) == target for l in parse("x", source.path, proposal.sentence.encode()).links):
            raise Refused(f"the sentence does not link to {proposal.target!r}", "applies")
        if target.id in resolver.linked(source):
            raise Refused(f"{source.id} already links to {target.id}", "applies")
        _write(out, wiki, source, _see_also(source.body, proposal.sentence))
    elif isinstance(proposal, Frame):
        node = _node(wiki, proposal.node)
        _write(out, wiki, node, _after_title(node.body, proposal.opening.strip() + "\n\n"))
    elif isinstance(proposal, Stale):
        node = _node(wiki, proposal.node)
        at = node.body.find(proposal.claim)
        if at < 0:
            raise Refused(f"the claim {proposal.claim!r} is not in {node.id}", "applies")
        end = node.body.find("\n\n", at)
        end = len(node.body) if end < 0 else end
        callout = (f"\n\n> [!warning] Possibly out of date: \u201c{proposal.claim.strip()}\u201d. {proposal.why.strip()}"
                   + (f" (evidence: {', '.join(proposal.evidence)})" if proposal.evidence else ""))
        _write(out, wiki, node, node.body[:end] + callout + node.body[end:])
    elif isinstance(proposal, Split):
        _plan_split(proposal, wiki, resolver, out)
    elif isinstance(proposal, Dream):
        for node_id in proposal.nodes:
            _node(wiki, node_id)
        _plan_dream(proposal, wiki, out)
    else:
        raise Refused(f"unknown proposal kind {getattr(proposal, 'kind', '?')!r}", "applies")
    _check_links(out, wiki, resolver)
    return out


def _node(wiki: Wiki, node_id: str) -> Node:
    try:
        node = wiki.node(node_id)
    except WikiError as exc:
        raise Refused(str(exc), "applies") from exc
    if node is None:
        raise Refused(f"there is no node {node_id!r}", "applies")
    return node


def _write(out: Plan, wiki: Wiki, node: Node, body: str, meta: dict | None = None) -> None:
    if not _keeps_lines(node.body, body):
        raise Refused(f"the change would delete text from {node.id}", "no text lost")
    raw = node.render(body=body, meta=meta)
    _check_front(node.id, node.path, raw)
    rel = node.path.relative_to(wiki.root).as_posix()
    out.changes[rel] = raw
    out.expect[rel] = node.hash
    out.added_links += _new_links(node.body, body)


def _check_front(node_id: str, path: Path, raw: bytes) -> None:
    try:
        parse(node_id, path, raw)
    except WikiError as exc:
        raise Refused(f"the merge would leave {node_id} unreadable: {exc}", "front matter") from exc


def _keeps_lines(before: str, after: str) -> bool:
    """Every non-blank line of `before` is in `after`, in the same order."""
    remaining = iter(l.strip() for l in after.splitlines())
    return all(any(line == other for other in remaining) for line in (l.strip() for l in before.splitlines())
               if line)


def _new_links(before: str, after: str) -> list[str]:
    old = {l.target for l in parse("x", Path("x"), before.encode()).links}
    return [l.target for l in parse("x", Path("x"), after.encode()).links if l.target not in old]


def _check_links(out: Plan, wiki: Wiki, resolver: Resolver) -> None:
    created = {c.lower() for c in out.created} | {c.rsplit("/", 1)[-1].lower() for c in out.created}
    for target in out.added_links:
        key = target.strip().removesuffix(".md").lower()
        if resolver.resolve(target) is None and key not in created:
            raise Refused(f"the link [[{target}]] would not resolve to any node", "links")


def _see_also(body: str, sentence: str) -> str:
    """The sentence as a line of the node's closing 'See also' section (made if missing)."""
    line = sentence.strip()
    line = line if line.startswith(("- ", "* ")) else f"- {line}"
    m = re.search(r"^##+[ \t]+(See also|Related)[ \t]*$", body, re.MULTILINE | re.IGNORECASE)
    if m:
        nxt = re.search(r"^#{1,6}[ \t]", body[m.end():], re.MULTILINE)
        end = m.end() + (nxt.start() if nxt else len(body) - m.end())
        section = body[m.end():end].rstrip("\n")
        return body[:m.end()] + section + "\n" + line + "\n" + ("\n" + body[end:] if nxt else "")
    return body.rstrip("\n") + "\n\n## See also\n\n" + line + "\n"


def _after_title(body: str, text: str) -> str:
    """Insert text at the top of the body, after a `# Title` line if the node opens with one."""
    m = re.match(r"\s*#[ \t]+[^\n]*\n+", body)
    at = m.end() if m else 0
    return body[:at] + text + body[at:]


def _plan_split(proposal: Split, wiki: Wiki, resolver: Resolver, out: Plan) -> None:
    node = _node(wiki, proposal.node)
    words = lambda text: re.findall(r"\S+", text)
    if words("".join(p.text for p in proposal.parts)) != words(node.body):
        raise Refused(f"the parts do not hold exactly the text of {node.id}: a split moves text, it never "
                      "drops or invents it", "no text lost")
    folder = node.id.rsplit("/", 1)[0] + "/" if "/" in node.id else ""
    ids = []
    for part in proposal.parts:
        part_id = folder + _file_title(part.title)
        if part_id.lower() == node.id.lower() or resolver.resolve(part_id) is not None or part_id in ids:
            raise Refused(f"the part {part.title!r} would overwrite the node {part_id!r}", "applies")
        ids.append(part_id)
    if not all(f"[[{p.title}]]" in proposal.hub or f"[[{i}]]" in proposal.hub for p, i in zip(proposal.parts, ids)):
        raise Refused("the hub must link every part", "applies")
    rel = node.path.relative_to(wiki.root).as_posix()
    hub = node.render(body=proposal.hub.strip() + "\n")
    _check_front(node.id, node.path, hub)
    out.changes[rel], out.expect[rel] = hub, node.hash
    out.created += ids
    out.added_links += _new_links(node.body, proposal.hub)
    for part, part_id in zip(proposal.parts, ids):
        path = wiki.path_of(part_id)
        meta = {"id": part_id, "title": part.title, "updated": None,
                "sources": list(node.meta.get("sources") or []) + [f"split from [[{node.title}]]"]}
        body = part.text if part.text.endswith("\n") else part.text + "\n"
        raw = Node(part_id, path, b"", {}, "", False).render(body=body, meta=meta)
        _check_front(part_id, path, raw)
        out.changes[path.relative_to(wiki.root).as_posix()] = raw
        out.expect[path.relative_to(wiki.root).as_posix()] = None
        out.added_links += _new_links("", part.text)


def _file_title(title: str) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|#^\[\]]', " ", title).strip().strip(".")
    return re.sub(r"\s+", " ", cleaned) or "Part"


def _plan_dream(proposal: Dream, wiki: Wiki, out: Plan) -> None:
    """A dream is filed on the Dreams page, dated, with links to what it joined; no node's text changes."""
    page = wiki.node(DREAMS)
    names = []
    for node_id in proposal.nodes:
        node = wiki.node(node_id)
        names.append(f"[[{node.title if node else node_id}]]")
    entry = (f"- {date.today().isoformat()}: {proposal.text.strip()}"
             + (f" ({' · '.join(names)})" if names else "")
             + (f" [memories: {', '.join(proposal.memories)}]" if proposal.memories else "") + "\n")
    path = wiki.path_of(DREAMS)
    rel = path.relative_to(wiki.root).as_posix()
    if page is None:
        meta = {"id": DREAMS, "title": DREAMS, "updated": None, "sources": ["reverie dreams"]}
        body = ("# Dreams\n\nFree associations from System 1 after its nights, accepted for a person to read. "
                "They are not facts and are never written into other pages.\n\n" + entry)
        raw = Node(DREAMS, path, b"", {}, "", False).render(body=body, meta=meta)
        out.changes[rel], out.expect[rel] = raw, None
        out.created.append(DREAMS)
    else:
        body = page.body if page.body.endswith("\n") else page.body + "\n"
        out.changes[rel], out.expect[rel] = page.render(body=body + entry), page.hash
    out.added_links += [n[2:-2] for n in names]


# -- the judges -----------------------------------------------------------------------------------


JUDGE_PROMPT = """You review a proposed change to a personal wiki. Accept it only if it makes the wiki
more useful to its reader and says nothing false. Reply with JSON only:
{"verdict": "accept" or "reject", "reason": "one short sentence"}."""


def judge_with(complete: JudgeFn, proposal, wiki: Wiki) -> tuple[bool, str]:
    """A capable System 2's verdict: one short call, a strict JSON answer."""
    shown = {k: v for k, v in proposal.model_dump().items() if k not in ("author", "nodes", "created")}
    context = []
    for node_id in list(proposal.nodes)[:2]:
        node = wiki.node(node_id)
        if node is not None:
            context.append(f"## {node.title}\n{node.text()[:1500]}")
    messages = [{"role": "system", "content": JUDGE_PROMPT},
                {"role": "user", "content": "Proposal:\n" + json.dumps(shown, ensure_ascii=False, indent=1)
                 + "\n\nThe nodes as they are:\n" + "\n\n".join(context)}]
    raw = complete(messages)
    m = re.search(r"\{.*\}", raw, re.DOTALL)
    try:
        verdict = Verdict.model_validate_json(m.group(0) if m else raw)
    except ValidationError as exc:
        raise ValueError(f"the judge did not answer the JSON asked for: {raw[:200]!r}") from exc
    if verdict.verdict not in ("accept", "reject"):
        raise ValueError(f"the judge's verdict {verdict.verdict!r} is neither accept nor reject")
    return verdict.verdict == "accept", f"System 2: {verdict.reason}"


class EmbeddedJudge:
    """Rules and embeddings, no language model: what the embedded default can check honestly."""

    def __init__(self, embedder: str = "all-MiniLM-L6-v2", thresholds: Thresholds = Thresholds()):
        self.embedder, self.t = embedder, thresholds

    def _sim(self, a: str, b: str) -> float:
        x, y = embed([a[:2000], b[:2000]], self.embedder)
        return cosine(x, y)

    def __call__(self, proposal, wiki: Wiki, resolver: Resolver | None = None) -> tuple[bool, str]:
        if isinstance(proposal, Crosslink):
            source, target = wiki.node(proposal.source), (resolver or wiki.resolver()).resolve(proposal.target)
            sim = self._sim(source.text(), target.text())
            return sim >= self.t.crosslink, f"the two nodes' similarity is {sim:.2f} (bar {self.t.crosslink})"
        if isinstance(proposal, Frame):
            node = wiki.node(proposal.node)
            if " ".join(proposal.opening.split()) not in " ".join(node.text().split()):
                resolver = resolver or wiki.resolver()
                named = [n for link in parse("x", node.path, proposal.opening.encode()).links
                         if (n := resolver.resolve(link.target)) is not None]
                if proposal.opening.strip() == labelled_opening(node, named, resolver):
                    return True, "the opening says only what the node's labelled links (and the links to it) say"
                return False, "a new opening in words the node does not already hold needs a capable System 2 to judge"
            names = [node.title, *node.aliases]
            if not any(re.search(rf"\b{re.escape(n)}", proposal.opening, re.IGNORECASE) for n in names):
                return False, f"the new opening does not name {node.title!r}"
            sim = self._sim(proposal.opening, node.text())
            return sim >= self.t.frame, f"the opening's similarity to the node is {sim:.2f} (bar {self.t.frame})"
        if isinstance(proposal, Split):
            texts = [p.text for p in proposal.parts]
            vectors = embed([t[:2000] for t in texts], self.embedder)
            worst = max(cosine(vectors[i], vectors[j]) for i in range(len(texts)) for j in range(i + 1, len(texts)))
            return worst < self.t.split, f"the parts' highest similarity is {worst:.2f} (bar below {self.t.split})"
        if isinstance(proposal, Stale):
            if not proposal.evidence:
                return False, "a stale flag needs evidence"
            return True, "the claim states a value the user's memory has retired"
        if isinstance(proposal, Dream):
            nodes = [wiki.node(n) for n in proposal.nodes]
            texts = [n.text() for n in nodes if n is not None]
            if not texts:
                return True, "a dream on memories alone, filed on the Dreams page"
            sim = max(self._sim(proposal.text, t) for t in texts)
            return sim >= self.t.dream, f"the dream's similarity to what it joins is {sim:.2f} (bar {self.t.dream})"
        return False, "unknown kind"


# -- the heartbeat ---------------------------------------------------------------------------------


class Heartbeat:
    def __init__(self, wiki: Wiki, queue: Queue, log_dir: Path, judge: JudgeFn | None = None,
                 embedder: str = "all-MiniLM-L6-v2", thresholds: Thresholds = Thresholds(), reviewer: str = "heartbeat"):
        self.wiki, self.queue = wiki, queue
        self.merges = MergeLog(wiki.root, log_dir)
        self.complete = judge
        self.embedded = EmbeddedJudge(embedder, thresholds)
        self.reviewer = reviewer
        self.lock = FileLock(str(Path(log_dir).parent / ".heartbeat.lock"))

    def review(self, limit: int | None = None, on_event: Callable[[dict], None] = lambda e: None,
               should_stop: Callable[[], bool] = lambda: False) -> dict:
        """Review up to `limit` pending proposals, oldest first (of one moment, crosslinks last: a
        crosslink still applies after another merge changed its node, a split or a frame does
        not); returns what was decided and why."""
        started = time.perf_counter()
        decided: list[dict] = []
        try:
            self.lock.acquire(timeout=0)
        except Timeout:
            return {"reviewed": 0, "merged": 0, "rejected": 0, "decisions": [], "seconds": 0.0,
                    "busy": "another heartbeat is reviewing this wiki"}
        try:
            self.merges.recover()
            pending = sorted(self.queue.pending(), key=lambda s: (s.proposal.created, s.proposal.kind == "crosslink"))
            for staged in pending[:limit]:
                if should_stop():
                    break
                decided.append(self.review_one(staged))
                on_event(decided[-1])
        finally:
            self.lock.release()
        seconds = time.perf_counter() - started
        merged = sum(d["state"] == "merged" for d in decided)
        return {"reviewed": len(decided), "merged": merged, "rejected": len(decided) - merged,
                "decisions": decided, "seconds": round(seconds, 3),
                "per_hour": round(len(decided) / seconds * 3600, 1) if decided and seconds else None}

    def review_one(self, staged: Staged, judged: bool = True) -> dict:
        """Check, judge and merge or reject one proposal. `judged=False` is a person's acceptance:
        the checks still hold (nothing stale, nothing lost, every link resolving), the judge does not."""
        proposal = staged.proposal
        resolver = self.wiki.resolver()
        try:
            merge = plan(proposal, self.wiki, resolver, self.merges.merged_since)
            accepted, reason = self.judge(proposal, resolver) if judged else (True, f"accepted by {self.reviewer}")
            if not accepted:
                raise Refused(reason, "judge")
            self.merges.apply(proposal.id, merge.changes, _message(proposal, reason), merge.expect)
        except Refused as exc:
            self.queue.decide(proposal.id, "rejected", f"{exc.check}: {exc.reason}", self.reviewer)
            return {"id": proposal.id, "kind": proposal.kind, "state": "rejected", "check": exc.check,
                    "reason": exc.reason}
        except (MergeConflict, MergeError) as exc:
            self.queue.decide(proposal.id, "rejected", f"stale: {exc}", self.reviewer)
            return {"id": proposal.id, "kind": proposal.kind, "state": "rejected", "check": "stale", "reason": str(exc)}
        self.queue.decide(proposal.id, "merged", reason, self.reviewer)
        return {"id": proposal.id, "kind": proposal.kind, "state": "merged", "reason": reason,
                "files": sorted(merge.changes)}

    def judge(self, proposal, resolver: Resolver | None = None) -> tuple[bool, str]:
        if self.complete is not None:
            try:
                return judge_with(self.complete, proposal, self.wiki)
            except (ValueError, ConnectionError) as exc:
                log.warning("wiki judge: %s; the embedded checks decide", exc)
        return self.embedded(proposal, self.wiki, resolver)   # the resolver the checks built: no second read

    def decide(self, proposal_id: str, accept: bool, reason: str | None = None) -> dict:
        """A person's decision on one pending proposal (accepting still runs every check)."""
        staged = self.queue.get(proposal_id)
        if staged is None or staged.review.state != "pending":
            raise WikiError(f"{proposal_id!r} is not a pending proposal; `reverie proposals list` shows them")
        with self.lock:
            self.merges.recover()
            if accept:
                return self.review_one(staged, judged=False)
            self.queue.decide(proposal_id, "rejected", reason or "rejected by a person", self.reviewer)
            return {"id": proposal_id, "kind": staged.proposal.kind, "state": "rejected",
                    "reason": reason or "rejected by a person"}

    def revert(self, proposal_id: str) -> dict:
        """Undo a merged proposal (its files back as they were, if nobody edited them since)."""
        staged = self.queue.get(proposal_id)
        if staged is None or staged.review.state != "merged":
            raise WikiError(f"{proposal_id!r} is not a merged proposal; `reverie proposals list --json` shows them")
        with self.lock:
            record = self.merges.revert(proposal_id)
            self.queue.reopen(proposal_id, "reverted by a person")
        return {"id": proposal_id, "reverted": True, "files": sorted(record.paths), "commit": record.revert_commit}


def _message(proposal, reason: str) -> str:
    what = {"crosslink": lambda p: f"link {p.source} to {p.target}", "frame": lambda p: f"a new opening for {p.node}",
            "split": lambda p: f"split {p.node} into {', '.join(x.title for x in p.parts)}",
            "stale": lambda p: f"flag {p.node} as out of date", "dream": lambda p: "file a dream"}[proposal.kind](proposal)
    return (f"wiki: {what} ({proposal.id})\n\n{proposal.rationale}\n\nReviewed: {reason}\n"
            f"Author: {proposal.author.worker}"
            + (f", System 1 {proposal.author.system1}" if proposal.author.system1 else "")
            + (f", System 2 {proposal.author.system2}" if proposal.author.system2 else ""))
