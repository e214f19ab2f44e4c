"""Collect a night's window of the diary, and ingest documents into it with provenance."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cognition.diary import Diary
from consolidation.collect import IngestError, chunks, collect, ingest_document


def test_collect_takes_the_window_since_the_last_sleep(tmp_path):
    diary = Diary(tmp_path / "memory")
    t0 = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    old = diary.write("exchange", "My cat is called Tuppen.", reply="Nice.", when=t0)
    new = diary.write("thought", "Tuppen has one eye.", when=t0 + timedelta(hours=20))
    late = diary.write("exchange", "Good night!", when=t0 + timedelta(hours=30))
    items = collect(diary, since=old.time, until=t0 + timedelta(hours=24))
    assert [i.id for i in items] == [new.id]
    assert [i.id for i in collect(diary, None)] == [old.id, new.id, late.id]
    assert collect(diary, None)[0].reply == "Nice."


def test_ingest_writes_chunks_as_notes_with_their_source(tmp_path):
    diary = Diary(tmp_path / "memory")
    doc = tmp_path / "notes.md"
    doc.write_text("# Boat\n\nThe boat is called Gullfisk.\n\n" + ("Long paragraph. " * 200), encoding="utf-8")
    entries = ingest_document(diary, doc, {"adenosine": 0.2, "cortisol": 0.0, "dopamine": 1.0})
    assert len(entries) >= 2 and all(e.kind == "note" for e in entries)
    assert all(e.chemistry["adenosine"] == 0.2 for e in diary.entries())  # each carries the snapshot
    assert entries[0].meta["source"] == str(doc.resolve()) and entries[0].meta["chunks"] == len(entries)
    items = collect(diary, None)
    assert items[0].kind == "document" and "Gullfisk" in items[0].text


def test_ingest_refuses_broken_or_empty_files(tmp_path):
    diary = Diary(tmp_path / "memory")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9")
    with pytest.raises(IngestError, match="UTF-8"):
        ingest_document(diary, bad)
    empty = tmp_path / "empty.md"
    empty.write_text("  \n")
    with pytest.raises(IngestError, match="empty"):
        ingest_document(diary, empty)
    assert list(diary.entries()) == []


def test_chunks_respect_the_limit_and_keep_everything():
    text = "\n\n".join(f"Paragraph {i}. " + "word " * 50 for i in range(20))
    parts = chunks(text, limit=600)
    assert all(len(p) <= 600 for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")
