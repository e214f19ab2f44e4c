"""The anchor passages: the base's own essays, cached per base, and the project's plain prose."""

from __future__ import annotations

import json

from consolidation.anchors import PROSE, TOPICS, anchor_passages
from consolidation.selftest import REFERENCE_TEXT


def test_passages_are_the_bases_essays_in_the_chat_frame_then_the_prose_as_plain_text(tiny_runtime, tmp_path):
    cache = tmp_path / "passages.json"
    passages = anchor_passages(tiny_runtime, cache, "hash-1", max_new_tokens=8)
    assert len(passages) == len(TOPICS) + len(PROSE)
    essays, prose = passages[:len(TOPICS)], passages[len(TOPICS):]
    assert "Write a short paragraph about how bread is baked." in tiny_runtime.tokenizer.decode(essays[0])
    assert [tiny_runtime.tokenizer.decode(p) for p in prose] == list(PROSE)
    assert json.loads(cache.read_text())["passages"] == essays   # the essays are cached, the prose is not


def test_the_cache_is_per_base_and_a_damaged_one_is_made_again(tiny_runtime, tmp_path):
    cache = tmp_path / "passages.json"
    cache.write_text(json.dumps({"base": "hash-1", "passages": [[1, 2, 3]] * len(TOPICS)}))
    assert anchor_passages(tiny_runtime, cache, "hash-1")[:len(TOPICS)] == [[1, 2, 3]] * len(TOPICS)
    fresh = anchor_passages(tiny_runtime, cache, "hash-2", max_new_tokens=8)
    assert fresh[0] != [1, 2, 3] and json.loads(cache.read_text())["base"] == "hash-2"
    cache.write_text("{not json")
    assert len(anchor_passages(tiny_runtime, cache, "hash-2", max_new_tokens=8)) == len(TOPICS) + len(PROSE)


def test_the_prose_shares_no_sentence_with_the_reference_text():
    reference = {s.strip() for s in REFERENCE_TEXT.replace("\n", " ").split(".") if s.strip()}
    assert not any(s.strip() in reference for p in PROSE for s in p.split("."))
    assert "water cycle" not in " ".join(PROSE).lower() and "librar" not in " ".join(PROSE).lower()
