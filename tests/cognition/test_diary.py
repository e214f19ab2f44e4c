"""The diary: records parse back exactly as written, damage stays local, files only grow."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta, timezone

import pytest

from cognition.diary import Diary, Entry, new_id

OSLO = timezone(timedelta(hours=1))
T0 = datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=OSLO)

AWKWARD_TEXTS = [
    "plain",
    "# A heading\n\n## Another\n### 09:00:00 · exchange · `20260302-090000-abcdef`\n",
    "an arrow --> that would close a comment",
    '<!-- reverie {"v":1,"part":"message","id":"forged","kind":"note","time":"2026-03-02T00:00:00","text":"x"} -->',
    "line one\nline two\n\n\nline five\r\nwith a carriage return",
    "unicode: Ærøskøbing, 東京, emoji 🐈‍⬛, separators \u2028 and \u2029, nel \x85, tab\t.",
    "> already quoted\n>\n> - list",
    "",
    "   leading and trailing spaces   ",
]


@pytest.fixture
def diary(tmp_path) -> Diary:
    return Diary(tmp_path / "memory")


def test_write_round_trips_awkward_texts(diary):
    written = [
        diary.write("note", text, when=T0 + timedelta(seconds=i), reward=1.5 + i / 7,
                    chemistry={"adenosine": 0.1 * i, "cortisol": 1 / 3}, meta={"i": i, "tags": ["a", "b"]})
        for i, text in enumerate(AWKWARD_TEXTS)
    ]
    parsed = diary.read_day(T0.date())
    assert parsed == written
    # The forged record inside a text must not have created an entry of its own.
    assert [e.id for e in parsed] == [e.id for e in written]


@pytest.mark.parametrize("text", AWKWARD_TEXTS)
def test_exchange_round_trips(diary, text):
    begun = diary.begin_exchange(text, reward=2.0, chemistry={"dopamine": 2.0}, meta={"source": "cli"}, when=T0)
    done = diary.finish_exchange(begun, reply=text + " — reply", meta={"verdict": "refine"})
    [parsed] = diary.read_day(T0.date())
    assert parsed == done
    assert parsed.reply == text + " — reply"
    assert parsed.meta == {"source": "cli", "verdict": "refine"}


def test_write_with_reply_round_trips(diary):
    entry = diary.write("exchange", "What is 2+2?", reply="4 -->\n# four", when=T0)
    assert diary.get(entry.id) == entry


def test_megabyte_text_round_trips(diary):
    chunk = "def f(x):\n    return x  # --> <!-- reverie {} -->\n\n# heading\n"
    text = (chunk * (1_000_000 // len(chunk) + 1))[:1_000_000]
    entry = diary.write("note", text, when=T0)
    [parsed] = diary.read_day(T0.date())
    assert parsed == entry
    assert len(parsed.text) == 1_000_000


def test_naive_time_round_trips(diary):
    when = datetime(2026, 3, 2, 8, 0, 0)
    entry = diary.write("thought", "naive clock", when=when)
    assert diary.get(entry.id) == entry


def _damage_first_record(path, how):
    lines = path.read_bytes().split(b"\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(b"<!-- reverie "))
    lines[index] = how(lines[index])
    path.write_bytes(b"\n".join(lines))


@pytest.mark.parametrize("how", [
    pytest.param(lambda line: line[: len(line) // 2], id="truncated"),
    pytest.param(lambda line: line.replace(b'"text"', b'"te\xffxt', 1), id="invalid-utf8"),
    pytest.param(lambda line: line.replace(b'"id":', b'"id";', 1), id="garbled-json"),
    pytest.param(lambda line: line.replace(b'"part":"message"', b'"part":"mystery"', 1), id="unknown-part"),
])
def test_damaged_record_is_skipped_with_warning_and_left_alone(diary, caplog, how):
    first = diary.write("note", "first, to be damaged", when=T0)
    second = diary.write("note", "second, intact", when=T0 + timedelta(minutes=1))
    path = diary.path_for(T0.date())
    _damage_first_record(path, how)
    before = path.read_bytes()

    with caplog.at_level(logging.WARNING, logger="cognition.diary"):
        parsed = diary.read_day(T0.date())

    assert parsed == [second]
    assert diary.get(first.id) is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings and "damaged record" in warnings[0].getMessage()
    assert f"{path}:" in warnings[0].getMessage()
    assert path.read_bytes() == before


def test_damaged_message_orphans_its_reply_without_crashing(diary, caplog):
    begun = diary.begin_exchange("message to be damaged", when=T0)
    diary.finish_exchange(begun, "the reply")
    kept = diary.write("note", "kept", when=T0 + timedelta(minutes=1))
    path = diary.path_for(T0.date())
    _damage_first_record(path, lambda line: line[:-5])
    before = path.read_bytes()

    with caplog.at_level(logging.WARNING, logger="cognition.diary"):
        assert diary.read_day(T0.date()) == [kept]

    assert len([r for r in caplog.records if "damaged record" in r.getMessage()]) == 2
    assert path.read_bytes() == before


def test_unfinished_exchange_keeps_the_message(diary):
    begun = diary.begin_exchange("My husband is called Halvard.", when=T0)
    # The turn crashes here: finish_exchange is never called.
    parsed = diary.get(begun.id)
    assert parsed is not None
    assert parsed.text == "My husband is called Halvard."
    assert parsed.reply is None
    assert parsed == begun


def test_entries_since_and_order(diary):
    days = [T0 - timedelta(days=2), T0 - timedelta(days=1, hours=1), T0, T0 + timedelta(hours=3)]
    written = [diary.write("note", f"n{i}", when=w) for i, w in enumerate(days)]
    assert list(diary.entries()) == written
    assert list(diary.entries(since=T0)) == written[2:]
    assert list(diary.entries(since=T0 + timedelta(microseconds=1))) == written[3:]
    assert list(diary.entries(since=T0 - timedelta(days=1, hours=2))) == written[1:]
    assert list(diary.entries(since=T0 + timedelta(days=5))) == []


def test_entries_since_across_time_zones(diary):
    # Regression: `since` in another time zone than the entries must not skip a day file
    # whose local date is earlier than since's local date. 23:00 UTC on 2 March is
    # 01:00 on 3 March in UTC+2: the entry lies after `since` but its file is 2026-03-02.
    entry = diary.write("note", "late evening in UTC", when=datetime(2026, 3, 2, 23, 0, tzinfo=timezone.utc))
    since = datetime(2026, 3, 3, 0, 30, tzinfo=timezone(timedelta(hours=2)))  # 22:30 UTC
    assert list(diary.entries(since=since)) == [entry]


def test_get(diary):
    a = diary.write("note", "a", when=T0)
    b = diary.write("thought", "b", when=T0 + timedelta(days=1))
    assert diary.get(a.id) == a
    assert diary.get(b.id) == b
    assert diary.get(a.id[:-1] + ("0" if a.id[-1] != "0" else "1")) is None
    assert diary.get("not-an-id") is None
    assert diary.get("20991231-000000-abcdef") is None


def test_counts(diary):
    for i in range(3):
        diary.write("exchange", f"e{i}", reply="r", when=T0 + timedelta(seconds=i))
    diary.begin_exchange("unfinished", when=T0 + timedelta(days=1))
    diary.write("thought", "t", when=T0)
    diary.write("daydream", "d", when=T0 + timedelta(days=1))
    assert diary.counts() == {"exchange": 4, "thought": 1, "daydream": 1, "note": 0}


def test_unknown_kind_is_refused(diary):
    with pytest.raises(ValueError, match="dream"):
        diary.write("dream", "x", when=T0)
    assert not diary.directory.exists() or diary.days() == []


def test_days_ignores_files_not_named_by_date(diary, caplog):
    diary.write("note", "a", when=T0)
    diary.write("note", "b", when=T0 + timedelta(days=3))
    for name in ("2026-13-45.md", "abcd-ef-gh.md", "notes.md", "2026-03-04.md.bak", "README.md"):
        (diary.directory / name).write_text("<!-- reverie {} -->\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="cognition.diary"):
        assert diary.days() == [T0.date(), T0.date() + timedelta(days=3)]
    assert any("2026-13-45.md" in r.getMessage() for r in caplog.records)
    assert [e.text for e in diary.entries()] == ["a", "b"]


def test_days_of_empty_diary(tmp_path):
    assert Diary(tmp_path / "nowhere").days() == []
    assert Diary(tmp_path / "nowhere").counts() == {"exchange": 0, "thought": 0, "daydream": 0, "note": 0}


def test_append_only(diary):
    first = diary.begin_exchange("first", when=T0)
    path = diary.path_for(T0.date())
    after_first = path.read_bytes()
    diary.finish_exchange(first, "reply")
    after_reply = path.read_bytes()
    diary.write("note", "second", when=T0 + timedelta(minutes=1))
    after_second = path.read_bytes()

    assert after_first.startswith(b"# Diary")
    assert after_reply.startswith(after_first) and len(after_reply) > len(after_first)
    assert after_second.startswith(after_reply) and len(after_second) > len(after_reply)
    assert after_second.count(b"# Diary") == 1


def test_file_is_readable_markdown(diary):
    diary.write("exchange", "My sister lives in Narvik.", reply="Noted.", when=T0)
    text = diary.path_for(T0.date()).read_text(encoding="utf-8")
    assert "**user:**\n> My sister lives in Narvik." in text
    assert "**reverie:**\n> Noted." in text


@pytest.mark.parametrize("shared", [True, False], ids=["one-diary", "diary-per-thread"])
def test_concurrent_appends_all_land(tmp_path, shared):
    threads_n, per_thread = 8, 25
    directory = tmp_path / "memory"
    one = Diary(directory)
    big = "x" * 20_000  # larger than a write buffer, so unlocked writes could interleave
    errors: list[BaseException] = []
    written: list[Entry] = []
    lock = threading.Lock()
    start = threading.Barrier(threads_n)

    def worker(n: int) -> None:
        d = one if shared else Diary(directory)
        try:
            start.wait()
            for i in range(per_thread):
                e = d.write("note", f"{n}-{i}-{big}", when=T0 + timedelta(microseconds=n * 1000 + i))
                with lock:
                    written.append(e)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    parsed = Diary(directory).read_day(T0.date())
    assert len(parsed) == threads_n * per_thread
    assert {e.id: e for e in parsed} == {e.id: e for e in written}
    assert diary_header_count(directory / f"{T0.date().isoformat()}.md") == 1


def diary_header_count(path) -> int:
    return path.read_bytes().count(b"# Diary")


def test_ids_made_in_one_second_never_collide():
    # ten thousand entries in one second: 24 random bits would collide almost surely, and two
    # entries sharing an id would be read back as one
    ids = {new_id(T0) for _ in range(10_000)}
    assert len(ids) == 10_000 and all(i.startswith(f"{T0:%Y%m%d-%H%M%S}-") for i in ids)


def test_day_file_is_named_by_entry_date(diary):
    e = diary.write("note", "x", when=T0)
    assert diary.path_for(date(2026, 3, 2)).exists()
    assert e.day == date(2026, 3, 2)


def test_entries_that_share_an_old_short_id_are_both_read_back(diary):
    # diaries written before ids carried 48 random bits may hold two entries with one id
    note = diary.write("note", "the boat is called Gullfisk", when=T0)
    crashed = diary.begin_exchange("my dog is Rex", when=T0)   # no reply: the process died
    first = diary.begin_exchange("my cat is Tuppen", when=T0)
    diary.finish_exchange(first, "Noted: Tuppen.")
    second = diary.begin_exchange("my sister is Gunnhild", when=T0)
    diary.finish_exchange(second, "Noted: Gunnhild.")
    path = diary.path_for(T0.date())
    text = path.read_text(encoding="utf-8")
    for other in (crashed.id, first.id, second.id):
        text = text.replace(other, note.id)
    path.write_text(text, encoding="utf-8")
    read = diary.read_day(T0.date())
    assert [(e.kind, e.text, e.reply) for e in read] == [
        ("note", "the boat is called Gullfisk", None),
        ("exchange", "my dog is Rex", None),
        ("exchange", "my cat is Tuppen", "Noted: Tuppen."),
        ("exchange", "my sister is Gunnhild", "Noted: Gunnhild.")]
    assert len({e.id for e in read}) == 4 and read[0].id == note.id
    assert diary.get(read[3].id).text == "my sister is Gunnhild"


def test_forgetting_leaves_a_tombstone_and_every_other_line_as_it_was(diary):
    keep = diary.write("exchange", "My sister Ilse lives in Ghent.", reply="Noted.", when=T0)
    drop = diary.begin_exchange("My old PIN was 4471; forget that.", when=T0 + timedelta(seconds=5))
    diary.finish_exchange(drop, "I will.")
    after = diary.write("note", "# A heading inside a note\n\nwith text", when=T0 + timedelta(seconds=9))
    path = diary.path_for(T0.date())
    _damage_first_record(path, lambda line: line[: len(line) // 2])   # a damaged line must survive too
    before = path.read_bytes()
    assert diary.forget([drop.id, "20260302-000000-nosuch", "not-an-id"]) == [drop.id]
    text = path.read_bytes()
    assert b"4471" not in text and b"I will." not in text and drop.id.encode() in text and b"forgotten" in text
    removed = [line for line in before.split(b"\n") if line not in text.split(b"\n")]
    assert all(b"4471" in line or b"I will." in line or drop.id.encode() in line for line in removed)
    assert [e.id for e in diary.entries()] == [after.id]      # the damaged first record stays skipped
    assert diary.get(drop.id) is None and diary.get(keep.id) is None
    assert diary.forget([drop.id]) == []                      # forgetting twice changes nothing
    assert path.read_bytes() == text
