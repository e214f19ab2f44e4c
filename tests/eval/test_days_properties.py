"""Properties of the days-file loader (the benchmark's input format, shared/benchmarks/days/README.md).

A days file is written by hand, by people who never saw the code. Whatever it holds,
`load_days` returns the JSON object as written, in a shape every reader can index
(`data["days"][i]["turns"]`, `probes_of`), or raises a ValueError that names the file and
the place at fault. Before, only the presence of "days" and "probes" was checked: a string
or a list passed or failed by accident, and a missing "turns" or "question" was a KeyError
deep inside an hour-long run.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from eval.retention import Probe, load_days, probes_of

FAST = settings(max_examples=80, derandomize=True, deadline=None, database=None)
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = [*sorted((REPO / "eval" / "days").glob("*.json")),
            *sorted((REPO.parent / "shared" / "benchmarks" / "days").glob("*.json"))]   # beside the repository
KINDS = ["fact", "preference", "correction", "update", "absent"]

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(st.sampled_from(["name", "user", "days", "probes", "date", "turns", "id", "question",
                                               "answers", "forbidden", "learned_on", "kind"]), st.text(max_size=6)),
                    inner, max_size=4)), max_leaves=10)

days_files = st.fixed_dictionaries(
    {"name": st.text(),
     "days": st.lists(st.fixed_dictionaries({"date": st.dates().map(lambda d: d.isoformat()),
                                             "turns": st.lists(st.text(), max_size=3)}), max_size=3),
     "probes": st.lists(st.fixed_dictionaries(
         {"id": st.text(), "question": st.text(), "kind": st.sampled_from(KINDS)},
         optional={"answers": st.lists(st.text(), max_size=2), "forbidden": st.lists(st.text(), max_size=2),
                   "learned_on": st.one_of(st.none(), st.integers())}), max_size=3)},
    optional={"user": st.one_of(st.none(), st.text()), "description": st.one_of(st.none(), st.text())})


def loaded(raw: bytes):
    """load_days on a file holding `raw`: its result, or the ValueError it raised, and the path."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "persona.json"
        path.write_bytes(raw)
        try:
            return load_days(path), path
        except ValueError as exc:
            assert type(exc) is ValueError, repr(exc)   # plain, as the CLI reports it, not a subclass
            assert str(exc).startswith(f"{path}: not a days file"), str(exc)
            return exc, path


def usable(data) -> None:
    """What the readers of a days file do with it (retention, surprise, forget, curation, wiki)."""
    assert isinstance(data["name"], str)
    for day in data["days"]:
        assert isinstance(day["date"], str) and all(isinstance(t, str) for t in day["turns"])
    for p in probes_of(data):
        assert isinstance(p, Probe) and p.kind in KINDS
        assert all(isinstance(a, str) for a in p.answers + p.forbidden)
        assert p.learned_on is None or type(p.learned_on) is int


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_public_examples_load(path):
    usable(load_days(path))


@FAST
@given(doc=days_files)
def test_a_valid_days_file_loads_as_written(doc):
    data, _ = loaded(json.dumps(doc).encode())
    assert data == doc
    usable(data)
    assert [p.id for p in probes_of(data)] == [p["id"] for p in doc["probes"]]


@FAST
@given(value=json_values)
@example(value=[])
@example(value="days probes")           # passed the old check ("days" in a string), then failed on data["days"]
@example(value={"days": 1, "probes": 2})
def test_any_json_loads_usable_or_is_a_clear_value_error(value):
    data, _ = loaded(json.dumps(value).encode())
    if not isinstance(data, ValueError):
        usable(data)


@FAST
@given(raw=st.one_of(st.binary(max_size=60), days_files.map(lambda d: json.dumps(d).encode()).flatmap(
    lambda b: st.integers(0, len(b) - 1).map(lambda n: b[:n]))))
@example(raw=b"[" * 100_000)            # json.loads raises RecursionError, not a ValueError
@example(raw=b"\xff\xfe{}")
def test_any_bytes_load_or_are_a_clear_value_error(raw):
    data, _ = loaded(raw)
    if not isinstance(data, ValueError):
        usable(data)


@st.composite
def damaged(draw):
    """A valid days file with one place changed: a key removed, or its value replaced by any JSON."""
    doc = draw(days_files.filter(lambda d: d["days"] and d["probes"]))
    places = [(), ("days", 0), ("probes", 0)]
    parent = draw(st.sampled_from(places))
    target = doc
    for step in parent:
        target = target[step]
    key = draw(st.sampled_from(sorted(target)))
    broken = copy.deepcopy(doc)
    node = broken
    for step in parent:
        node = node[step]
    if draw(st.booleans()):
        del node[key]
    else:
        node[key] = draw(json_values)
    return broken, ".".join(map(str, parent + (key,)))


@FAST
@given(case=damaged())
def test_a_damaged_days_file_names_the_place_at_fault(case):
    doc, where = case
    data, _ = loaded(json.dumps(doc).encode())
    if isinstance(data, ValueError):
        assert f"{where}:" in str(data) or f"{where}." in str(data), (where, str(data))
    else:
        usable(data)
        assert data == doc
