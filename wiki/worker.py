"""The wiki-worker: visit nodes on idle compute and propose; never edit a node.

Nodes are visited in rotation, the least recently visited first (never-visited before
all). For each node the worker looks for:

- crosslinks: nodes it does not link to (nor they to it) that it mentions by title or
  alias, or that are mutual embedding neighbours well above chance;
- a split: an overlong node with headed sections, or a node whose headed sections of
  prose are about unrelated things (their embeddings far apart); the parts keep the
  sections' text word for word and the node becomes a hub linking them;
- a frame: a node whose opening never names what it is about; the new opening is a
  sentence of the node that defines it ("X is …"), or one that names it;
- stale claims: a sentence that states a value the user's memory has since retired
  (a page saying where the user works, after the user changed jobs);
- dreams: System 1's free association between this node and a distant one.

Proposals already waiting, or rejected for the same content, are not made again.
Embeddings are cached by content hash, so a second cycle embeds only what changed.
"""

from __future__ import annotations

import json
import logging
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from cognition.home import atomic_write_text
from cognition.index import embed
from wiki.proposals import Author, Crosslink, Dream, Frame, Part, Queue, Split, Stale, new_id, now
from wiki.store import Node, Resolver, Wiki

log = logging.getLogger(__name__)

STOP = set("""a an and are as at be been but by for from has have he her his i in is it its me my not of on or our
she so that the their them there they this to was we were what when where which who will with you your""".split())


@dataclass(frozen=True)
class Retired:
    """A value the user's memory has replaced: what it was, what holds now, where it was said."""
    value: str
    now: str
    about: str = ""                      # the question or topic it answers ("Where do I work?")
    sources: tuple[str, ...] = ()        # diary entry ids
    when: str = ""


@dataclass(frozen=True)
class WorkerSettings:
    crosslinks_per_visit: int = 2
    neighbours: int = 5
    mention_min: float = 0.30        # a mentioned node must also be this similar (common words mislead)
    neighbour_min: float = 0.60      # mutual neighbours without a mention must be this similar
    prose_words: int = 12            # a section with fewer words of prose (a list of links) is not a topic
    split_words: int = 1500          # a node longer than this with headed sections is split along them
    split_max_similarity: float = 0.30
    dream_every: int = 10            # one dream per this many visits, when System 1 is given


@dataclass
class Visits:
    """When each node was last visited (the rotation), kept in the home's proposals folder."""
    path: Path
    seen: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Visits":
        try:
            return cls(path, dict(json.loads(path.read_text(encoding="utf-8"))))
        except FileNotFoundError:
            return cls(path)
        except (ValueError, TypeError):
            log.warning("wiki: %s is damaged; the rotation starts again", path)
            return cls(path)

    def order(self, nodes: Sequence[Node]) -> list[Node]:
        return sorted(nodes, key=lambda n: (self.seen.get(n.id, ""), n.id))

    def mark(self, node_id: str) -> None:
        self.seen[node_id] = datetime.now(timezone.utc).isoformat(timespec="microseconds")

    def save(self) -> None:
        atomic_write_text(self.path, json.dumps(self.seen, indent=0, sort_keys=True))


class Vectors:
    """Node embeddings cached by content hash (a JSON file beside the queue)."""

    def __init__(self, path: Path, embedder: str):
        self.path, self.embedder = path, embedder
        try:
            self.cache: dict[str, list[float]] = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            self.cache = {}

    def of(self, nodes: Sequence[Node]) -> dict[str, list[float]]:
        missing = [n for n in nodes if n.hash not in self.cache]
        for start in range(0, len(missing), 64):
            batch = missing[start:start + 64]
            for n, v in zip(batch, embed([_summary(n) for n in batch], self.embedder)):
                self.cache[n.hash] = [round(float(x), 5) for x in v]
        if missing:
            live = {n.hash for n in nodes}
            self.cache = {h: v for h, v in self.cache.items() if h in live}
            atomic_write_text(self.path, json.dumps(self.cache))
        return {n.id: self.cache[n.hash] for n in nodes}


def _summary(node: Node) -> str:
    return f"{node.title}. {node.text()}"[:2000]


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z][A-Za-z'-]+", text)


def _stem(word: str) -> str:
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def mentions(text: str, name: str) -> bool:
    """Does the text name it, in whole words (a plural allowed)?"""
    return len(name) >= 3 and bool(re.search(rf"(?<![\w-]){re.escape(name)}(?:s|es)?(?![\w-])", text, re.IGNORECASE))


class Worker:
    def __init__(self, wiki: Wiki, queue: Queue, state_dir: Path, *, embedder: str = "all-MiniLM-L6-v2",
                 retired: Sequence[Retired] = (), associate: Callable[[str], str] | None = None,
                 author: Author | None = None, settings: WorkerSettings = WorkerSettings(), seed: int = 0):
        self.wiki, self.queue = wiki, queue
        self.visits = Visits.load(Path(state_dir) / "visits.json")
        self.vectors = Vectors(Path(state_dir) / "vectors.json", embedder)
        self.retired = list(retired)
        self.associate = associate
        self.author = author or Author(worker="worker")
        self.s = settings
        self.rng = random.Random(seed)
        self.visited = 0
        self.nodes: list[Node] = []
        self.resolver: Resolver | None = None
        self.vec: dict[str, list[float]] = {}
        self.known: set[tuple] = set()

    # -- a cycle ---------------------------------------------------------------------------

    def prepare(self) -> list[str]:
        """Read the wiki, embed what changed; the node ids in visiting order."""
        import numpy as np

        self.nodes = [n for n in self.wiki.nodes() if n.id != "Dreams"]
        self.by_id = {n.id: n for n in self.nodes}
        self.resolver = self.wiki.resolver(self.nodes)
        self.links = {n.id: self.resolver.linked(n) for n in self.nodes}
        self.vec = self.vectors.of(self.nodes)
        self.ids = [n.id for n in self.nodes]
        self.matrix = np.array([self.vec[i] for i in self.ids], dtype="float32") if self.ids else np.zeros((0, 384))
        if len(self.ids):
            self.matrix /= np.maximum(np.linalg.norm(self.matrix, axis=1, keepdims=True), 1e-9)
        self.known = self._known()
        self.names: dict[str, list[int]] = {}   # a title or alias, lowercased, to the nodes it names
        for j, n in enumerate(self.nodes):
            for name in {n.title, *n.aliases}:
                if len(name) >= 3:
                    self.names.setdefault(" ".join(_words(name.lower())) or name.lower(), []).append(j)
        self.longest = max((k.count(" ") + 1 for k in self.names), default=1)
        return [n.id for n in self.visits.order(self.nodes)]

    def named(self, text: str) -> dict[int, str]:
        """The nodes a text names by title or alias, in whole words (a plural allowed): index -> name."""
        words = [w.lower() for w in _words(text)]
        found: dict[int, str] = {}
        for i in range(len(words)):
            for n in range(1, min(self.longest, len(words) - i) + 1):
                gram = " ".join(words[i:i + n])
                for key in (gram, gram[:-1] if gram.endswith("s") else None, gram[:-2] if gram.endswith("es") else None):
                    for j in self.names.get(key or "", ()):
                        found.setdefault(j, key)
        return found

    def _known(self) -> set[tuple]:
        """What is already proposed: waiting, or rejected for the same content."""
        out = set()
        for staged in self.queue.list():
            p = staged.proposal
            if staged.review.state == "merged":
                continue
            if staged.review.state == "rejected" and any(
                    self.by_id.get(n) is None or self.by_id[n].hash != h for n, h in p.nodes.items()):
                continue   # rejected for content that has since changed: it may be proposed afresh
            out.add(_key(p))
        return out

    def visit(self, node_id: str) -> list:
        """Every proposal for one node (nothing is staged here)."""
        node = self.by_id.get(node_id)
        if node is None:
            return []
        self.visited += 1
        found = [*self.crosslinks(node), *self.split(node), *self.frame(node), *self.stale(node), *self.dream(node)]
        return [p for p in found if _key(p) not in self.known]

    def stage(self, node_id: str, proposals: Sequence) -> None:
        for p in proposals:
            self.queue.stage(p)
            self.known.add(_key(p))
        self.visits.mark(node_id)
        self.visits.save()

    # -- what to propose -----------------------------------------------------------------------

    def _proposal(self, cls, nodes: Sequence[Node], rationale: str, **fields):
        return cls(id=new_id(cls.model_fields["kind"].default), created=now(), author=self.author,
                   rationale=rationale, nodes={n.id: n.hash for n in nodes}, **fields)

    def crosslinks(self, node: Node) -> list[Crosslink]:
        if not self.ids:
            return []
        i = self.ids.index(node.id)
        sims = self.matrix @ self.matrix[i]
        top = [j for j in sims.argsort()[::-1][: self.s.neighbours + 1] if j != i]
        named_in = self.named(_without_names(node))
        candidates = []
        for j in sorted(set(named_in) | set(top)):
            other = self.nodes[j]
            if other.id == node.id or other.id in self.links[node.id] or node.id in self.links[other.id]:
                continue
            named = named_in.get(j)
            sim = float(sims[j])
            if named and sim >= self.s.mention_min:
                candidates.append((1, sim, other, f"{node.title} mentions {named!r} without linking it "
                                                  f"(similarity {sim:.2f})"))
            elif j in top and sim >= self.s.neighbour_min:
                back = self.matrix @ self.matrix[j]
                if i in [k for k in back.argsort()[::-1][: self.s.neighbours + 1] if k != j]:
                    candidates.append((0, sim, other, f"{node.title} and {other.title} are each other's near "
                                                      f"neighbours (similarity {sim:.2f}) and not linked"))
        candidates.sort(key=lambda c: (c[0], c[1]), reverse=True)
        out = []
        for _, sim, other, why in candidates[: self.s.crosslinks_per_visit]:
            gist = _sentences(other.opening)[0] if other.opening else ""
            gist = gist if len(gist) <= 160 else gist[:157].rsplit(" ", 1)[0] + "…"
            sentence = f"[[{other.title}]]" + (f": {gist}" if gist else "")
            out.append(self._proposal(Crosslink, [node], why, source=node.id, target=other.title,
                                      sentence=sentence))
        return out

    def split(self, node: Node) -> list[Split]:
        sections = node.sections
        headed = [s for s in sections if s.heading]
        if len(headed) < 2:
            return []
        prose = [s for s in headed if len(_words(_prose(s.text))) >= self.s.prose_words]
        long = len(_words(node.body)) > self.s.split_words
        if len(prose) < 2 and not long:
            return []
        rationale = ""
        if not long:
            vectors = embed([_prose(s.text)[:2000] for s in prose], self.vectors.embedder)
            import numpy as np

            m = np.array(vectors, dtype="float32")
            m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
            sims = m @ m.T
            worst = float(max(sims[a, b] for a in range(len(prose)) for b in range(a + 1, len(prose))))
            if worst >= self.s.split_max_similarity:
                return []
            rationale = (f"its sections {', '.join(repr(s.heading) for s in prose)} are about unrelated things "
                         f"(similarity {worst:.2f})")
        else:
            rationale = f"it is {len(_words(node.body))} words long; its headed sections read on their own"
        starts = prose if not long else headed
        parts: list[tuple[str, str]] = []
        lead = node.body[: starts[0].start]
        for k, s in enumerate(starts):
            end = starts[k + 1].start if k + 1 < len(starts) else len(node.body)
            text = node.body[s.start:end]
            if k == 0:
                text = lead + text
            parts.append((self._part_title(s.heading, node), text))
        hub = (f"# {node.title}\n\n{node.title} was split into "
               + ", ".join(f"[[{t}]]" for t, _ in parts[:-1]) + f" and [[{parts[-1][0]}]].")
        return [self._proposal(Split, [node], rationale, node=node.id,
                               parts=[Part(title=t, text=x) for t, x in parts], hub=hub)]

    def _part_title(self, heading: str, node: Node) -> str:
        title = re.sub(r'[\\/:*?"<>|#^\[\]]', " ", heading).strip().strip(".") or "Part"
        title = re.sub(r"\s+", " ", title)
        if self.resolver.resolve(title) is not None or title.lower() == node.title.lower():
            title = f"{title} ({re.sub(r'[^A-Za-z0-9 _-]', ' ', node.title).strip()})"
        return title

    def frame(self, node: Node) -> list[Frame]:
        names = [n for n in (node.title, *node.aliases) if len(n) >= 3]
        if not names:
            return []
        opening = node.opening
        first = _sentences(opening)[0] if opening else ""
        if first and any(mentions(first, n) for n in names):
            return []
        pattern = "|".join(re.escape(n) for n in names)
        defining = re.compile(rf"^(?:an?\s+|the\s+)?\**(?:{pattern})\**(?:s|es)?\b[^.]*?\b(?:is|are|was|were|means|"
                              rf"refers to)\b", re.IGNORECASE)
        sentences = [s for s in _sentences(_prose(node.text())) if s not in first and len(_words(s)) >= 5]
        best = next((s for s in sentences if defining.search(s)), None)
        if best is None:
            return []
        return [self._proposal(Frame, [node], f"the opening ({first[:80]!r}) never says what {node.title} is; "
                                              "this sentence of the node does", node=node.id, opening=best)]

    def stale(self, node: Node) -> list[Stale]:
        out = []
        for r in self.retired:
            if not mentions(node.body, r.value):
                continue
            topic = {_stem(w) for w in _words(f"{r.about} {r.now}") if w.lower() not in STOP and len(w) > 3}
            topic -= {_stem(w) for w in _words(r.value)}
            for sentence in _sentences(node.body):
                if not mentions(sentence, r.value) or sentence.lstrip().startswith(">"):
                    continue
                if topic and not topic & {_stem(w) for w in _words(sentence)}:
                    continue   # the value said of something else (where what replaced it is known)
                out.append(self._proposal(
                    Stale, [node], f"{node.title} says {r.value!r}, which the user has since replaced",
                    node=node.id, claim=sentence,
                    why=(f"Since {r.when or 'then'} the user's memory says: {r.now}" if r.now
                         else f"The user's memory retired {r.value!r} on the night of {r.when or 'a past night'}"),
                    evidence=[*r.sources, f"retired: {r.value}"]))
                break
        return out

    def dream(self, node: Node) -> list[Dream]:
        if self.associate is None or not self.ids or self.visited % self.s.dream_every:
            return []
        i = self.ids.index(node.id)
        sims = self.matrix @ self.matrix[i]
        far = [j for j in range(len(self.ids)) if j != i and sims[j] < 0.25]
        if not far:
            return []
        other = self.nodes[self.rng.choice(far)]
        prompt = f"{node.title}: {node.opening[:240]}\n{other.title}: {other.opening[:240]}"
        text = (self.associate(prompt) or "").strip()
        if not text:
            return []
        return [self._proposal(Dream, [node, other], f"System 1 let {node.title} and {other.title} meet", text=text)]


def _without_names(node: Node) -> str:
    """A node's text without its own title and aliases: "Acorn squash" names itself, not "squash"."""
    text = node.text()
    for name in sorted({node.title, *node.aliases}, key=len, reverse=True):
        if len(name) >= 3:
            text = re.sub(rf"(?<![\w-]){re.escape(name)}(?:s|es)?(?![\w-])", " ", text, flags=re.IGNORECASE)
    return text


def _prose(text: str) -> str:
    """A section's prose: without headings, list items of links, and quoted callouts."""
    keep = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith(("#", ">")):
            continue
        if re.fullmatch(r"[-*]\s*(\[\[[^\]]*\]\][,;·\s]*)+", s):
            continue
        keep.append(re.sub(r"\[\[([^\]|#]*)(?:#[^\]|]*)?(?:\|([^\]]*))?\]\]", lambda m: m.group(2) or m.group(1), s))
    return " ".join(keep)


def _key(p) -> tuple:
    if p.kind == "crosslink":
        return ("crosslink", p.source, p.target.lower())
    if p.kind == "stale":
        return ("stale", p.node, p.claim)
    if p.kind == "dream":
        return ("dream", p.id)
    return (p.kind, p.node)
