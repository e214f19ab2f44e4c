"""The diary: append-only markdown, one file per day, the source of truth.

Each record is one line of the file: an HTML comment holding the record as JSON,
followed by a human-readable rendering in plain markdown. The parser reads only the
comment lines, so a record parses back exactly as written whatever its text holds
(headings, blank lines, a megabyte of code), and damage stays local: a line that no
longer parses is skipped with a warning and left in the file untouched.

An exchange is written in two records with one id: the user's `message` first,
before anything that can fail, then the agent's `reply`. A turn that crashes halfway
leaves the message in the diary with no reply; nothing the user said is lost.

Appends take a file lock (several processes may share a home: the CLI, the daemon, the
server) and are fsynced before `append` returns.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Iterable, Iterator, Literal

from filelock import FileLock

from cognition.home import atomic_write_bytes

log = logging.getLogger(__name__)

Kind = Literal["exchange", "thought", "daydream", "note"]
KINDS: tuple[str, ...] = ("exchange", "thought", "daydream", "note")
SAID: tuple[str, ...] = ("exchange", "note")   # the kinds that are the user's own words, not the model's
SCHEMA = 1
_RECORD = re.compile(r"^<!-- reverie (\{.*\}) -->$")


class DiaryWriteError(OSError):
    """An entry could not be appended (a full disk); the day file is as it was before."""


@dataclass(frozen=True)
class Entry:
    """One memory. For an exchange, `text` is what the user said and `reply` the answer."""

    id: str
    kind: Kind
    time: datetime
    text: str
    reply: str | None = None
    reward: float = 1.0
    chemistry: dict[str, float] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    @property
    def day(self) -> date:
        return self.time.date()

    def document(self) -> str:
        """The text that represents this entry in the index and in prompts.

        For an exchange that is what the user said: the memory is theirs, and the
        agent's reply (kept in the diary) would only blur retrieval.
        """
        return self.text


def new_id(when: datetime) -> str:
    """The entry's day and second, and 48 random bits: hundreds of entries in one second (a
    burst of thoughts, several writers) must never share an id, since a day file is read by id."""
    # The year is padded by hand: strftime's %Y gives "999", not "0999", on glibc, and the id's
    # first eight characters must be the day file's date (`_day_of`).
    return f"{when.year:04d}{when:%m%d-%H%M%S}-{secrets.token_hex(6)}"


def now() -> datetime:
    return datetime.now(timezone.utc).astimezone()


class DiaryError(RuntimeError):
    pass


class Diary:
    """A user's `memory/` directory. Entries are appended, never rewritten."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._lock = FileLock(str(self.directory / ".diary.lock"))

    # -- writing -----------------------------------------------------------------

    def write(self, kind: Kind, text: str, *, reply: str | None = None, reward: float = 1.0,
              chemistry: dict[str, float] | None = None, meta: dict | None = None,
              when: datetime | None = None) -> Entry:
        """Append a whole entry (a thought, a note, or an exchange with its reply)."""
        if kind not in KINDS:
            raise ValueError(f"kind={kind!r} is not one of {KINDS}")
        when = when or now()
        entry = Entry(new_id(when), kind, when, text, reply, float(reward), dict(chemistry or {}), dict(meta or {}))
        self._append(when, [_message_record(entry)] + ([_reply_record(entry, {})] if reply is not None else []))
        return entry

    def begin_exchange(self, text: str, *, reward: float = 1.0, chemistry: dict[str, float] | None = None,
                       meta: dict | None = None, when: datetime | None = None) -> Entry:
        """Record what the user said, before any model runs."""
        return self.write("exchange", text, reward=reward, chemistry=chemistry, meta=meta, when=when)

    def finish_exchange(self, entry: Entry, reply: str, meta: dict | None = None) -> Entry:
        """Record the answer to an exchange begun with `begin_exchange` (same day file)."""
        done = replace(entry, reply=reply, meta={**entry.meta, **(meta or {})})
        self._append(entry.time, [_reply_record(done, meta or {})])
        return done

    def _append(self, when: datetime, records: list[dict]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(when.date())
        text = "".join(_render(r) for r in records)
        try:   # refused before the file is touched: a failed write must not leave half a record
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"diary: the entry holds {exc.object[exc.start:exc.end]!r}, a lone surrogate, which "
                             "UTF-8 cannot store; nothing was written") from None
        with self._lock:
            with open(path, "ab", buffering=0) as fh:   # unbuffered: what went in is known, and can be taken back
                size = fh.seek(0, os.SEEK_END)
                data = (f"# Diary — {when:%A %d %B %Y}\n\n" if size == 0 else "").encode() + text.encode("utf-8")
                try:
                    view = memoryview(data)
                    while view:
                        view = view[fh.write(view):]
                    os.fsync(fh.fileno())
                except OSError as exc:   # a full disk: take back the part that went in, keep the rest
                    fh.truncate(size)
                    raise DiaryWriteError(
                        f"the diary could not be written to {path} ({exc.strerror or exc}); nothing of this entry "
                        "was kept and the diary is as it was: free some space and say it again") from exc

    # -- forgetting -----------------------------------------------------------------

    def forget(self, ids: Iterable[str]) -> list[str]:
        """Replace each entry's records with a tombstone (its id and time, no content).

        The one rewrite the diary allows: each day file concerned is written anew
        atomically, every other line byte for byte as it was (damaged lines too).
        Returns the ids forgotten; an id not in the diary is not an error, and is not returned.
        """
        wanted: dict[date, set[str]] = {}
        for entry_id in ids:
            day = _day_of(entry_id)
            if day is not None:
                wanted.setdefault(day, set()).add(entry_id.split("~")[0])
        forgotten: list[str] = []
        with self._lock:
            for day, day_ids in sorted(wanted.items()):
                path = self.path_for(day)
                if not path.exists():
                    continue
                kept, gone = _without(path.read_bytes(), day_ids)
                if gone:
                    atomic_write_bytes(path, kept)
                    forgotten += gone
        return forgotten

    # -- reading -----------------------------------------------------------------

    def path_for(self, day: date) -> Path:
        return self.directory / f"{day.isoformat()}.md"

    def days(self) -> list[date]:
        out = []
        for p in sorted(self.directory.glob("????-??-??.md")):
            try:
                out.append(date.fromisoformat(p.stem))
            except ValueError:
                log.warning("diary: ignoring %s (its name is not a date)", p)
        return out

    def read_day(self, day: date) -> list[Entry]:
        path = self.path_for(day)
        return list(_parse(path)) if path.exists() else []

    def entries(self, since: datetime | None = None) -> Iterator[Entry]:
        """All entries in time order, optionally those at or after `since`."""
        # A day file is named by its entries' local date, and `since` may sit in another
        # time zone: UTC-12 and UTC+14 put one instant on dates two days apart.
        first_day = since.date() - timedelta(days=2) if since is not None else None
        for day in self.days():
            if first_day is not None and day < first_day:
                continue
            for entry in self.read_day(day):
                if since is None or entry.time >= since:
                    yield entry

    def get(self, entry_id: str) -> Entry | None:
        day = _day_of(entry_id)
        if day is None:
            return None
        return next((e for e in self.read_day(day) if e.id == entry_id), None)

    def counts(self) -> dict[str, int]:
        counts = {k: 0 for k in KINDS}
        for entry in self.entries():
            counts[entry.kind] += 1
        return counts


# -- the file format ------------------------------------------------------------------


def _day_of(entry_id: str) -> date | None:
    try:
        return date(int(entry_id[:4]), int(entry_id[4:6]), int(entry_id[6:8]))
    except ValueError:
        return None


def _without(raw: bytes, ids: set[str]) -> tuple[bytes, list[str]]:
    """A day file's bytes with the records of `ids` (and what renders them) replaced by tombstones."""
    out: list[bytes] = []
    gone: list[str] = []
    skipping = False
    # Lines end at "\n" alone, as `_parse` reads them: bytes.splitlines would also cut at a "\r" in
    # the text, and a forgotten entry's text after it would be kept.
    for line in BytesIO(raw):
        if line.startswith(b"<!-- reverie "):
            record = _record_of(line)
            skipping = (record is not None and isinstance(record.get("id"), str) and record["id"] in ids
                        and record.get("part") != "tombstone")
            if skipping and record.get("part") == "message":
                tomb = {"v": SCHEMA, "part": "tombstone", "id": record["id"], "time": record["time"],
                        "forgotten": now().isoformat()}
                out.append(_render(tomb).encode("utf-8"))
                gone.append(record["id"])
            if skipping:
                continue
        if not skipping:
            out.append(line)
    return b"".join(out), gone


def _record_of(line: bytes) -> dict | None:
    try:
        match = _RECORD.match(line.decode("utf-8").rstrip("\r\n"))
        return json.loads(match.group(1)) if match else None
    except (UnicodeDecodeError, ValueError):
        return None


def _message_record(e: Entry) -> dict:
    return {"v": SCHEMA, "part": "message", "id": e.id, "kind": e.kind, "time": e.time.isoformat(),
            "text": e.text, "reward": e.reward, "chemistry": e.chemistry, "meta": e.meta}


def _reply_record(e: Entry, meta: dict) -> dict:
    return {"v": SCHEMA, "part": "reply", "id": e.id, "time": now().isoformat(), "text": e.reply, "meta": meta}


def _encode(record: dict) -> str:
    # "<" and ">" are escaped so no text can close the HTML comment early.
    raw = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return raw.replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def _render(r: dict) -> str:
    head = f"<!-- reverie {_encode(r)} -->\n"
    if r["part"] == "tombstone":
        return head + f"### {datetime.fromisoformat(r['time']):%H:%M:%S} · forgotten · `{r['id']}`\n\n"
    if r["part"] == "reply":
        return head + f"**reverie:**\n{_quote(r['text'])}\n\n"
    when = datetime.fromisoformat(r["time"])
    who = "**user:**\n" if r["kind"] == "exchange" else ""
    return head + f"### {when:%H:%M:%S} · {r['kind']} · `{r['id']}`\n\n{who}{_quote(r['text'])}\n\n"


def _parse(path: Path) -> Iterator[Entry]:
    """Entries of one day file in order; damaged lines are skipped with a warning, never removed."""
    entries: dict[str, Entry] = {}
    raw = path.read_bytes()
    for lineno, line_bytes in enumerate(raw.split(b"\n"), 1):
        if not line_bytes.startswith(b"<!-- reverie "):
            continue
        try:
            line = line_bytes.decode("utf-8")
            match = _RECORD.match(line)
            if not match:
                raise ValueError("the record is not closed")
            record = json.loads(match.group(1))
            _apply(entries, record)
        except (ValueError, KeyError, TypeError, RecursionError) as exc:   # RecursionError: JSON nested too deep
            log.warning("diary: skipping damaged record at %s:%d (%s); the line is left as it is", path, lineno, exc)
    yield from entries.values()


def _apply(entries: dict[str, Entry], r: dict) -> None:
    if r.get("v", 1) > SCHEMA:
        raise ValueError(f"record schema v{r['v']} is newer than this reverie (v{SCHEMA}); upgrade reverie")
    if not isinstance(r.get("id"), str):
        raise ValueError(f"id {r.get('id')!r} is not a string")
    if r["part"] == "message":
        if r["kind"] not in KINDS:
            raise ValueError(f"unknown kind {r['kind']!r}")
        if not isinstance(r["text"], str):
            raise TypeError("text is not a string")
        key = r["id"]   # ids were shorter once, and two entries of one second could share one: both are kept
        n = 1
        while key in entries:
            n += 1
            key = f"{r['id']}~{n}"
        entries[key] = Entry(key, r["kind"], datetime.fromisoformat(r["time"]), r["text"], None,
                             float(r.get("reward", 1.0)), _object(r, "chemistry"), _object(r, "meta"))
    elif r["part"] == "tombstone":   # a forgotten entry: its id and time stay, nothing else
        return
    elif r["part"] == "reply":
        sharing = [k for k in entries if k == r["id"] or k.startswith(f"{r['id']}~")]
        if not sharing:
            raise KeyError(f"reply to unknown entry {r['id']}")
        exchanges = [k for k in sharing if entries[k].kind == "exchange"] or sharing
        key = next((k for k in reversed(exchanges) if entries[k].reply is None), exchanges[-1])   # the latest awaiting one
        base = entries[key]
        entries[key] = replace(base, reply=str(r["text"]), meta={**base.meta, **_object(r, "meta")})
    else:
        raise ValueError(f"unknown part {r['part']!r}")


def _object(r: dict, key: str) -> dict:
    value = r.get(key) or {}
    if not isinstance(value, dict):
        raise ValueError(f"{key} {value!r} is not an object")
    return dict(value)
