"""LoCoMo: months of two people talking, played as days and slept on, then questioned.

LoCoMo (Maharana et al., ACL 2024; shared/benchmarks/locomo10/README.md) holds ten long
conversations, 19-35 sessions each, dated weeks apart, with 1,986 questions about them.
Each conversation is played into a fresh home:

- a session is a day. Its turns are written into the diary as that day's record, one
  `exchange` entry per turn ("Caroline: I went to a LGBTQ support group yesterday.",
  with the photo's caption when one was shared), timestamped at the session's date so
  the diary has real days, and indexed. The agent does not reply: a reply costs seconds a
  turn on the embedded model, and LoCoMo asks what the two people said, not what reverie
  answered. The chemistry is left alone: these lines are not praise or corrections
  addressed to the agent.
- after every session (or every `sessions_per_night` sessions) the agent sleeps on the
  real night graph, its clock set just after the last turn, so the adapter learns the day.
- then each arm answers the questions (`eval.retention.answer`): rag (a turn with System 1
  off), dream (System 1 alone, closed-book), both (the full turn).

Scoring follows the LoCoMo code (snap-research/locomo, task_eval/evaluation.py, the
`eval_question_answering` path): lower-case, drop punctuation, commas and the words a,
an, the, and; Porter-stem each token (nltk's PorterStemmer, as there); token-overlap F1.
Category 1 (multi-hop) splits the gold and the reply on commas and averages, over the
gold parts, each part's best F1 against any reply part; category 3 (open-domain) scores
against the gold up to its first ";" (the rest is the annotators' reasoning); category 5
(adversarial: the premise was never in the conversation) scores 1 when the reply declines
(`eval.retention.declined`, or LoCoMo's own "not mentioned" / "no information available")
and 0 otherwise. Category numbers are named as that code and the paper's tables have
them, which the data bears out (98% of category-1 questions cite several turns, 77% of
category-2 questions begin with "When"): 1 multi-hop, 2 temporal, 3 open-domain,
4 single-hop, 5 adversarial. The JSON keeps the number-to-name map, since papers that use
the set disagree on it.

A question is asked only when every session its evidence cites was played (`max_sessions`
can cut a conversation short); `max_questions` then draws a sample stratified by category
from `seed`. Monthly merges are off by default: a LoCoMo conversation spans up to a year,
and each merge would write a full base copy into the shared models directory.
"""

from __future__ import annotations

import json
import random
import re
import string
import time
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable

from eval.retention import Probe, answer, declined, fresh_home

ARMS = ("rag", "dream", "both")
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"}
ORDER = (4, 1, 2, 3, 5)   # the paper's table order
NO_MERGE_DAYS = 36500
_LOCOMO_DECLINE = re.compile(r"\bnot mentioned\b|\bno information (is )?available\b|\b(was|is)n'?t mentioned\b|"
                             r"\bnot (in|part of) (the|our) conversations?\b", re.IGNORECASE)
_DATE_FORMATS = ("%I:%M %p on %d %B, %Y", "%I:%M %p on %d %b, %Y", "%I:%M %p on %B %d, %Y")


class LocomoError(ValueError):
    """The data file is missing or is not the LoCoMo release."""


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str
    dia_id: str
    caption: str | None = None

    def line(self) -> str:
        """The diary's record of the turn; a shared photo as the LoCoMo code writes it."""
        return f"{self.speaker}: {self.text}" + (f" [shares {self.caption}]" if self.caption else "")


@dataclass(frozen=True)
class Session:
    number: int
    when: datetime
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    gold: str                 # `answer`; for category 5 the trap (`adversarial_answer`)
    category: int
    evidence: tuple[str, ...]

    @property
    def sessions(self) -> set[int]:
        """The sessions the evidence cites ("D3:13" is session 3; a few ids are malformed)."""
        return {int(n) for e in self.evidence for n in re.findall(r"D:?(\d+):", e)}


@dataclass(frozen=True)
class Conversation:
    id: str
    speakers: tuple[str, str]
    sessions: tuple[Session, ...]
    questions: tuple[Question, ...]


@dataclass
class LocomoArgs:
    conversations: int = field(default=1, metadata={"help": "How many conversations, in id order."})
    max_questions: int = field(default=30, metadata={"help": "Per conversation, stratified by category; 0: all."})
    max_sessions: int | None = field(default=None, metadata={"help": "Play only each conversation's first N sessions."})
    sessions_per_night: int = field(default=1, metadata={"help": "Sessions played between two sleeps."})
    arms: tuple[str, ...] = field(default=ARMS, metadata={"help": "rag, dream, both."})
    seed: int = field(default=0, metadata={"help": "Question sample, training and generation seed."})
    merge: bool = field(default=False, metadata={"help": "Let nights merge the adapter every 30 simulated days."})

    def __post_init__(self):
        self.arms = tuple(self.arms)
        bad = [a for a in self.arms if a not in ARMS]
        if bad or not self.arms:
            raise ValueError(f"arms={','.join(self.arms)!r}: choose from {', '.join(ARMS)}")
        for name in ("conversations", "sessions_per_night"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)} must be at least 1")
        if self.max_questions < 0:
            raise ValueError(f"max_questions={self.max_questions} must be 0 (all) or more")
        if self.max_sessions is not None and self.max_sessions < 1:
            raise ValueError(f"max_sessions={self.max_sessions} must be at least 1")


# -- loading ---------------------------------------------------------------------------------


def load(path: Path) -> list[Conversation]:
    """Every conversation in the release zip, in id order, read without extracting it."""
    path = Path(path)
    if not path.is_file():
        raise LocomoError(f"{path}: no such file; the LoCoMo release is shared/benchmarks/locomo10/locomo10.zip")
    try:
        with zipfile.ZipFile(path) as z:
            members = [m for m in z.namelist() if m.endswith(".json") and not m.startswith("__MACOSX")]
            raw = {m: z.read(m) for m in members}
    except (zipfile.BadZipFile, OSError) as exc:
        raise LocomoError(f"{path}: not a readable zip archive ({exc})") from exc
    out = []
    for member, data in raw.items():
        try:
            obj = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise LocomoError(f"{path}:{member}: not valid JSON ({exc})") from exc
        if isinstance(obj, dict) and "qa" in obj and "speaker_a" in obj:
            out.append(conversation(Path(member).stem, obj, where=f"{path}:{member}"))
    if not out:
        raise LocomoError(f"{path}: no LoCoMo conversation in it (no JSON member with 'speaker_a' and 'qa')")
    return sorted(out, key=lambda c: (not c.id.isdigit(), int(c.id) if c.id.isdigit() else 0, c.id))


def conversation(cid: str, obj: dict, where: str = "") -> Conversation:
    sessions = []
    for key in sorted((k for k in obj if re.fullmatch(r"session_\d+", k)), key=lambda k: int(k.split("_")[1])):
        if not obj[key]:
            continue
        turns = tuple(Turn(t["speaker"], t["text"], t.get("dia_id", ""), t.get("blip_caption")) for t in obj[key])
        if f"{key}_date_time" not in obj:
            raise LocomoError(f"{where}: {key} has no {key}_date_time")
        sessions.append(Session(int(key.split("_")[1]), _when(obj[f"{key}_date_time"], f"{where}: {key}_date_time"),
                                turns))
    questions = []
    for i, q in enumerate(obj["qa"]):
        category = int(q["category"])
        if category not in CATEGORIES:
            raise LocomoError(f"{where}: qa[{i}] has category {category!r}; LoCoMo's are 1-5")
        gold = q.get("adversarial_answer") if category == 5 and "answer" not in q else q.get("answer")
        questions.append(Question(f"{cid}:q{i}", q["question"], "" if gold is None else str(gold), category,
                                  tuple(q.get("evidence") or ())))
    return Conversation(cid, (obj["speaker_a"], obj["speaker_b"]), tuple(sessions), tuple(questions))


def _when(text: str, where: str) -> datetime:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    raise LocomoError(f"{where}: {text!r} is not a date like '1:56 pm on 8 May, 2023'")


# -- scoring ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _stem():
    from nltk.stem import PorterStemmer   # the LoCoMo code's stemmer; needs no nltk data

    return PorterStemmer().stem


def normalize(text: str) -> str:
    """LoCoMo's normalize_answer: commas out, lower-case, ASCII punctuation out, a/an/the/and out."""
    s = str(text).replace(",", "").lower()
    s = "".join(ch for ch in s if ch not in string.punctuation)
    s = re.sub(r"\b(a|an|the|and)\b", " ", s)
    return " ".join(s.split())


def token_f1(prediction: str, gold: str) -> float:
    stem = _stem()
    pred = [stem(w) for w in normalize(prediction).split()]
    ref = [stem(w) for w in normalize(gold).split()]
    same = sum((Counter(pred) & Counter(ref)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def multi_hop_f1(prediction: str, gold: str) -> float:
    """Mean over the gold's comma-separated parts of the best F1 against any part of the reply."""
    parts = [p.strip() for p in prediction.split(",")]
    golds = [g.strip() for g in gold.split(",")]
    return sum(max(token_f1(p, g) for p in parts) for g in golds) / len(golds)


def declines(reply: str) -> bool:
    return declined(reply) or bool(_LOCOMO_DECLINE.search(reply))


def score(question: Question, reply: str) -> float:
    if question.category == 5:
        return 1.0 if declines(reply) else 0.0
    if question.category == 1:
        return multi_hop_f1(reply, question.gold)
    gold = question.gold.split(";")[0].strip() if question.category == 3 else question.gold
    return token_f1(reply, gold)


def summarize(scored: list[tuple[int, float]]) -> dict:
    """(category, score) pairs → F1 per category name, overall (all five, as the LoCoMo code
    counts it) and overall without the adversarial category, with counts."""
    by: dict[str, list[float]] = defaultdict(list)
    for category, value in scored:
        by[CATEGORIES[category]].append(value)
    mean = lambda xs: round(sum(xs) / len(xs), 4) if xs else None   # noqa: E731
    names = [CATEGORIES[c] for c in ORDER if CATEGORIES[c] in by]
    answerable = [v for c, v in scored if c != 5]
    return {"f1": {name: mean(by[name]) for name in names}, "overall": mean([v for _, v in scored]),
            "overall_without_adversarial": mean(answerable), "n": {name: len(by[name]) for name in names}}


# -- choosing the questions ------------------------------------------------------------------------


def askable(conv: Conversation, played: set[int]) -> list[Question]:
    """The questions whose cited sessions were all played (uncited ones need the whole conversation)."""
    everything = {s.number for s in conv.sessions} <= played
    return [q for q in conv.questions if (q.sessions <= played if q.sessions else everything)]


def stratified(questions: list[Question], n: int, seed: str | int) -> list[Question]:
    """`n` questions (all when n is 0 or covers them), each category in proportion to its share
    (largest remainder; at least one of each when n allows), drawn with `random.Random(seed)`,
    kept in the conversation's order."""
    if n <= 0 or n >= len(questions):
        return list(questions)
    by: dict[int, list[Question]] = defaultdict(list)
    for q in questions:
        by[q.category].append(q)
    cats = sorted(by)
    floor = 1 if n >= len(cats) else 0
    rest = n - floor * len(cats)
    pool = {c: len(by[c]) - floor for c in cats}
    exact = {c: rest * pool[c] / sum(pool.values()) for c in cats}
    take = {c: floor + int(exact[c]) for c in cats}
    for c in sorted(cats, key=lambda c: (int(exact[c]) - exact[c], c))[:n - sum(take.values())]:
        take[c] += 1
    rng = random.Random(seed)
    chosen = {q.id for c in cats for q in rng.sample(by[c], take[c])}
    return [q for q in questions if q.id in chosen]


# -- playing and sleeping -----------------------------------------------------------------------------


def play(agent, conv: Conversation, session: Session, after: datetime) -> tuple[list, datetime]:
    """Write one session into the diary as its day and index it. Turns are a minute apart and
    never at or before `after` (the last night), so each night collects exactly its sessions."""
    entries, clock = [], after
    for i, turn in enumerate(session.turns):
        clock = max(session.when + timedelta(minutes=i), clock + timedelta(seconds=1))
        entries.append(agent.diary.write("exchange", turn.line(), when=clock, meta={
            "locomo": conv.id, "session": session.number, "dia_id": turn.dia_id, "speaker": turn.speaker}))
    agent.index.add(entries)
    return entries, clock


def sleep(agent, at: datetime) -> dict:
    """One real night with the clock at `at`; the night graph's final state."""
    from graphs.night import Night

    return Night(agent, now=lambda: at).run(priority=False)


def _night_record(conv: Conversation, n: int, sessions: list[Session], entries: list, at: datetime,
                  state: dict, seconds: float) -> dict:
    """The night's summary (`reverie sleep --json`), plus what it made of the day: how many
    turns it collected, how many of them gave examples, and the first few examples."""
    from graphs.night import summary

    night, examples = summary(state), list(state.get("examples") or [])
    used = {s for ex in examples for s in ex["sources"]} & {e.id for e in entries}
    return {"conversation": conv.id, "night": n, "sessions": [s.number for s in sessions],
            "date": at.date().isoformat(), "turns": len(entries),
            "collected": (state.get("curation") or {}).get("items", 0), "turns_curated": len(used),
            "examples": night["examples"], "sample": [{"prompt": ex["prompt"], "target": ex["target"]}
                                                      for ex in examples[:3]],
            "promoted": night["promoted"], "version": night["version"], "self_test": night["self_test"],
            "train": night["train"], "rolled_back_because": night["rolled_back_because"],
            "errors": night["errors"], "seconds": round(seconds, 1)}


def _settings(home: Path, args: LocomoArgs, overrides: dict):
    from cognition.config import load_settings

    overrides = dict(overrides)
    if not args.merge:
        overrides["sleep"] = {**(overrides.get("sleep") or {}), "merge_every_days": NO_MERGE_DAYS}
    return load_settings(**{**overrides, "home": home, "user": "default", "seed": args.seed})


def play_nights(agent, conv: Conversation, sessions: list[Session], per_night: int,
                progress: Callable[[str], None]) -> tuple[list[dict], float, float]:
    """Every `per_night` sessions, then a night; the nights' records and seconds playing, sleeping."""
    nights, after, playing, sleeping = [], datetime.min.replace(tzinfo=timezone.utc), 0.0, 0.0
    for start in range(0, len(sessions), per_night):
        group, entries = sessions[start:start + per_night], []
        began = time.perf_counter()
        for s in group:
            progress(f"{conv.id}: session {s.number} ({s.when:%d %b %Y}), {len(s.turns)} turns")
            written, after = play(agent, conv, s, after)
            entries += written
        playing += time.perf_counter() - began
        after += timedelta(seconds=1)
        progress(f"{conv.id}: night {len(nights) + 1} after session {group[-1].number}")
        began = time.perf_counter()
        state = sleep(agent, after)
        took = time.perf_counter() - began
        sleeping += took
        nights.append(_night_record(conv, len(nights) + 1, group, entries, after, state, took))
    return nights, playing, sleeping


def ask(agent, asked: list[Question], arms: tuple[str, ...],
        progress: Callable[[str], None]) -> tuple[list[dict], dict[str, float]]:
    """Each arm's reply to every question, scored; and the seconds each arm took."""
    probes = [Probe(q.id, q.question, (), (), None, CATEGORIES[q.category]) for q in asked]
    replies, seconds = {}, {}
    for arm in arms:
        progress(f"{len(asked)} questions, arm {arm}")
        began = time.perf_counter()
        replies[arm] = answer(agent, arm, probes) if probes else {}
        seconds[arm] = round(time.perf_counter() - began, 1)
    return [{"id": q.id, "category": q.category, "question": q.question, "gold": q.gold, "evidence": list(q.evidence),
             "arms": {arm: {"reply": replies[arm][q.id], "score": round(score(q, replies[arm][q.id]), 4)}
                      for arm in arms}} for q in asked], seconds


def run_conversation(conv: Conversation, args: LocomoArgs, home: Path, overrides: dict,
                     progress: Callable[[str], None] = lambda s: None) -> dict:
    """Play, sleep and question one conversation in `home`; replies and scores per question and arm."""
    from graphs.agent import Agent

    sessions = list(conv.sessions[:args.max_sessions] if args.max_sessions else conv.sessions)
    agent = Agent(_settings(home, args, overrides))
    try:
        nights, playing, sleeping = play_nights(agent, conv, sessions, args.sessions_per_night, progress)
        pool = askable(conv, {s.number for s in sessions})
        asked = stratified(pool, args.max_questions, f"{args.seed}:{conv.id}")
        questions, qa = ask(agent, asked, args.arms, lambda m: progress(f"{conv.id}: {m}"))
    finally:
        agent.close()
    return {"id": conv.id, "speakers": list(conv.speakers), "sessions_played": len(sessions),
            "sessions_total": len(conv.sessions), "turns": sum(len(s.turns) for s in sessions),
            "questions_askable": len(pool), "questions_asked": len(asked), "home": str(home),
            "nights": nights, "questions": [{"conversation": conv.id, **q} for q in questions],
            "seconds": {"play": round(playing, 1), "sleep": round(sleeping, 1), "qa": qa}}


def run(data: Path, args: LocomoArgs | None = None, out: Path | None = None, settings_overrides: dict | None = None,
        progress: Callable[[str], None] = lambda s: None, homes: Path | None = None) -> dict:
    """The benchmark: `args.conversations` conversations of the release, each in a fresh home
    (a new directory under `homes`, or under the system's temporary directory)."""
    args = args or LocomoArgs()
    started = time.time()
    convs = load(Path(data))[:args.conversations]
    played = []
    for conv in convs:
        with fresh_home(homes, f"reverie-locomo-{conv.id}-") as home:
            played.append(run_conversation(conv, args, home, settings_overrides or {}, progress))
    result = combine(played, args)
    result["data"] = str(data)
    result["seconds"]["total"] = round(time.time() - started, 1)
    if out is not None:
        from eval.locomo_report import write_locomo_report

        write_locomo_report(result, Path(out))
    return result


def combine(played: list[dict], args: LocomoArgs) -> dict:
    """Questions pooled over conversations (as the LoCoMo code pools them), scored per arm."""
    questions = [q for p in played for q in p["questions"]]
    arms = {}
    for arm in args.arms:
        arms[arm] = summarize([(q["category"], q["arms"][arm]["score"]) for q in questions])
        arms[arm]["seconds"] = round(sum(p["seconds"]["qa"][arm] for p in played), 1)
    total = lambda key: round(sum(p["seconds"][key] for p in played), 1)   # noqa: E731
    return {"benchmark": "locomo10", "conversations": [p["id"] for p in played], "arms": arms,
            "categories": {str(k): v for k, v in CATEGORIES.items()},
            "nights": [n for p in played for n in p["nights"]],
            "played": [{k: v for k, v in p.items() if k not in ("nights", "questions")} for p in played],
            "questions": questions,
            "seconds": {"play": total("play"), "sleep": total("sleep"),
                        "qa": round(sum(a["seconds"] for a in arms.values()), 1)},
            "seed": args.seed,
            "args": {"conversations": args.conversations, "max_questions": args.max_questions,
                     "max_sessions": args.max_sessions, "sessions_per_night": args.sessions_per_night,
                     "arms": list(args.arms), "merge": args.merge}}
