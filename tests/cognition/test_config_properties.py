"""Properties of config.toml, the one file a user edits by hand.

Whatever the file holds, `load_settings` either gives settings or raises pydantic's
ValidationError (the error the CLI turns into "configuration: <key>: <what>"), and that
error names the key at fault; no other exception type escapes. Every valid value of
every key reads back as written.
"""

from __future__ import annotations

import math
import tempfile
import typing
from datetime import datetime, timezone
from pathlib import Path

import annotated_types as at
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from cognition.config import Settings, load_settings

FAST = settings(max_examples=60, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


pytestmark = pytest.mark.usefixtures("clean_environment")   # tests/cognition/conftest.py


# -- writing TOML (the test's own small writer: tomllib only reads) ------------------------------------


def toml_string(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or c == "\x7f":   # TOML allows no raw control character in a basic string
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_string(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def toml_document(doc: dict) -> str:
    """Top-level scalars first, then one [table] per dict value."""
    plain = [f"{toml_string(k)} = {toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    tables = [f"[{toml_string(k)}]\n" + "".join(f"{toml_string(n)} = {toml_value(x)}\n" for n, x in v.items())
              for k, v in doc.items() if isinstance(v, dict)]
    return "\n".join(plain) + "\n" + "\n".join(tables)


def load(text: str | bytes) -> Settings:
    with tempfile.TemporaryDirectory() as home:
        (Path(home) / "config.toml").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return load_settings(home=home)


# -- the keys and their valid values --------------------------------------------------------------------

GROUPS = {name: type(f.default) for name, f in Settings.model_fields.items() if isinstance(f.default, BaseModel)}
TOP = [name for name, f in Settings.model_fields.items() if name not in GROUPS and name != "home"]   # home: the override
KEYS = [(None, name) for name in TOP] + [(g, name) for g, model in GROUPS.items() for name in model.model_fields]


def field_of(group, name):
    return (GROUPS[group] if group else Settings).model_fields[name]


def valid(group, name) -> st.SearchStrategy:
    """Values the field's own annotation and bounds allow (None stands for leaving the key out)."""
    if (group, name) == (None, "user"):
        return st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", fullmatch=True).filter(lambda u: ".." not in u)
    f = field_of(group, name)
    kind = f.annotation
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if typing.get_origin(kind) is typing.Literal:
        return st.sampled_from(typing.get_args(kind))
    if len(args) == 1:   # X | None
        kind = args[0]
    bounds = {type(m): m for m in f.metadata}
    lo = bounds[at.Ge].ge if at.Ge in bounds else bounds[at.Gt].gt if at.Gt in bounds else None
    hi = bounds[at.Le].le if at.Le in bounds else bounds[at.Lt].lt if at.Lt in bounds else None
    if kind is bool:
        return st.booleans()
    if kind is int:
        return st.integers(-2**63 if lo is None else lo + (at.Gt in bounds), 2**63 - 1 if hi is None else hi)
    if kind is float:
        return st.floats(lo, hi, exclude_min=at.Gt in bounds, exclude_max=at.Lt in bounds, allow_nan=False)
    if kind in (str, Path):
        return st.text()
    raise AssertionError(f"no strategy for {group}.{name}: {kind}")


def names_the_key(exc: ValidationError, group, name) -> bool:
    dotted = f"{group}.{name}" if group else name
    return any(".".join(map(str, e["loc"])) == dotted for e in exc.errors()) or dotted in str(exc)


@pytest.mark.parametrize("group,name", KEYS, ids=[f"{g}.{n}" if g else n for g, n in KEYS])
@settings(FAST, max_examples=8)
@given(data=st.data())
def test_every_valid_value_of_every_key_reads_back(group, name, data):
    value = data.draw(valid(group, name), label=f"{group}.{name}")
    doc = {group: {name: value}} if group else {name: value}
    try:
        s = load(toml_document(doc))
    except ValidationError as exc:
        # Only a rule across keys may refuse a value its own field allows, and it names the key.
        assert names_the_key(exc, group, name), str(exc)
        return
    got = getattr(getattr(s, group) if group else s, name)
    want = Path(value) if isinstance(got, Path) else value
    assert got == want and type(got) is type(want) or isinstance(got, float) and got == want


def test_rem_cycles_min_above_the_default_max_is_refused_by_name():
    # A field validator on rem_cycles_max never ran when only the minimum was set: `rem_cycles_min
    # = 12` loaded beside the default maximum of 9 (found while writing the property above, which only asks that the value read back).
    with pytest.raises(ValidationError, match="rem_cycles_min=12"):
        load("[sleep]\nrem_cycles_min = 12\n")


# -- any document -----------------------------------------------------------------------------------------

scalars = st.one_of(st.booleans(), st.integers(-2**63, 2**63 - 1), st.floats(), st.text(max_size=20),
                    st.datetimes(timezones=st.just(timezone.utc)))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)
key_names = st.one_of(st.sampled_from(TOP + list(GROUPS) + ["home", "model_config", "Model", "x"]), st.text(max_size=8))
group_docs = st.fixed_dictionaries({}, optional={g: st.dictionaries(st.one_of(st.sampled_from(list(m.model_fields)),
                                                                             st.text(max_size=8)), values, max_size=4)
                                                 for g, m in GROUPS.items()})
documents = st.tuples(st.dictionaries(key_names, values, max_size=4), group_docs).map(lambda t: {**t[0], **t[1]})


@FAST
@given(doc=documents)
def test_any_document_loads_or_names_the_key_at_fault(doc):
    try:
        load(toml_document(doc))
    except ValidationError as exc:
        for e in exc.errors():
            # The key at fault is one the file holds (pydantic-settings matches keys regardless of case).
            assert e["loc"] and str(e["loc"][0]).lower() in {k.lower() for k in doc}, e
            assert ".".join(map(str, e["loc"])) in str(exc)


@FAST
@given(raw=st.one_of(st.binary(max_size=80), st.text(max_size=80).map(str.encode),
                     documents.map(lambda d: toml_document(d).encode()).flatmap(
                         lambda b: st.integers(0, len(b)).map(lambda n: b[:n]))))
@example(raw=b'user = "x"\n[sleep\n')
@example(raw=b"\xff\xfe[model]")
def test_a_file_that_is_not_toml_is_a_validation_error_naming_the_file(raw):
    # tomllib's TOMLDecodeError (or a UnicodeDecodeError) used to escape load_settings; the CLI,
    # which reports ValidationError as "configuration: <key>: ...", showed a traceback instead.
    try:
        load(raw)
    except ValidationError as exc:
        for e in exc.errors():
            if e["type"] == "toml":
                assert e["loc"] == ("config.toml",) and "config.toml is not valid TOML" in e["msg"]
            else:
                assert e["loc"] and e["loc"][0] != "config.toml"
