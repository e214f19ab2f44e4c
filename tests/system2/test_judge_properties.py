"""Properties of what System 2's text is parsed into: the judge's perception JSON and the stated verdict.

A model's reply is outside input like any other: garbage, JSON cut off at the token limit,
JSON of the wrong shape, JSON in prose or a code fence, a model stuck repeating one token.
`parse_perception` gives a well-formed Perception or None (the rules then decide), and
`split_stated_verdict` gives the answer and a verdict or None; neither ever raises, and
what they take out is exactly what was put in.
"""

from __future__ import annotations

import json

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from cognition.perceive import CATEGORIES, Perception
from system2.judge import parse_perception
from system2.reasoner import _STATED, VERDICTS, split_stated_verdict

FAST = settings(max_examples=150, derandomize=True, deadline=None, database=None)

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                         st.sampled_from(CATEGORIES))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.just("signals"), st.text(max_size=8)), inner, max_size=3)), max_leaves=10)
signal_lists = st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=8)
spaces = st.sampled_from(["", " ", "\n", "\r\n", "\t", "  \n  "])


def well_formed(p: Perception | None) -> None:
    if p is not None:
        assert p.signals and set(p.signals) <= set(CATEGORIES) and len(set(p.signals)) == len(p.signals)
        assert p.category == next(c for c in CATEGORIES if c in p.signals)


def dumped(value) -> str:
    return json.dumps(value)


@FAST
@given(text=st.one_of(
    st.text(),
    json_values.map(dumped),
    st.fixed_dictionaries({"signals": json_values}).map(dumped),
    signal_lists.map(lambda s: dumped({"signals": s})).flatmap(lambda t: st.integers(0, len(t)).map(lambda n: t[:n])),
    st.tuples(st.text(max_size=20), signal_lists, st.text(max_size=20)).map(
        lambda t: f"{t[0]} {dumped({'signals': t[1]})} {t[2]}"),
))
@example(text="[" * 100_000)                  # json.loads raised RecursionError, which escaped
@example(text='{"signals": ' + "[" * 5000 + "]" * 5000 + "}")
@example(text='{"signals": [["fact"], {"a": 1}]}')   # unhashable signals
@example(text="```json\n```")
def test_any_reply_gives_a_well_formed_perception_or_none(text):
    well_formed(parse_perception(text))


@FAST
@given(signals=signal_lists, before=spaces, after=spaces,
       fence=st.sampled_from(["", "```", "```json"]), extra=st.dictionaries(st.text(max_size=5), json_scalars,
                                                                          max_size=2))
def test_the_strict_json_is_read_exactly_bare_or_fenced(signals, before, after, fence, extra):
    body = dumped({**extra, "signals": signals})
    text = f"{before}{fence}\n{body}\n{'```' if fence else ''}{after}"
    seen = parse_perception(text)
    assert seen is not None and seen.signals == tuple(dict.fromkeys(signals))
    well_formed(seen)


@FAST
@given(prose=st.text(min_size=1).filter(lambda t: t.strip()), signals=signal_lists)
def test_json_inside_prose_is_read_the_same_or_left_to_the_rules(prose, signals):
    # The judge is asked for JSON only; a reply that wraps it in prose is not trusted, but it must
    # never come back as some other perception.
    seen = parse_perception(f"{prose} {dumped({'signals': signals})}")
    assert seen is None or seen.signals == tuple(dict.fromkeys(signals))


# -- the stated verdict ----------------------------------------------------------------------------------


@FAST
@given(text=st.text())
def test_any_answer_splits_without_raising(text):
    answer, verdict = split_stated_verdict(text)
    assert verdict in VERDICTS + (None,)
    assert len(answer) <= len(text)


@FAST
@given(answer=st.text(), verdict=st.sampled_from(VERDICTS),
       line=st.sampled_from(["Verdict: {v}", "verdict {v}", "**Verdict:** {V}.", "VERDICT — {V}", "Verdict: {v}\r"]),
       tail=st.sampled_from(["", "\n", "\n\n"]))
@example(answer="```python\nprint(1)\n```", verdict="accept", line="Verdict: {v}", tail="")
@example(answer="The list:\n- one\n---", verdict="refine", line="Verdict: {v}", tail="")
def test_a_stated_verdict_is_taken_off_and_the_answer_kept_whole(answer, verdict, line, tail):
    # `\W*` at either end of the pattern crossed newlines: an answer whose last line held no word
    # (a code block's closing ```, a "---") lost that line to the verdict's match.
    assume(not _STATED.search(answer))
    text = answer + "\n" + line.format(v=verdict, V=verdict.capitalize()) + tail
    assert split_stated_verdict(text) == (answer.strip(), verdict)
