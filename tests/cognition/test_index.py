"""The memory index: Chroma over the diary with the real offline all-MiniLM-L6-v2 embedder."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import pytest

from cognition.diary import Diary
from cognition.index import MAX_DOCUMENT_CHARS, MemoryIndex, cosine, embed

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

MEMORIES = [
    ("exchange", "My sister Gunnhild lives in Narvik."),
    ("exchange", "I'm allergic to celery, so please never suggest recipes with it."),
    ("exchange", "My husband Halvard is a piano tuner."),
    ("exchange", "We have a one-eyed cat named Tuppen."),
    ("thought", "Maybe the user would enjoy a trip to the Lofoten islands."),
    ("daydream", "A piano made of ice, tuned by a cat, playing on a ferry."),
    ("note", "My shifts on the ferry start at 5:40 in the morning."),
]


def _diary(directory) -> Diary:
    d = Diary(directory)
    for i, (kind, text) in enumerate(MEMORIES):
        # Spread over several days so reindex has to read several files.
        d.write(kind, text, reply="Noted." if kind == "exchange" else None, when=T0 + timedelta(hours=20 * i))
    return d


@pytest.fixture
def diary(tmp_path) -> Diary:
    return _diary(tmp_path / "memory")


@pytest.fixture
def index(tmp_path, diary) -> MemoryIndex:
    idx = MemoryIndex(tmp_path / "index")
    idx.add(diary.entries())
    return idx


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> tuple[Diary, MemoryIndex]:
    """One diary and index for the tests that only search (building one costs about a second)."""
    root = tmp_path_factory.mktemp("shared-index")
    d = _diary(root / "memory")
    idx = MemoryIndex(root / "index")
    idx.add(d.entries())
    return d, idx


def ids_by_text(diary: Diary) -> dict[str, str]:
    return {e.text: e.id for e in diary.entries()}


@pytest.mark.parametrize("query,expected", [
    ("Where does my sister live?", "My sister Gunnhild lives in Narvik."),
    ("Which vegetable must I avoid in food?", "I'm allergic to celery, so please never suggest recipes with it."),
    ("What does Halvard do for work?", "My husband Halvard is a piano tuner."),
    ("What is the name of my pet?", "We have a one-eyed cat named Tuppen."),
    ("When does my work begin each day?", "My shifts on the ferry start at 5:40 in the morning."),
])
def test_search_ranks_the_right_memory_first(shared, query, expected):
    diary, index = shared
    hits = index.search(query, k=3)
    assert len(hits) == 3
    assert hits[0].id == ids_by_text(diary)[expected]
    assert hits[0].document == expected
    assert [h.distance for h in hits] == sorted(h.distance for h in hits)


def test_hit_metadata(shared):
    diary, index = shared
    [hit] = index.search("Gunnhild in Narvik", k=1)
    entry = diary.get(hit.id)
    assert (hit.kind, hit.date) == (entry.kind, entry.day.isoformat())
    assert 0.0 <= hit.distance < 0.5


def test_exchange_is_indexed_by_what_the_user_said(tmp_path):
    d = Diary(tmp_path / "memory")
    e = d.write("exchange", "My cat is called Tuppen.", reply="What a lovely name for a cat!", when=T0)
    idx = MemoryIndex(tmp_path / "index")
    idx.add([e])
    assert idx.search("cat", k=1)[0].document == "My cat is called Tuppen."


def test_kinds_filter(shared):
    _, index = shared
    hits = index.search("piano and a cat", k=10, kinds=["daydream"])
    assert [h.kind for h in hits] == ["daydream"]
    hits = index.search("ferry", k=10, kinds=["thought", "note"])
    assert {h.kind for h in hits} == {"thought", "note"}
    assert len(hits) == 2
    unfiltered = index.search("ferry", k=10)
    assert len(unfiltered) == len(MEMORIES)


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_returns_nothing(shared, query):
    _, index = shared
    assert index.search(query) == []


def test_k_zero_and_empty_index(tmp_path, shared):
    _, index = shared
    assert index.search("cat", k=0) == []
    assert MemoryIndex(tmp_path / "empty-index").search("cat") == []


def test_add_is_idempotent_by_id(index, diary):
    before = index.count()
    assert index.add(diary.entries()) == len(MEMORIES)
    assert index.count() == before == len(MEMORIES)
    assert index.add([]) == 0


def test_reindex_after_deleting_the_index_restores_every_entry(tmp_path, index, diary):
    assert index.count() == len(MEMORIES)
    shutil.rmtree(tmp_path / "index")

    fresh = MemoryIndex(tmp_path / "index")
    assert fresh.reindex(diary, batch=3) == len(MEMORIES)
    assert fresh.count() == len(MEMORIES)
    for text, entry_id in ids_by_text(diary).items():
        assert fresh.search(text, k=1)[0].id == entry_id

    # And it persists: another instance on the same directory sees the rebuilt index.
    assert MemoryIndex(tmp_path / "index").count() == len(MEMORIES)


def test_reindex_drops_entries_no_longer_in_the_diary(tmp_path, index, diary):
    other = Diary(tmp_path / "other-memory")
    only = other.write("note", "A single note about sourdough.", when=T0)
    assert index.reindex(other) == 1
    assert index.count() == 1
    assert index.search("cat")[0].id == only.id


def test_long_documents_are_indexed_by_their_head(tmp_path):
    d = Diary(tmp_path / "memory")
    e = d.write("note", "Sourdough starter named Gulliver. " + "filler " * 2000, when=T0)
    idx = MemoryIndex(tmp_path / "index")
    idx.add([e])
    [hit] = idx.search("What is my sourdough starter called?", k=1)
    assert hit.id == e.id
    assert len(hit.document) == MAX_DOCUMENT_CHARS
    assert len(d.get(e.id).text) > MAX_DOCUMENT_CHARS  # the diary keeps it whole


def test_embeddings_are_unit_length_and_semantic():
    a, b, c = embed(["My cat is called Tuppen.", "The name of my cat is Tuppen.", "Engine oil viscosity grades."])
    assert len(a) == 384
    assert cosine(a, a) == pytest.approx(1.0, abs=1e-5)
    assert cosine(a, b) > cosine(a, c) + 0.3
    assert embed([]) == []
