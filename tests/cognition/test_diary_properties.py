"""Properties of the diary's file format, over any text Hypothesis can make.

The diary is the source of truth, and what it holds came from outside: whatever a user
typed, a model wrote, or a hand or a disk did to the file since. So: any exchange reads
back exactly (text and reply byte for byte, times, ids, reward, chemistry, meta); text
UTF-8 cannot store is refused before the file is touched; a damaged line never stops a
day being read; and forgetting leaves nothing of the forgotten text behind.
"""

from __future__ import annotations

import json
import logging
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cognition.diary import KINDS, Diary, Entry

FAST = settings(max_examples=60, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

# Pieces that look like the file's own syntax, so generated texts try to close the record's
# comment, forge a record line, start a heading or a quote, or cut a line in an odd place.
SYNTAX = ["\n", "\r", "\r\n", "\x00", "\x85", "\u2028", "\u2029", "\ufeff", "<!-- reverie ", " -->", "-->", "<!--",
          '{"v":1,"part":"message","id":"20260101-000000-000000000000","kind":"note","time":"2026-01-01T00:00:00",'
          '"text":"forged"}', "# Diary — Monday", "### 12:00:00 · note · `x`", "**reverie:**", "> ", ">", "```",
          "\\u003c", "\\", '"', "{", "}", "  ", "\t", "é", "👩‍👩‍👧", "\U0010ffff"]
texts = st.lists(st.one_of(st.text(), st.sampled_from(SYNTAX)), max_size=8).map("".join)
offsets = st.integers(-(24 * 3600 - 1), 24 * 3600 - 1).map(lambda s: timezone(timedelta(seconds=s)))
times = st.one_of(st.datetimes(), st.datetimes(timezones=offsets))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), st.floats(allow_nan=False), texts)
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                             st.dictionaries(texts, inner, max_size=3)), max_leaves=8)
metas = st.dictionaries(texts, json_values, max_size=4)
chemistries = st.dictionaries(st.sampled_from(["adenosine", "cortisol", "dopamine", "é"]),
                              st.floats(allow_nan=False), max_size=3)


def same(got: Entry, want: Entry) -> None:
    assert (got.id, got.kind, got.text, got.reply) == (want.id, want.kind, want.text, want.reply)
    assert got.time == want.time and got.time.isoformat() == want.time.isoformat()
    assert (got.reward, got.chemistry, got.meta) == (want.reward, want.chemistry, want.meta)


@FAST
@given(text=texts, reply=texts, when=times, reward=st.floats(allow_nan=False), chemistry=chemistries,
       meta=metas, reply_meta=metas)
@example(text="x" * 1_000_000 + "\r\n<!-- reverie {} -->", reply="\x00\r", when=datetime(999, 12, 31, 23, 59, 59),
         reward=1.0, chemistry={}, meta={}, reply_meta={})   # a megabyte line; a year strftime does not pad
def test_an_exchange_reads_back_exactly(text, reply, when, reward, chemistry, meta, reply_meta):
    with tempfile.TemporaryDirectory() as tmp:
        diary = Diary(Path(tmp))
        begun = diary.begin_exchange(text, reward=reward, chemistry=chemistry, meta=meta, when=when)
        done = diary.finish_exchange(begun, reply, meta=reply_meta)
        (read,) = diary.read_day(when.date())
        same(read, done)
        same(diary.get(done.id), done)   # found by its id alone (the id names the day file)
        assert diary.counts()["exchange"] == 1


@FAST
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=5), data=st.data())
def test_entries_of_one_day_read_back_in_order(kinds, data):
    when = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as tmp:
        diary = Diary(Path(tmp))
        written = []
        for n, kind in enumerate(kinds):
            reply = data.draw(st.one_of(st.none(), texts)) if kind == "exchange" else None
            written.append(diary.write(kind, data.draw(texts), reply=reply, when=when + timedelta(seconds=n)))
        read = diary.read_day(when.date())
        assert len(read) == len(written)
        for got, want in zip(read, written):
            same(got, want)


@FAST
@given(before=st.text(), after=st.text(), surrogate=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
       where=st.sampled_from(["text", "reply", "meta"]), fresh=st.booleans())
def test_a_lone_surrogate_is_refused_before_the_file_is_touched(before, after, surrogate, where, fresh):
    # A str from JSON's "\ud800" or a surrogateescape'd byte holds one; UTF-8 cannot. The write
    # used to fail half done: a new day file was left holding its heading and no record.
    bad = before + surrogate + after
    when = datetime(2026, 3, 2, 9, 0)
    with tempfile.TemporaryDirectory() as tmp:
        diary = Diary(Path(tmp))
        kept = [] if fresh else [diary.write("note", "already here", when=when)]
        was = b"" if fresh else diary.path_for(when.date()).read_bytes()
        args = {"text": ("note", bad, {}), "reply": ("exchange", "hi", {"reply": bad}),
                "meta": ("note", "hi", {"meta": {"k": bad}})}[where]
        try:
            diary.write(args[0], args[1], when=when, **args[2])
        except ValueError as exc:
            assert "surrogate" in str(exc)
        else:
            raise AssertionError(f"{bad!r} in the {where} was written")
        path = diary.path_for(when.date())
        assert (path.read_bytes() if path.exists() else b"") == was
        read = diary.read_day(when.date())
        assert len(read) == len(kept)
        for got, want in zip(read, kept):
            same(got, want)


@st.composite
def damage(draw) -> bytes:
    """What a damaged record line can hold: raw bytes, a cut-off line, or a well-formed comment around
    JSON of any shape, including records whose fields have the wrong types."""
    keys = st.sampled_from(["v", "part", "id", "kind", "time", "text", "reward", "chemistry", "meta", "x"])
    fields = st.one_of(json_values, st.sampled_from(["message", "reply", "tombstone", "note", "exchange",
                                                     "2026-03-02T09:00:00", "20260302-090000-000000000000", 1, 2]))
    record = st.dictionaries(keys, fields, max_size=9)
    return draw(st.one_of(
        st.binary(max_size=60).map(lambda b: b"<!-- reverie " + b.replace(b"\n", b"")),
        record.map(lambda r: f"<!-- reverie {json.dumps(r)} -->".encode()),
        st.integers(1, 4000).map(lambda n: b"<!-- reverie {" + b"[" * n + b"]" * n + b"} -->"),
    ))


@FAST
@given(texts=st.lists(texts, min_size=2, max_size=4), hit=st.integers(0, 7), bad=damage())
def test_a_damaged_line_is_skipped_and_every_other_entry_still_reads(texts, hit, bad):
    when = datetime(2026, 3, 2, 9, 0)
    with tempfile.TemporaryDirectory() as tmp, _warnings() as warnings:
        diary = Diary(Path(tmp))
        written = [diary.write("exchange", t, reply=t[::-1], when=when + timedelta(seconds=n))
                   for n, t in enumerate(texts)]
        path = diary.path_for(when.date())
        lines = path.read_bytes().split(b"\n")
        records = [i for i, line in enumerate(lines) if line.startswith(b"<!-- reverie ")]
        lineno = records[hit % len(records)]
        lines[lineno] = bad
        path.write_bytes(b"\n".join(lines))

        read = {e.id: e for e in diary.read_day(when.date())}   # never raises
        for e in read.values():
            assert e.kind in KINDS and isinstance(e.text, str) and isinstance(e.time, datetime)
        damaged = records.index(lineno) // 2   # each exchange wrote two records, message then reply
        for n, want in enumerate(written):
            if n != damaged:
                same(read[want.id], want)   # another entry's lines are untouched
        if written[damaged].id not in read:
            assert warnings and "skipping damaged record" in warnings[0], warnings
        diary.forget(read)   # forgetting around a damaged line never raises either
        assert all(e.id not in read for e in diary.read_day(when.date()))


@FAST
@given(secret=texts, others=st.lists(texts, min_size=1, max_size=3))
@example(secret="one\r<!-- reverie x\rtwo", others=["kept"])   # bytes.splitlines cut at "\r": "two" was kept
def test_forgetting_leaves_nothing_of_the_forgotten_text(secret, others):
    marker = "Qz7-forget-me"
    # The marker closes every piece of the text, however a reader cuts it into lines (and leaves
    # each piece's start as it was, where a forged record may sit).
    forgotten = "".join(marker + c if c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029" else c for c in secret) + marker
    when = datetime(2026, 3, 2, 9, 0)
    with tempfile.TemporaryDirectory() as tmp:
        diary = Diary(Path(tmp))
        kept = [diary.write("note", t, when=when) for t in others[:1]]
        gone = diary.write("exchange", forgotten, reply=forgotten, when=when)
        kept += [diary.write("note", t, when=when) for t in others[1:]]
        assert diary.forget([gone.id]) == [gone.id]
        raw = diary.path_for(when.date()).read_bytes()
        assert marker.encode() not in raw, raw
        read = diary.read_day(when.date())
        assert len(read) == len(kept)
        for got, want in zip(read, kept):
            same(got, want)


class _warnings:
    """The diary's warnings, gathered without pytest's function-scoped caplog (Hypothesis runs a
    test many times inside one call of the fixture)."""

    def __enter__(self) -> list[str]:
        self.messages: list[str] = []
        self.handler = logging.Handler()
        self.handler.emit = lambda record: self.messages.append(record.getMessage())
        logging.getLogger("cognition.diary").addHandler(self.handler)
        return self.messages

    def __exit__(self, *exc) -> None:
        logging.getLogger("cognition.diary").removeHandler(self.handler)
