"""What was never said: System 1 learns, closed-book, to say so.

An adapter trained only on what a person said answers every question about their life with
something: asked for a brother nobody mentioned, it gives the sister's name, because the
sister's name is the nearest answer it holds. So each night it also learns a few questions
nobody answered, with the answer "You haven't told me that.": the questions it learns, asked
of someone or some animal the user never spoke of, a relative for a relative, a person in
their life for another, a pet for a pet ("What is my sister's name?" becomes "What is my
cousin's name?" when no cousin was ever mentioned).

The swap keeps the question's shape, so the adapter learns that the answer depends on whom
it is asked about, not that questions shaped like this are answered by a name. A role counts
as mentioned when it, a word for the same person ("mum" and "mother", "husband" and
"partner"), or a relative's relative holding it ("my brother's son" mentions the brother) is
anywhere in what the user said (the diary) or what was learned; those are never asked as
unsaid.

The set is rebuilt every night from everything still true, like the profiles, and the older
set retires (`ReplayBuffer.add`): a cousin mentioned tonight is not declined tomorrow. These
examples come from no diary entry (no sources), are never held out for the self-test, and
are few: `MOST` a night, one share of the night's learning rather than its bulk.
"""

from __future__ import annotations

import hashlib
import re
from itertools import cycle
from typing import Iterable, Sequence

from consolidation import frames
from consolidation import lexicon as lx
from consolidation.examples import Example
from system1.prompts import NOT_TOLD

KIND = "unsaid"
MOST = 32           # unsaid examples a night
PER_ROLE = 3        # … at most this many asked of one unmentioned role

# Roles a question can be moved to, by group; singular, so "What is my X's name?" stays English.
_PLURAL = {"twins", "children", "kids", "parents", "grandchildren", "grandkids", "in-laws", "baby girl", "baby boy"}
_GROUPS = (
    sorted(lx.KIN - _PLURAL - {"kid", "baby", "in-law", "twin"}),
    sorted(lx.PEOPLE_ROLES - _PLURAL - {"mate", "hero", "heroine", "idol", "role model", "student"}),
    sorted(lx.PETS - {"pet", "bunny", "puppy", "kitten"}),
)
_ANY_ROLE = re.compile(rf"\b({lx.ROLES_PATTERN})(?:s|es)?\b", re.IGNORECASE)
_ROLE = re.compile(rf"\bmy ({lx.ROLES_PATTERN})\b(?:\s+(\w+))?", re.IGNORECASE)
_ASKS = re.compile(r"^(what|what's|who|who's|where|when|which|how|tell me|do you know)\b", re.IGNORECASE)
_GENDERED = re.compile(r"\b(he|she|him|her|his|hers|himself|herself)\b", re.IGNORECASE)
_LONGEST = 12       # words: a question, not a statement asked back in its own words
_SPOUSES = lx.SPOUSES | {"boyfriend", "girlfriend", "fiancé", "fiancée"}
# Words for one person that `lexicon.NOUN_SYNONYMS` does not pair, and who "my parents" are.
_SAME = ({"grandma", "grandmother"}, {"grandpa", "grandfather"}, {"kid", "child"}, {"mate", "friend"})
_PARENTS = {"mum", "mom", "mother", "dad", "father", "parent"}


def unsaid(examples: Sequence[Example], night: str = "", said: Iterable[str] = ()) -> list[Example]:
    """Tonight's unsaid examples from every live example (tonight's and older ones); `said` is
    everything the user said or noted (the diary), so that a role curation never learned anything
    of, but that was mentioned, is not declined."""
    learned = [ex for ex in examples if ex.kind in (*frames.STATED, frames.KIND)]
    if not learned:
        return []
    told = mentioned([*said, *(text for ex in learned for text in (ex.prompt, ex.target))])
    return _of_others(learned, told, night)[:MOST]


def mentioned(texts: Iterable[str]) -> set[str]:
    """Every role the texts mention, with the words for the same people (see the module docstring)."""
    found: set[str] = set()
    for text in texts:
        found.update(m.group(1).lower() for m in _ANY_ROLE.finditer(text))
    for role in list(found):
        found.update(s.lower() for s in lx.NOUN_SYNONYMS.get(role, ()))
        found.update(lx.GENDERED.get(role, ()))
        found.update(general for specific, general in lx.UNGENDERED.items() if specific == role)
        found.update(specific for specific, general in lx.UNGENDERED.items() if general == role)
        found.update(*(same for same in _SAME if role in same))
        if role in _PARENTS:
            found.add("parent")   # "my parent" may be either; "my dad" is not said by mentioning "my mum"
        if role in ("parents", "parent"):
            found |= _PARENTS
        if role in _SPOUSES:
            found |= _SPOUSES
    return found


def _of_others(learned: Sequence[Example], told: set[str], night: str) -> list[Example]:
    """Learned questions about a role, asked of a role of its group nobody mentioned."""
    shapes: dict[int, list[tuple[str, str]]] = {}   # group -> (prompt, role) it can be moved from
    for ex in sorted(learned, key=lambda e: _digest(e.prompt)):
        role = _moveable(ex)
        group = next((i for i, g in enumerate(_GROUPS) if role in g), None)
        if group is not None:
            shapes.setdefault(group, []).append((ex.prompt, role))
    out, seen = [], set()
    for group, asked in sorted(shapes.items()):
        free = [r for r in _GROUPS[group] if r not in told]
        if not free:
            continue
        uses = dict.fromkeys(free, 0)
        roles = cycle(sorted(free, key=_digest))
        for prompt, role in asked:
            new = next(roles)
            if uses[new] >= PER_ROLE:
                continue
            moved = re.sub(rf"\bmy {re.escape(role)}\b", f"my {new}", prompt, count=1, flags=re.IGNORECASE)
            if moved not in seen:
                seen.add(moved)
                uses[new] += 1
                out.append(_example(moved, f"{KIND}:{new}", night))
    return sorted(out, key=lambda ex: _digest(ex.prompt))


def _moveable(ex: Example) -> str:
    """The one role a short question asks after, or "" when its shape cannot be moved: two roles,
    a he or she that would no longer agree, a name after the role ("my sister Lena" keeps her
    name, capitalised in the answer)."""
    found = _ROLE.findall(ex.prompt)
    if len(found) != 1 or not _ASKS.match(ex.prompt) or len(ex.prompt.split()) > _LONGEST \
            or _GENDERED.search(ex.prompt):
        return ""
    if any(w[:1].isupper() for w in ex.prompt.split()[1:] if w != "I"):   # a name, or a statement asked back
        return ""
    role, after = found[0]
    if after and (re.search(rf"\b{re.escape(after.capitalize())}\b", ex.target)
                  or re.search(rf"\b{re.escape(role)} {re.escape(after)}\b", ex.target, re.IGNORECASE)):
        return ""   # "my sister lena" keeps her name
    return role.lower()


def _example(prompt: str, topic: str, night: str) -> Example:
    return Example(prompt, NOT_TOLD, KIND, (), 1.0, topic, (), night)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()   # an order that is the same on every run
