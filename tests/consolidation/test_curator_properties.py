"""Properties of `parse_verdict`: the curation verdict a capable System 2 returns as JSON.

Any reply (garbage, JSON cut off at the token limit, wrong types, extra keys, prose around
it, a model stuck repeating "[") gives a Verdict or None, when the night's rules write the
item instead; it never raises, and a verdict in the asked-for shape reads back exactly,
bare or in a code fence.
"""

from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from consolidation.curator import KINDS, Verdict, parse_verdict

FAST = settings(max_examples=120, derandomize=True, deadline=None, database=None)

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["score", "kind", "statements", "pairs", "retires", "question", "answer", "x"]),
                    inner, max_size=5)), max_leaves=10)
verdicts = st.fixed_dictionaries(
    {"score": st.floats(allow_nan=False, allow_infinity=False), "kind": st.sampled_from(KINDS)},
    optional={"statements": st.lists(st.text(), max_size=3), "retires": st.lists(st.text(), max_size=3),
              "pairs": st.lists(st.fixed_dictionaries({"question": st.text(), "answer": st.text()}), max_size=3)})


@FAST
@given(text=st.one_of(
    st.text(),
    json_values.map(json.dumps),
    verdicts.map(json.dumps).flatmap(lambda t: st.integers(0, len(t)).map(lambda n: t[:n])),   # cut off
    st.tuples(st.text(max_size=20), verdicts.map(json.dumps)).map(" ".join),                   # prose first
))
@example(text="[" * 100_000)   # json.loads raised RecursionError, which escaped into the night
@example(text='{"score": 0.9, "kind": "fact", "pairs": ' + "[" * 5000 + "]" * 5000 + "}")
def test_any_reply_gives_a_verdict_or_none(text):
    verdict = parse_verdict(text)
    assert verdict is None or isinstance(verdict, Verdict) and verdict.kind in KINDS


@FAST
@given(doc=verdicts, fence=st.sampled_from(["", "```", "```json"]), pad=st.sampled_from(["", " ", "\n\n"]))
def test_a_verdict_in_the_asked_for_shape_reads_back_exactly(doc, fence, pad):
    text = f"{pad}{fence}\n{json.dumps(doc)}\n{'```' if fence else ''}{pad}"
    verdict = parse_verdict(text)
    assert verdict is not None
    assert verdict.model_dump(exclude_unset=True) == doc
