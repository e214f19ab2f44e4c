"""The wiki store: a folder of markdown nodes, an Obsidian vault or a docs folder as it is.

A node is one `.md` file. Its id is its path under the wiki without `.md` ("Animals/Beagle").
It may open with YAML front matter (`id`, `title`, `updated`, `sources`, and whatever else
the person keeps there, `aliases` included); a node without it is read as it is and gains
it only when a merge touches it. Links are `[[wikilinks]]` (with `|alias` and `#heading`,
embeds `![[…]]` too) or markdown links to `.md` files. Reading never changes a file, and
`Node.render` of an untouched node gives back its bytes exactly.

A node whose front matter does not parse, or whose bytes are not UTF-8, is skipped with
a warning and never rewritten (`Wiki.skipped` says which and why).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Iterator
from urllib.parse import unquote

import yaml

log = logging.getLogger(__name__)

FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
WIKILINK = re.compile(r"(!?)\[\[([^\[\]|#\n]*)(#[^\[\]|\n]*)?(?:\|([^\[\]\n]*))?\]\]")
MDLINK = re.compile(r"(?<!!)\[([^\[\]\n]*)\]\(([^()\s]+?\.md)(#[^()\s]*)?\)")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
SKIP_DIRS = {".git", ".obsidian", ".trash", "node_modules", ".reverie"}
_WARNED: set[str] = set()


class WikiError(ValueError):
    """A wiki operation that cannot be done as asked; the message says why."""


@dataclass(frozen=True)
class Link:
    target: str              # as written: "Beagle", "Animals/Beagle", "beagle.md"
    heading: str | None
    alias: str | None
    kind: str                # "wiki" or "markdown"
    start: int               # span in the body
    end: int


@dataclass(frozen=True)
class Section:
    heading: str | None      # None for the text before the first heading
    level: int
    start: int               # span in the body, heading line included
    end: int
    text: str


@dataclass(frozen=True)
class Node:
    id: str
    path: Path
    raw: bytes
    meta: dict
    body: str
    has_front_matter: bool
    front: str = ""          # the front matter block exactly as written (with its fences)

    @cached_property
    def hash(self) -> str:
        return content_hash(self.raw)

    @property
    def title(self) -> str:
        if isinstance(self.meta.get("title"), str) and self.meta["title"].strip():
            return self.meta["title"].strip()
        first = HEADING.search(self.body)
        if first and len(first.group(1)) == 1:
            return first.group(2).strip()
        return PurePosixPath(self.id).name

    @property
    def aliases(self) -> list[str]:
        raw = self.meta.get("aliases") or []
        return [raw] if isinstance(raw, str) else [str(a) for a in raw if a]

    @cached_property
    def links(self) -> list[Link]:
        found = [Link(m.group(2).strip(), (m.group(3) or "")[1:] or None, m.group(4), "wiki", m.start(), m.end())
                 for m in WIKILINK.finditer(self.body) if m.group(2).strip()]
        found += [Link(unquote(m.group(2)), (m.group(3) or "")[1:] or None, m.group(1), "markdown", m.start(), m.end())
                  for m in MDLINK.finditer(self.body) if "://" not in m.group(2)]
        return sorted(found, key=lambda l: l.start)

    @cached_property
    def sections(self) -> list[Section]:
        """The body cut at its headings (`##` and deeper; a `#` title stays with the opening)."""
        cuts = [(m.start(), len(m.group(1)), m.group(2).strip()) for m in HEADING.finditer(self.body)
                if len(m.group(1)) >= 2 and not _in_code(self.body, m.start())]
        out, start, heading, level = [], 0, None, 0
        for pos, lvl, title in cuts:
            if pos > start or heading is not None:
                out.append(Section(heading, level, start, pos, self.body[start:pos]))
            start, heading, level = pos, title, lvl
        out.append(Section(heading, level, start, len(self.body), self.body[start:]))
        return [s for s in out if s.text.strip() or s.heading]

    @property
    def opening(self) -> str:
        """The first paragraph of prose: what a reader sees first (a `#` title line is not prose)."""
        for block in re.split(r"\n\s*\n", self.body):
            lines = [l for l in block.strip().splitlines() if l.strip() and not re.match(r"#\s", l)]
            if lines and not lines[0].lstrip().startswith(("#", "|", "```", "- ", "* ", "> ", "---")):
                return " ".join(l.strip() for l in lines)
        return ""

    def render(self, body: str | None = None, meta: dict | None = None) -> bytes:
        """The file's bytes with a new body and/or front matter; unchanged parts stay as they were.

        A node that had no front matter gains `id`, `title` and `updated` (and `sources`
        when given) only here, when a merge changes it.
        """
        body = self.body if body is None else body
        if meta is None and body == self.body:
            return self.raw
        if meta is None and self.has_front_matter:
            return (self.front + body).encode("utf-8")
        meta = dict(self.meta if meta is None else meta)
        meta.setdefault("id", self.id)
        meta.setdefault("title", self.title)
        meta["updated"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        meta.setdefault("sources", [])
        return render_front(meta).encode("utf-8") + body.encode("utf-8")

    def text(self) -> str:
        """The body without link syntax: what a reader reads (for embeddings and checks)."""
        def plain(m: re.Match) -> str:
            return m.group(4) or m.group(2)

        out = WIKILINK.sub(plain, self.body)
        return MDLINK.sub(lambda m: m.group(1), out)


def render_front(meta: dict) -> str:
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False) + "---\n"


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _in_code(text: str, pos: int) -> bool:
    return text.count("```", 0, pos) % 2 == 1


def parse(node_id: str, path: Path, raw: bytes) -> Node:
    """A node from its bytes; raises WikiError when its text or front matter cannot be read."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WikiError(f"{path} is not UTF-8 (byte {exc.start})") from exc
    if text.startswith("\ufeff"):
        raise WikiError(f"{path} starts with a byte-order mark; save it as plain UTF-8")
    m = FRONT.match(text)
    if not m:
        return Node(node_id, path, raw, {}, text, False)
    try:
        meta = yaml.safe_load(m.group(1)) if m.group(1).strip() else {}
    except yaml.YAMLError as exc:
        raise WikiError(f"{path}: its front matter is not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(meta, dict):
        raise WikiError(f"{path}: its front matter is not a mapping of keys to values")
    return Node(node_id, path, raw, meta, text[m.end():], True, text[:m.end()])


@dataclass
class Wiki:
    """A wiki folder. Nodes are read fresh from disk; nothing here writes a node (merges do)."""

    root: Path
    skipped: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        self.root = Path(self.root).expanduser().resolve()

    # -- reading ------------------------------------------------------------------------

    def paths(self) -> Iterator[Path]:
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith(".md") and not name.startswith("."):
                    yield Path(dirpath) / name

    def node_id(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).with_suffix("").as_posix()

    def nodes(self) -> list[Node]:
        out = []
        self.skipped = {}
        for path in self.paths():
            node_id = self.node_id(path)
            try:
                out.append(parse(node_id, path, path.read_bytes()))
            except WikiError as exc:
                if str(exc) not in _WARNED:   # once per process, not at every read
                    _WARNED.add(str(exc))
                    log.warning("wiki: skipping %s", exc)
                self.skipped[node_id] = str(exc)
        return out

    def node(self, node_id: str) -> Node | None:
        path = self.path_of(node_id)
        if not path.is_file():
            return None
        return parse(node_id, path, path.read_bytes())

    def path_of(self, node_id: str) -> Path:
        """The file of a node id; an id that would leave the wiki folder is refused."""
        return self.inside(node_id + ".md")

    def inside(self, relative: str) -> Path:
        rel = PurePosixPath(relative)
        if not relative or rel.is_absolute() or ".." in rel.parts or (rel.parts and rel.parts[0] in SKIP_DIRS) \
                or "\\" in relative or "\0" in relative:
            raise WikiError(f"{relative!r} is not a path inside the wiki")
        path = (self.root / rel).resolve()
        if path != self.root and self.root not in path.parents:
            raise WikiError(f"{relative!r} leads outside the wiki folder")
        return path

    def resolver(self, nodes: list[Node] | None = None) -> "Resolver":
        return Resolver(self.nodes() if nodes is None else nodes)


class Resolver:
    """Obsidian's way of finding a link's node: its path, else its file name, else a title or alias."""

    def __init__(self, nodes: list[Node]):
        self.by_id = {n.id.lower(): n for n in nodes}
        self.by_name: dict[str, Node] = {}
        self.by_title: dict[str, Node] = {}
        for n in sorted(nodes, key=lambda n: (n.id.count("/"), n.id)):   # the shortest path wins, as Obsidian's
            self.by_name.setdefault(PurePosixPath(n.id).name.lower(), n)
            for label in (n.title, *n.aliases):
                self.by_title.setdefault(label.lower(), n)

    def resolve(self, target: str) -> Node | None:
        key = target.strip().removesuffix(".md").strip("/").lower()
        if not key:
            return None
        return self.by_id.get(key) or self.by_name.get(PurePosixPath(key).name if "/" not in key else "\0") \
            or self.by_title.get(key)

    def linked(self, node: Node) -> set[str]:
        """The ids of the nodes this node links to (those that resolve)."""
        return {found.id for link in node.links if (found := self.resolve(link.target)) is not None}


# -- where a home's wiki is ------------------------------------------------------------------


def wiki_path(home: Path) -> Path | None:
    """The wiki folder `reverie wiki init` recorded for this home, or None."""
    record = Path(home) / "wiki.json"
    try:
        return Path(json.loads(record.read_text(encoding="utf-8"))["path"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as exc:
        raise WikiError(f"{record} is damaged ({exc}); run `reverie wiki init --path DIR` again") from exc


def init_wiki(home: Path, path: Path | None = None) -> tuple[Wiki, bool]:
    """Adopt a folder (an Obsidian vault, a docs folder) as this home's wiki, or create `<home>/wiki/`.

    Nothing in the folder is changed. Returns the wiki and whether the folder was created.
    """
    from cognition.home import atomic_write_text

    target = Path(path).expanduser().resolve() if path else (Path(home) / "wiki").resolve()
    if target.exists() and not target.is_dir():
        raise WikiError(f"{target} is a file, not a folder")
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    for state in ("pending", "merged", "rejected"):
        (Path(home) / "proposals" / state).mkdir(parents=True, exist_ok=True)
    atomic_write_text(Path(home) / "wiki.json", json.dumps({"path": str(target)}, indent=2))
    return Wiki(target), created


def open_wiki(home: Path) -> Wiki:
    path = wiki_path(home)
    if path is None:
        raise WikiError("this home has no wiki yet: `reverie wiki init` creates one, or "
                        "`reverie wiki init --path DIR` adopts a folder of markdown notes")
    if not path.is_dir():
        raise WikiError(f"the wiki folder {path} is gone; restore it or run `reverie wiki init --path DIR`")
    return Wiki(path)
