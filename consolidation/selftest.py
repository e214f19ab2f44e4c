"""The closed-book self-test, and drift: does the candidate know, and is it still itself?

Questions come from memory: today's examples and a sample of older ones from the
replay buffer. The candidate adapter answers each closed-book (System 1's own prompt,
greedy, no retrieval), and also a few of today's questions that were held out of training
(`hold_out`): the same facts in words it never saw, which is how it will be asked. An
answer passes when it names one of the example's key terms (the words of the answer that
the question does not already contain) and none of the retired values. Drift is the candidate's perplexity on a fixed reference text over the
base's. Below the pass threshold, or past the drift bound, the night rolls back.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field

from cognition.runtime import LocalRuntime
from consolidation.examples import Example
from consolidation.unsaid import KIND as UNSAID
from system1.prompts import answer_messages

# Written for this project: plain, general English far from anyone's diary, so that
# a rise in its perplexity means the adapter is bending the language, not learning facts.
REFERENCE_TEXT = """\
The water cycle moves water between the oceans, the air and the land. Heat from the sun
evaporates water from seas and lakes; the vapour rises, cools and condenses into clouds.
When the droplets grow heavy enough they fall as rain or snow, feed rivers and
groundwater, and flow back towards the sea. Plants return water to the air through
their leaves, and in cold regions water can stay frozen in glaciers for thousands of
years before it melts. A library lends books, newspapers and music to anyone with a
card. Most libraries arrange their shelves by subject, so that books about history
stand together and novels are ordered by the author's surname. Librarians help readers
find what they need, and many libraries also offer quiet rooms for study, computers
with internet access, and reading groups for children on Saturday mornings.
"""

_STOP = set("""a an the and or but of to in on at for with by from as is are was were be been being am do does
did have has had i me my mine you your yours we our us he she it they them his her its their what which who whom
whose where when why how that this these those there here not no yes so too very just also now then than into
take takes like likes love loves want wants get gets go goes make makes know knows think say said told usually really
about over under up down out off again once all any both each few more most other some such only own same can
will would should could may might must shall s t don doesn didn isn aren wasn weren called named name is""".split())


def _words(text: str) -> list[str]:
    words = (w.strip("'-:").casefold() for w in re.findall(r"[\w:'’-]+", text))
    return [re.sub(r"['’]s$", "", w) for w in words if w]


def _stem(word: str) -> str:
    """Crude but symmetric: 'lives' and 'live', 'shifts' and 'shift' meet."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def key_terms(example: Example) -> list[str]:
    """Words of the answer that the question does not give away; names and numbers first.

    When the answer holds a name or a number (a capitalised word past the first, or a
    digit), only those count: "lives" must not pass for "Narvik".
    """
    asked = {_stem(w) for w in _words(example.prompt)}
    raw = re.findall(r"[\w:'’-]+", example.target)
    salient = {w.casefold() for i, w in enumerate(raw) if (i > 0 and w[:1].isupper()) or any(c.isdigit() for c in w)}
    terms: list[str] = []
    for w in _words(example.target):
        if len(w) > 1 and w not in _STOP and _stem(w) not in asked and w not in terms:
            terms.append(w)
    named = [t for t in terms if t in {re.sub(r"['’]s$", "", s.strip("'-:")) for s in salient}]
    return named or terms


def passes(answer: str, example: Example, retired: list[str]) -> bool:
    text = answer.casefold()
    terms = key_terms(example)
    if any(v.casefold() in text for v in example.unkept(retired)):   # not "Darwin is where my cousin is"
        return False
    return bool(terms) and any(t in text for t in terms)


@dataclass
class SelfTest:
    score: float
    passed: int
    asked: int
    failures: list[dict] = field(default_factory=list)


def pick_questions(today: list[Example], older: list[Example], n_today: int = 16, n_older: int = 8,
                   seed: int = 0) -> list[Example]:
    """Distinct questions (by prompt) with key terms: mostly today's, some older."""
    rng = random.Random(seed)

    def sample(pool, n):
        unique = {ex.prompt: ex for ex in pool if ex.kind != UNSAID and key_terms(ex)}
        chosen = list(unique.values())
        rng.shuffle(chosen)
        return chosen[:n]

    today_qs = sample(today, n_today)
    asked = {ex.prompt for ex in today}
    return today_qs + sample([ex for ex in older if ex.prompt not in asked], n_older)


def hold_out(today: list[Example], seed: int = 0, min_asked: int = 6) -> list[str]:
    """One question of each statement asked at least `min_asked` ways, kept out of training.

    The self-test's trained questions say whether the adapter holds what it was shown; a
    held-out one says whether it answers the same fact asked in words it never saw, as the
    user will ask it. Returns the held-out examples' ids (deterministic for a seed).
    """
    rng = random.Random(seed)
    by_target: dict[str, list[Example]] = {}
    for ex in today:
        if ex.kind != UNSAID:   # what was never said is no fact to test
            by_target.setdefault(ex.target, []).append(ex)
    held = []
    for target in sorted(by_target):
        asked = [ex for ex in by_target[target] if key_terms(ex)]
        if len({ex.prompt for ex in by_target[target]}) >= min_asked and asked:
            held.append(rng.choice(sorted(asked, key=lambda ex: ex.id)).id)
    return held


def self_test(runtime: LocalRuntime, questions: list[Example], retired: list[str], max_new_tokens: int = 48,
              batch_size: int = 16) -> SelfTest:
    """Ask the active adapter every question closed-book, in batches."""
    passed, failures = 0, []
    for start in range(0, len(questions), batch_size):
        chunk = questions[start:start + batch_size]
        outs = runtime.generate([answer_messages(ex.prompt) for ex in chunk], adapter=True,
                                max_new_tokens=max_new_tokens)
        for ex, out in zip(chunk, outs):
            if passes(out.text, ex, retired):
                passed += 1
            else:
                failures.append({"question": ex.prompt, "expected": ex.target, "answer": out.text})
    asked = len(questions)
    return SelfTest(passed / asked if asked else 1.0, passed, asked, failures)


def perplexity(runtime: LocalRuntime, adapter: bool, text: str = REFERENCE_TEXT) -> float:
    import torch

    ids = runtime.tokenizer(text, return_tensors="pt").to(runtime.device)
    ctx = runtime.adapter_on() if adapter else runtime.adapter_off()
    with ctx as model, torch.inference_mode():
        loss = model(**ids, labels=ids["input_ids"]).loss
    return float(math.exp(loss.float().item()))
