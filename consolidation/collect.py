"""Collect: what happened since the last sleep, each item keeping its provenance.

The diary is the only source: documents the user adds with `reverie ingest` are
written into it as `note` entries first (see `ingest_document`), so a night can
always be replayed from the diary alone.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

from cognition.diary import Diary, Entry
from consolidation.examples import Item

CHUNK_CHARS = 1500


def item_from(entry: Entry) -> Item:
    kind = "document" if entry.kind == "note" and entry.meta.get("source") else entry.kind
    return Item(id=entry.id, kind=kind, text=entry.text, time=entry.time.isoformat(), reply=entry.reply,
                reward=entry.reward, chemistry=dict(entry.chemistry), meta=dict(entry.meta))


def collect(diary: Diary, since: datetime | None, until: datetime | None = None) -> list[Item]:
    """Every entry after `since` (all of them on the first night) and up to `until`, in time order."""
    return [item_from(e) for e in diary.entries(since=since)
            if (since is None or e.time > since) and (until is None or e.time <= until)]


def chunks(text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Paragraphs, merged up to `limit` characters (a paragraph longer than that is split at sentences)."""
    out: list[str] = []
    current = ""
    for para in (p.strip() for p in re.split(r"\n\s*\n", text)):
        if not para:
            continue
        pieces = [para] if len(para) <= limit else re.split(r"(?<=[.!?])\s+", para)
        for piece in pieces:
            if current and len(current) + len(piece) + 2 > limit:
                out.append(current)
                current = ""
            current = f"{current}\n\n{piece}" if current else piece
    if current:
        out.append(current)
    return out


class IngestError(ValueError):
    pass


def read_document(path: Path) -> tuple[str, str]:
    """A document's text and sha256, refused before anything is written: strict UTF-8, not empty.
    `reverie ingest` reads every file first, so one bad file among several writes none of them."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{path} is not valid UTF-8 (byte {exc.start}); convert it first, "
                          "e.g. `iconv -f latin1 -t utf-8`") from exc
    if not text.strip():
        raise IngestError(f"{path} is empty; nothing to ingest")
    return text, hashlib.sha256(raw).hexdigest()


def ingest_document(diary: Diary, path: Path, chemistry: dict[str, float] | None = None,
                    document: tuple[str, str] | None = None) -> list[Entry]:
    """Write a markdown or plain-text file into the diary as notes, one per chunk, each with
    the chemistry snapshot of the moment (every diary entry carries one). `document` is the
    file's `read_document()`, where the caller has read it already."""
    text, digest = document or read_document(path)
    parts = chunks(text)
    return [diary.write("note", part, chemistry=chemistry, meta={"source": str(Path(path).resolve()),
                                                                  "sha256": digest, "chunk": i, "chunks": len(parts)})
            for i, part in enumerate(parts)]
