"""The rules' writer: one item in, its training examples out, keeping the day's context.

The context is what a reader keeps while reading a diary in order: who "he" and "she"
are (`People`, seeded from older naming examples), and which values corrections and
updates have retired. At the end of the day (`finish`) every example that still holds a
retired value is rewritten with its replacement where there is exactly one, or dropped,
and older examples (`prior`) that held one come back rewritten, so the replay buffer's
copies of the old fact are outvoted by tonight's.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Sequence

from cognition.perceive import perceive
from consolidation import lexicon as lx, revise
from consolidation.examples import Example, Item, mentions
from consolidation.frames import asks_after, echoes
from consolidation.questions import interleave, is_plural_naming, naming_questions, questions, variants
from consolidation.rephrase import (People, about_user, clauses, ground_time, named_by_pronoun, named_roles, names_ahead,
                                    parse, relative_clauses, reported, second_person, sentences, third_person)
from consolidation.secrets import has_secret

MAX_QUESTIONS = 20
MAX_VARIANTS = 16   # the same questions in other words (thesaurus swaps), on top
MAX_NAMING = 16     # questions after a name the clause gives ("my cat Tuppen"), on top
_GREETING = re.compile(r"^(?:hi|hey|hello|hiya|morning|good (?:morning|afternoon|evening)|wow|oh|ah|aw+|yeah|yes|"
                       r"haha|lol|omg|well|so)\b(?: again| there| wow)?[!,.]*\s+",
                       re.IGNORECASE)
# A correction announced before a colon or dash ("Sorry, that was wrong: …", "My mistake — …").
ANNOUNCED = re.compile(r"^[^:—–]{0,40}\b(?:wrong|mistake|mix(?:ed)? ?up|typo|correction|my bad)\b[^:—–\w]*[:—–]\s*",
                        re.IGNORECASE)
# A discourse marker before a statement is no part of it: "No, Lorcan lives in Westport".
_MARKER = re.compile(r"^(?:no|nope|actually|sorry|oops|wait|well|okay|ok|right|anyway|um+|uh+)\s*[,!.]+\s*",
                     re.IGNORECASE)
_COUPLED = re.compile(r"\b(?:married|wedding|anniversary|honeymoon|engaged)\b", re.IGNORECASE)
_NAMING = re.compile(r"^Your ([\w' -]+) (is|are) called (.+)\.$")


class Writer:
    def __init__(self, prior: Sequence[Example] = (), night: str = ""):
        self.prior = list(prior)
        self.night = night
        self.people = People()
        self.swaps: list[tuple[str, str, str]] = []     # (wrong or old, right or new, kind)
        self.retired: list[str] = []
        self.corrected: list[str] = []                  # tonight's corrected statements: "Your cat is called Tuppen."
        self.topics: dict[str, list[str]] = {}          # topic -> values stated so far
        self.slots: dict[str, list[str]] = {}           # "dentist|be" -> ["Dr Walsh"]: what a correction replaces
        self.retired_now = False
        self.when: datetime | None = None
        self.last_said = ""                             # the statement before, which a bare correction corrects
        self.said_before = ""                           # the item before this one ("She's Deb" names who it spoke of)
        self.owned: dict[str, str] = {}                 # a thing said today -> whose: "allotment" -> "Ambrose's"
        self.workplaces: dict[str, str] = {}            # "bakery" -> "I am working as baker in small bakery"
        self.speakers: list[str] = []                   # who talks in a conversation of other people's
        statements = dict.fromkeys(ex.target for ex in self.prior if ex.kind != "thought")
        self.stated = [t.lower() for t in statements]   # every statement so far, older nights' and today's
        for target in statements:
            m = _NAMING.match(target)
            if m:
                self.people.note(parse(f"My {m.group(1)} {m.group(2)} called {m.group(3)}."))
        for target in statements:   # the current value of each topic, to find what an update replaces
            self._note_slot(target)
            if not (m := _NAMING.match(target)) or m.group(2) == "are":
                topic, value = revise.topic_of(target, self.people)
                if value:
                    self.topics.setdefault(topic, []).append(value)

    # -- one item ---------------------------------------------------------------------------

    def item(self, item: Item, reward: float) -> list[Example]:
        self.when = time_of(item) if item.kind == "exchange" else None   # a document's time is when it was added
        if item.kind in ("thought", "daydream"):
            return self._thought(item, reward)
        if item.kind in ("document", "note"):
            return self._statements(item, clauses(item.text), "document", reward)
        speaker = speaker_of(item)
        if speaker:
            return self._spoken(item, speaker, reward)
        said_before = len(self.stated)
        made = self._read(item, reward)
        self.departures(item, self.stated[:said_before])
        return made

    def in_passing(self, item: Item, reward: float) -> list[Example]:
        """What a message read as small talk or a question still says of a life in passing ("any
        gift ideas for Jonas? he's into film cameras"; "ugh, my landlord Ray raised the rent to 900"):
        each clause that asks nothing, speaks of the user or of someone they named, and holds a value
        (a name, a number, a thing of theirs) is learned as itself. Nothing is dropped for want of a
        rule that would have read it as a fact; the rest of the message stays unlearned."""
        if speaker_of(item):
            return []
        pieces = [c for c in clauses(item.text) if not c.rstrip().endswith("?") and _holds_value(c)]
        return self._statements(item, pieces, "fact", round(0.8 * reward, 3)) if pieces else []

    def departures(self, item: Item, said: Sequence[str] | None = None) -> None:
        """Retire what the message says no longer holds, by the grammar of change (`revise.departed`),
        when a statement before it (`said`, else any so far) gave that value and nothing has retired it yet."""
        said = self.stated if said is None else said
        if speaker_of(item):
            return   # a line of someone else's conversation changes nothing of the user's
        for old, new in revise.departed(item.text):
            if old not in self.retired and any(mentions(s, old) for s in said):
                self.retire(old, new, "correction" if new else "update")
                self.retired_now = True

    def _read(self, item: Item, reward: float) -> list[Example]:
        """A message of the user's, read as a correction, an update or statements."""
        if (told := ANNOUNCED.sub("", item.text, count=1)) and told != item.text:
            return self._correction(replace(item, text=told), reward)   # "Sorry, that was wrong: …" fixes what follows
        if (named := revise.renamed(item.text)) and self._replaced(named):   # "we renamed the cat, she's Mabel now"
            return self._correction(replace(item, text=named), reward, kind="update")
        p = perceive(item.text)
        if p.is_correction or revise.is_correction(item.text) or revise.admits(item.text) and self._renamed(item.text):
            return self._correction(item, reward)
        self.said_before, self.last_said = self.last_said, item.text
        if revise.is_update(item.text) and p.category in ("fact", "preference", "small_talk"):   # "X has news too: …"
            return self._update(item, reward)
        return self._statements(item, clauses(item.text), p.category, reward)

    def owned_reference(self, text: str) -> str:
        """`text` with its opening "The allotment" made whose it is ("Ambrose's allotment"), when
        a thing of that name was said today to be someone's ("… at his allotment"); else ""."""
        m = re.match(r"^The (\w+)\b", text.strip())
        owner = self.owned.get(m.group(1).lower()) if m else None
        return f"{owner} {m.group(1)}{text.strip()[m.end():]}" if owner else ""

    def _note_owned(self, doc) -> None:
        subject = next((t for t in doc if t.dep_ == "nsubj" and t.text[:1].isupper() and t.pos_ != "PRON"), None)
        for tok in doc:
            poss = next((c for c in tok.children if c.dep_ == "poss"), None)
            if tok.pos_ != "NOUN" or poss is None:
                continue
            if poss.lower_ in ("my", "our"):
                self.owned[tok.lower_] = poss.lower_.capitalize()
            elif poss.lower_ in ("his", "her") and subject is not None:
                self.owned[tok.lower_] = f"{subject.text}'s"

    def _note_workplace(self, doc) -> None:
        """"I am working as baker in small bakery": the bakery is where the user works, and the
        statement that says so is kept to say what a later "The bakery is called …" names."""
        for tok in doc:
            prep = tok.head if tok.dep_ == "pobj" and (tok.pos_ == "NOUN" or tok.text.islower()) else None
            if prep is None or prep.lower_ not in ("in", "at") or not about_user(doc.text):
                continue
            above = [prep.head, prep.head.head, prep.head.head.head]
            if any(t.lemma_ == "work" and t.pos_ == "VERB" for t in above):
                self.workplaces[tok.lower_] = self.workplaces[tok.lemma_] = doc[:tok.i + 1].text

    def _workplace_named(self, clause: str) -> str | None:
        """"Name of bakery is Kanelitupa", "The bakery is called Kanelitupa", of the bakery the user
        works in: "I am working as baker in small bakery called Kanelitupa."; else None."""
        m = _PLACE_NAMED.match(clause.strip())
        said = self.workplaces.get((m.group("place") or m.group("called")).lower()) if m else None
        return f"{said} called {m.group('name')}." if said else None

    def _named_after(self, clause: str, previous) -> str | None:
        """"My mum drives buses." … "She's Deb": the name of the relative the statement before spoke
        of, when "she" or "he" fits only one unnamed relative there ("My mum is called Deb.")."""
        clause = clause.strip()
        m = _HER_NAME.match(clause) or _CALLED.search(clause)
        if not m:
            return None
        name = parse(clause).char_span(m.start(2), m.end(2))
        named = "name" in clause[:m.start(2)].lower()   # "Her name is Gulnara": a name, whatever the tagger says
        if name is None or not named and (name.root.ent_type_ in ("NORP", "GPE", "LANGUAGE", "DATE")
                                          or name.root.pos_ != "PROPN"):
            return None   # "She's French", "He's Catholic"
        gender = "f" if m.group(1).lower() in ("she", "her") else "m"
        known = {p.name for p in self.people.seen if p.name}
        for before in (previous, parse(self.said_before) if self.said_before else None):   # this item, the one before
            roles = {t.lower_ for t in before or [] if lx.GENDER.get(t.lower_) == gender
                     and any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in t.children)
                     and not any(c.text in known for c in t.children if c.dep_ in ("appos", "compound"))}
            if roles:
                return f"My {roles.pop()} is called {m.group(2)}." if len(roles) == 1 else None
        return None

    def _statements(self, item: Item, pieces: list[str], kind: str, reward: float) -> list[Example]:
        out, previous = [], None
        if any(self._named_after(c, None) for c in pieces):   # "shes deb but everyone calls her Debs"
            pieces = [c for c in pieces if not re.match(r"^(?:she|he)(?:'s|\s+is)\s+\w+[.!]?$", c.strip(), re.I)]
        for clause in pieces:
            if clause.rstrip().endswith("?") and kind != "document":
                out += self._named_in_question(item, clause, reward)
                continue   # a question asked along with what was said teaches nothing, but the names it gives
            clause = _quality_of_liked(clause, previous) or self._workplace_named(clause) or clause
            named = named_by_pronoun(clause, previous) or self._named_after(clause, previous)
            if named and (working := self._workplace_named(named)):   # "Its name is Kanelitupa", of the bakery
                clause, named = working, None
            ahead = bool(named) and names_ahead(clause)   # a book still being written, a baby on the way
            clause = self.people.possessive(named) if named else reported(self.people.resolve(clause))
            referred = self.owned_reference(clause)   # the thing is the user's or someone's they named
            clause = referred or clause
            doc = previous = parse(clause)
            self.people.note(doc)
            self._note_owned(doc)
            self._note_workplace(doc)
            if has_secret(clause):
                continue
            if about_user(clause) or kind == "document" or referred or self._names_someone(clause):
                out += self.examples_for(clause, kind, (item.id,), reward, ahead=ahead)
            for said in relative_clauses(doc):   # "…, Leila, who's a dentist": what Leila is
                out += self.examples_for(said, kind, (item.id,), reward)
        return out

    def _spoken(self, item: Item, speaker: str, reward: float) -> list[Example]:
        """A line of a conversation between other people ("Caroline: I went to a support group"):
        what each speaker says of themselves, said of them ("Caroline went to a support group")."""
        text = spoken_text(item, speaker)
        kind = perceive(text).category
        self.people.add(speaker)
        if speaker not in self.speakers:
            self.speakers.append(speaker)
        out = []
        for clause in clauses(text):
            if has_secret(clause) or not set(re.findall(r"[a-z']+", clause.lower())) & lx.SELF_WORDS:
                continue
            clause = self._unaddressed(_GREETING.sub("", clause) or clause, speaker)
            said = third_person(clause, speaker)
            self.people.note(parse(said))
            out += self.examples_for(said, kind, (item.id,), reward, speaker=speaker)
        return out

    def _unaddressed(self, clause: str, speaker: str) -> str:
        """The clause without the name of whom it is said to ("Glad it helped, Maria!", "Jon, I agree"):
        another speaker of the conversation, or the first letters of their name ("Mel")."""
        others = [s for s in self.speakers if s != speaker]
        if not others:
            return clause
        names = "|".join(re.escape(n) for n in sorted(others, key=len, reverse=True))
        called = rf"(?:{names})|(?:{'|'.join(re.escape(n[:k]) for n in others for k in range(3, len(n)))})"
        out = re.sub(rf"^\s*(?:{called}),\s+", "", clause)
        out = re.sub(rf",\s+(?:{called})(?=\s*[.!?]*\s*$)", "", out)
        return out if re.search(r"\w", out) else clause

    def examples_for(self, clause: str, kind: str, sources: tuple, reward: float,
                     speaker: str | None = None, ahead: bool = False) -> list[Example]:
        """The statement in the second person (or, of a `speaker`, as it is), asked back many ways;
        a name still `ahead` is also asked "What will … be called?"."""
        kind = kind if kind in ("fact", "preference", "correction", "update", "document") else "fact"
        clause = _GREETING.sub("", clause) or clause
        clause = _MARKER.sub("", clause) or clause
        clause = clause[:1].upper() + clause[1:]
        clause = _FORMER_ASIDE.sub("", clause)   # what it is no longer is not learned as what it is
        if self.when is not None:   # only what is learned: "yesterday" still marks a correction for the rules
            clause = ground_time(clause, self.when)
        target = clause if speaker else second_person(clause)
        self.stated.append(target.lower())
        topic, value = revise.topic_of(clause, self.people)
        if value:
            self.topics.setdefault(topic, []).append(value)
        self._note_slot(clause)
        make = lambda q, t: Example(q, t, kind, sources, reward, topic, (), self.night)   # noqa: E731
        asked = _spread(questions(clause, self.people), MAX_QUESTIONS)
        asked += self._as_a_couple(clause, asked)
        # what is asked after a thing as a whole is its profile's (consolidation.frames): one answer a prompt
        out = [make(q, target) for q in asked + _reworded(asked, MAX_VARIANTS) if not asks_after(q)]
        out += [make(q, target) for q in echoes(clause) if q not in asked]   # its own words, whatever its shape
        naming = naming_questions(clause, self.people, ahead=ahead)
        picked = _spread(naming, MAX_NAMING + (MAX_NAMING // 4 if ahead else 0))   # room for "will be"
        picked += [n for n in naming if n not in picked and n[0] in (f"Who is {n[2]}?", f"What is {n[2]}?")]
        for q, role, name in picked:   # the name asked back ("Who is Ilse?") always
            are = "are" if is_plural_naming(role, name) else "is"
            short = f"{name} {are} your {role}." if q.startswith((f"Who {are} {name}", f"What {are} {name}")) \
                else f"Your {role} {are} called {name}."
            if role == "name":
                short = f"Your name is {name}."
            if speaker:   # "Caroline's dog is called Max", asked "What is Caroline's dog called?"
                q, short = _of_speaker(q, speaker), _of_speaker(short, speaker)
            out.append(make(q, short))
        if not any(e.target == target for e in out) and not _BARE_ASIDE.match(target):   # "I know." says nothing
            out.append(make(f"What do you know about {speaker}?" if speaker else "What did I tell you about myself?",
                            target))
        return out

    def _named_in_question(self, item: Item, question: str, reward: float) -> list[Example]:
        """"What should I cook for my sister Ilse's birthday?": the user's sister is Ilse."""
        doc = parse(question)
        self.people.note(doc)
        return [e for role, name in named_roles(doc)
                if (lx.is_person_role(role) or lx.is_pet_role(role))
                and re.search(rf"\bmy {re.escape(role)},? {re.escape(name)}\b", question, re.IGNORECASE)
                for e in self.examples_for(f"My {role} is called {name}.", "fact", (item.id,), reward)]

    def _as_a_couple(self, clause: str, asked: list[str]) -> list[str]:
        """"We have been married 43 years" is also asked "How long have my wife and I been married?"."""
        spouse = next((p.role for p in reversed(self.people.seen) if p.role in lx.SPOUSES), None)
        if spouse is None or not _COUPLED.search(clause):
            return []
        return [re.sub(r"\bwe\b", f"my {spouse} and I", q) for q in asked if re.search(r"\bwe\b", q)]

    # -- corrections and updates -----------------------------------------------------------

    def _correction(self, item: Item, reward: float, kind: str = "correction") -> list[Example]:
        out = []
        text, revisions = item.text, []
        for found in (revise.correction_pairs, self._renamed, lambda t: revise.correcting(self.last_said, t),
                      self._replaced):
            revisions = [r for r in found(text) if not _NO_VALUE.match(r.wrong)]   # not "what I said"
            if revisions:
                break
        if not revisions:   # no value to retire: what it says is still said ("Actually, my cat is called Tuppen")
            return self._statements(item, clauses(revise.clean_statement(item.text)), "correction", reward)
        for rev in revisions:
            self.retire(rev.wrong, rev.right, kind)
            statement = self.people.resolve(rev.statement)
            # "I meant 24th" says only which value was right: the statement it fixes is rewritten in finish()
            if statement and not re.match(r"^(?:she|he|it|they|I (?:meant|mean|said|typed|wrote))\b", statement, re.I):
                made = self.examples_for(statement, kind, (item.id,), reward)
                self.corrected += [made[0].target] if made else []
                out += made
        self.retired_now = bool(revisions)
        wrongs = [r.wrong.lower() for r in revisions]
        out = [ex for ex in out if not any(mentions(ex.target, w) for w in wrongs)]
        return out + self._elsewhere(item, revisions, reward)

    def _note_slot(self, statement: str) -> None:
        slot, value = revise.slot_of(statement, self.people)
        if value and value not in self.slots.setdefault(slot, []):
            self.slots[slot].append(value)

    def _replaced(self, text: str) -> list[revise.Revision]:
        """"Correction: my dentist is Dr Byrne", after "My dentist is Dr Walsh": a statement said again
        with another value, as a correction or a rename, replaces the value said before."""
        out = []
        for clause in clauses(revise.clean_statement(text)):
            clause = self.people.resolve(clause)
            slot, value = revise.slot_of(clause, self.people)
            low = value.lower()
            out += [revise.Revision(*_differing(value, old), clause) for old in self.slots.get(slot, []) if value
                    and old.lower() not in low and low not in old.lower()]
        return out

    def _renamed(self, text: str) -> list[revise.Revision]:
        """"Sorry, I write wrong. … Our cat here is Pushok": a name given again to something already
        named otherwise ("Your cat is called Barsik") replaces that name."""
        for m in re.finditer(r"\b(?:[Mm]y|[Oo]ur) ([a-z]+(?: (?!here\b|now\b)[a-z]+)?)(?: here| now)? (?:is called|is named|is|'s) "
                             r"(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?([A-Z][\w-]*)\b", text):
            role, name = m.groups()
            before = [k.group(1) for said in self.stated
                      if (k := re.match(rf"your {re.escape(role)} is called ([\w-]+)\.?$", said))]
            if before and before[-1] != name.lower():
                return [revise.Revision(name, before[-1].capitalize(), f"My {role} is called {name}.")]
        return []

    def _elsewhere(self, item: Item, revisions: list[revise.Revision], reward: float) -> list[Example]:
        """"No wait, Hobart. Darwin is where my cousin Jarrah is": the wrong value is true of
        someone else, which the correction says in the same breath. That is learned, and kept
        through tonight's retirement of the value."""
        rights = [r.right.lower() for r in revisions if r.right]
        pieces = [re.split(r",\s+(?=I\b)", c)[0] for c in clauses(item.text)[1:]]   # not "…, I always mix them up"
        pieces = [c for c in pieces if not any(r in c.lower() for r in rights)
                  and any(r.wrong.lower() in c.lower() for r in revisions) and not revise.admits(c)]
        pieces = [c for c in pieces if lx.is_person_role(" ".join(re.findall(r"\bmy (\w+)", c.lower())[:1]))
                  or self._names_someone(c)]
        made = self._statements(item, pieces, "fact", reward)
        keeps = tuple(r.wrong for r in revisions)
        return [replace(ex, keeps=tuple(w for w in keeps if w.lower() in ex.target.lower())) for ex in made]

    def _update(self, item: Item, reward: float) -> list[Example]:
        whole = clauses(item.text)
        for c in whole:   # "Leonor has changed her mind: … now she wants …": she is Leonor
            self.people.mention(c.split()[0])
        pieces = [half for c in whole for half in revise.split_leaving(c)]
        ends = {c: revise.from_to(c) for c in pieces}   # "moved from Derby to Nottingham": Derby is gone
        pieces = [ends[c][1] if ends[c] else c for c in pieces]
        leaving = {c: revise.leaving_values(c) for c in pieces}   # each piece parsed once
        soured = {c: revise.soured_value(c) for c in pieces}
        olds = [v for c in pieces for v in leaving[c]] + [e[0] for e in ends.values() if e]
        olds += [v for v in soured.values() if v and any(v.lower() in said for said in self.stated)]   # said before
        out, new = [], ""
        for clause in pieces:
            if leaving[clause] or soured[clause]:
                continue
            clause = self.people.resolve(clause)
            self.people.note(parse(clause))
            if not (about_user(clause) or self._names_someone(clause)):
                continue
            new = new or revise.new_value(clause)
            topic, value = revise.topic_of(clause, self.people)
            stopped = re.search(r"\b(stopped|instead)\b", item.text, re.IGNORECASE)
            for old in self.topics.get(topic, []) if value else []:
                same_head = old.split()[-1].lower() == value.split()[-1].lower()
                one_place = topic.endswith(("|live", "|project"))   # one town, one project at a time
                if (same_head or stopped or one_place) and old.lower() != value.lower() \
                        and old.lower() not in value.lower():
                    olds.append(old)
            out += self.examples_for(_strip_markers(clause), "update", (item.id,), reward)
        for old in dict.fromkeys(olds):
            self.retire(old, new if len(olds) == 1 else "", "update")
        self.retired_now = bool(olds)
        return out

    def retire(self, old: str, new: str, kind: str) -> None:
        """`old` is wrong or gone from tonight on; `new` (or "") replaces it where one example states it."""
        if old and old.lower() not in (new or "").lower():
            self.retired.append(old)
            self.swaps.append((old, new, kind))

    def grounded(self, text: str) -> str:
        """Relative times in `text` made absolute against when the item being read was said."""
        return ground_time(text, self.when) if self.when is not None else text

    def _names_someone(self, clause: str) -> bool:
        """Does the clause open with a person the user has named ("Leonor has changed her mind")?"""
        first = re.match(r"^(?:(?:Mr|Mrs|Ms|Dr|Prof)\.?\s+)?([A-Z][\w-]+)", clause)
        names = {p.name for p in self.people.seen if p.name}
        return bool(first) and (first.group(1) in names or _is_name(clause, first.group(1)))

    # -- thoughts ------------------------------------------------------------------------------

    def _thought(self, item: Item, reward: float) -> list[Example]:
        """A thought is kept, lightly, when it mentions someone or something the user named.

        A stressed rumination (what the agent got wrong) is about the day's corrections: it
        is kept whatever it names, with the full reward its cortisol earned, as the design's
        boost of "the corrections and the thoughts about them".
        """
        if has_secret(item.text):
            return []
        sentences = [s.text.strip() for s in parse(item.text).sents if s.text.strip()]
        if not sentences:
            return []
        sources = (item.id,)  # the thought's own diary entry names what it read back
        if item.meta.get("variant") == "stressed":
            return [Example(_GOT_WRONG, " ".join(sentences[:3]), "thought", sources,
                            reward, "", (), self.night)]
        names = {p.name for p in self.people.seen if p.name}
        mentioned = [n for n in names if n.lower() in item.text.lower()]
        if not mentioned:
            return []
        return [Example(f"What have you been thinking about {mentioned[0]}?", sentences[0], "thought", sources,
                        round(0.5 * reward, 3), mentioned[0].lower(), (), self.night)]

    # -- the end of the day -------------------------------------------------------------------

    def finish(self, examples: list[Example]) -> tuple[list[Example], list[str]]:
        """Apply tonight's retirements to today's examples and to the older ones."""
        retired = list(dict.fromkeys(self.retired + [r for ex in examples for r in ex.retires]))
        out = [fixed for ex in examples if (fixed := self._fix(ex, retired, keep_kind=True)) is not None]
        out = self._unclaimed(out, retired)
        for ex in self.prior:
            if any(mentions(ex.target, r) for r in retired):
                fixed = self._fix(ex, retired, keep_kind=False)
                if fixed is not None:
                    out.append(fixed)
        unique = {}
        for ex in out:
            unique.setdefault(ex.id, ex)
        return list(unique.values()), retired

    def _unclaimed(self, examples: list[Example], retired: list[str]) -> list[Example]:
        """A question an older night already answers with another statement that still holds stays
        that statement's: "What am I studying?" learned as vet school is not taught tonight as Korean
        too, for a question trained towards two answers teaches neither, and the older one loses.
        A correction or an update replaces what it asks about, and keeps its questions; a statement
        whose every question is taken keeps them, lest it be learned not at all."""
        held: dict[str, set[str]] = {}
        for ex in self.prior:
            if ex.kind != "thought" and not ex.states(retired):
                held.setdefault(ex.prompt.casefold(), set()).add(ex.target)
        free = [ex for ex in examples if ex.kind in ("correction", "update", "thought")
                or ex.target in held.get(ex.prompt.casefold(), {ex.target})]
        ids, kept = {ex.id for ex in free}, {ex.target for ex in free}
        return [ex for ex in examples if ex.id in ids or ex.target not in kept]

    def _fix(self, ex: Example, retired: list[str], keep_kind: bool) -> Example | None:
        if ex.kind == "thought":
            fixed = _fix_thought(ex, retired)
            if fixed is None and ex.prompt == _GOT_WRONG and ex.night == self.night and self.corrected:
                # every sentence of it named a wrong value: what it got wrong is what the user corrected tonight
                corrected = [t for t in dict.fromkeys(self.corrected) if not any(mentions(t, r) for r in retired)]
                return replace(ex, target=" ".join(corrected)) if corrected else None
            return fixed
        prompt, target, kind, retires = ex.prompt, ex.target, ex.kind, set(ex.retires)
        retired = ex.unkept(retired)
        for old, new, why in self.swaps:
            if old not in retired:
                continue
            if new and mentions(target, old):
                # the statement that sets the new value against the old one says it without the old, and so
                # does its question ("Pippin, not Sprout" → "Pippin"), never "Pippin, not Pippin"
                target, prompt = _without_contrast(target, old), _without_contrast(prompt, old)
            if mentions(target, old) and not new and not mentions(prompt, old):
                if (cut := _without_aside(target, old)) != target:   # the rest of what was said still holds
                    target = cut
                    retires.add(old)
            if mentions(target, old):
                if not new or why == "update" and (_inside_longer_name(old, target) or _DURATION.search(target)
                                                   or _past_event(target, old)):
                    return None   # "Crux" → "Riverbend" would make "Crux Collective" a place that is not,
                    # "been in Geelong 2 years" → "in Ballarat" a stay that has only begun, and "You finally
                    # sent Soft Serve" → "sent Bad Landlord" a deed not done
                target, prompt = _swapped(target, old, new), _swapped(prompt, old, new)
                kind = kind if keep_kind and kind in ("correction", "update") else why
                retires.add(old)
        if any(mentions(target, r) or mentions(prompt, r) for r in retired):
            return None
        if target == ex.target and keep_kind:
            return ex
        return Example(prompt, target, kind, ex.sources, ex.reward, ex.topic, tuple(sorted(retires)), self.night)


_DURATION = re.compile(r"\b(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|"
                       r"several|many|a few) (?:years?|months?|decades?)\b|\bsince (?:\d{4}|I was)\b", re.IGNORECASE)


_PLACE_NAMED = re.compile(r"^(?:(?:the )?name of (?:the |my |our )?(?P<place>[a-z]+) is"
                          r"|(?:the|my|our) (?P<called>[a-z]+) is (?:called|named))"
                          r" (?P<name>[A-Z][\w'-]*(?: [A-Z][\w'-]*)*)[.!]?$", re.IGNORECASE)
# "The texture is a crime", with no "but" or "though" turning it against what was said before it
_QUALITY_SAID = re.compile(r"^(?:the|its|their) (\w+) (?:is|are|was|were|'s)\b"
                           r"(?!.*\b(?:but|though|although|however|except|yet|still)\b)", re.IGNORECASE)


def _quality_of_liked(clause: str, previous) -> str | None:
    """"I can't stand cottage cheese. The texture is a crime.": what the user likes or dislikes
    of the thing just named, said so ("I can't stand the texture of cottage cheese."); else None."""
    m = _QUALITY_SAID.match(clause.strip())
    if not m or previous is None or m.group(1).lower() not in lx.QUALITIES:
        return None
    pred = next((t for t in previous if t.dep_ == "ROOT"), None)
    if pred is None or not (pred.lemma_ in lx.LIKING | lx.DISLIKING
                            or pred.lemma_ in lx.ENDURING and any(c.dep_ == "neg" for c in pred.children)):
        return None
    obj = next((c for c in pred.children if c.dep_ == "dobj" and c.pos_ != "PRON"), None)
    if obj is None:
        return None
    before, after = previous[:obj.left_edge.i].text, previous[obj.right_edge.i + 1:].text
    thing = previous[obj.left_edge.i:obj.right_edge.i + 1].text
    return f"{before} the {m.group(1).lower()} of {thing}{' ' if after[:1].isalnum() else ''}{after}"


def _without_aside(text: str, old: str) -> str:
    """`text` less the aside that says `old` (", where you rowed, rather badly, for your college"),
    when the rest still says something; otherwise `text` as it was."""
    cut = re.sub(rf",\s+(?:where|when|which|who)\b[^.;!?]*\b{re.escape(old)}\b[^.;!?]*", "", text, flags=re.IGNORECASE)
    cut = re.sub(rf",\s+{re.escape(old)}(?=,)", "", cut, flags=re.IGNORECASE)   # "You have a cat, Nutmeg, grey tabby"
    cut = _without_contrast(cut, old)
    return cut if cut != text and len(cut.split()) >= 4 and not mentions(cut, old) else text


def _without_contrast(text: str, old: str) -> str:
    """`text` less the old value it sets the new one against; otherwise `text` as it was."""
    cut = text
    # the alternative set against it: "You take the 6:50 instead of the 7:12", "Oban, not Whitby"
    cut = re.sub(rf",?\s+(?:instead of|rather than|in place of|not)\s+(?:the\s+|a\s+|an\s+|your\s+)?(?:old\s+)?"
                 rf"{re.escape(old)}(?:'s|es|s)?\b", "", cut, flags=re.IGNORECASE)
    # a swap says what is had now: "You traded the old Fiesta for a Yaris" → "You got a Yaris"
    cut = re.sub(rf"\b(?:traded|swapped|exchanged|replaced)\s+(?:the\s+|your\s+)?(?:old\s+)?{re.escape(old)}(?:'s|es|s)?"
                 rf"\s+(?:for|with)\b", "got", cut, flags=re.IGNORECASE)
    return cut if cut != text and len(cut.split()) >= 4 and not mentions(cut, old) else text


def _swapped(text: str, old: str, new: str) -> str:
    """`old` replaced by `new`, its article agreeing: "an astronaut" → "a marine biologist"."""
    article = "an" if new[:1].lower() in "aeiou" else "a"
    text = re.sub(rf"\b(?:a|an)\s+{re.escape(old)}\b", f"{article} {new}", text, flags=re.IGNORECASE)
    # whole words only, an ending kept once: "Tuesdays" → "Thursdays", never "Thursdayss" or a word inside another
    def ending(m: re.Match) -> str:
        end = m.group(1) or ""
        return new if new.lower().endswith(end.lower()) else new + end

    return re.sub(rf"\b{re.escape(old)}('s|es|s)?\b", ending, text, flags=re.IGNORECASE)


def _of_speaker(text: str, speaker: str) -> str:
    text = re.sub(r"\b[Mm]y\b", f"{speaker}'s", text)
    text = re.sub(r"\b[Yy]our\b", f"{speaker}'s", text)
    return re.sub(r"\bdo I\b", f"does {speaker}", re.sub(r"\bdid I\b", f"did {speaker}", text))


def speaker_of(item: Item) -> str | None:
    """The speaker of a line of someone else's conversation (a LoCoMo session, a transcript),
    named in the entry's meta and opening its text ("Caroline: …"); None for the user's own words."""
    speaker = (item.meta or {}).get("speaker")
    return speaker if speaker and item.text.startswith(f"{speaker}:") else None


def spoken_text(item: Item, speaker: str | None = None) -> str:
    speaker = speaker or speaker_of(item)
    return item.text[len(speaker) + 1:].strip() if speaker else item.text


def time_of(item: Item) -> datetime | None:
    """When the item was said, against which "yesterday" and "last week" become dates."""
    try:
        return datetime.fromisoformat(item.time)
    except (TypeError, ValueError):
        return None


def _past_event(text: str, old: str) -> bool:
    """Does `text` tell of something done to `old` in the past ("You finally sent Soft Serve!")?
    What was done with the old value was not done with the new one; a correction's past is
    swapped, an update's is not."""
    doc = parse(text)
    root = next(iter(doc.sents)).root
    return root.tag_ == "VBD" and root.lemma_ != "be" and old.lower() in text.lower()


def _inside_longer_name(value: str, text: str) -> bool:
    """Is `value` only a part of a longer capitalised name in `text` ("Crux" in "Crux Collective")?"""
    for m in re.finditer(re.escape(value), text, re.IGNORECASE):
        before, after = text[:m.start()].split()[-1:], text[m.end():].split()[:1]
        if (after and after[0][:1].isupper() and m.end() < len(text) and text[m.end()] == " ") or \
                (before and before[0][:1].isupper() and m.start() > 0 and before[0].lower() not in _SENTENCE_OPENERS):
            return True
    return False


_SENTENCE_OPENERS = {"your", "you", "the", "a", "an", "dr.", "dr", "mr.", "mrs.", "ms."}


_BARE_ASIDE = re.compile(r"^(?:you|that|it)(?:'s| (?:know|see|agree|guess|think|mean|suppose|understand|promise|wonder|"
                         r"bet|hope|swear|forget|remember|do|did|are|were))?[.!]?$", re.IGNORECASE)
_GOT_WRONG = "What did you get wrong recently?"   # what a stressed rumination answers


def _fix_thought(ex: Example, retired: list[str]) -> Example | None:
    """A thought about a correction names the wrong value ("York, not Leeds"): drop the
    contrast, then every sentence that still names a retired value; nothing left, no example."""
    kept = []
    for sentence in sentences(ex.target):
        for value in retired:
            sentence = re.sub(rf",?\s*\b(?:and )?(?:not|rather than|instead of)\s+{re.escape(value)}\b", "", sentence,
                              flags=re.IGNORECASE)
        if sentence.strip() and not any(mentions(sentence, v) for v in retired):
            kept.append(sentence.strip())
    if not kept:
        return None
    target = " ".join(dict.fromkeys(kept))
    return ex if target == ex.target else replace(ex, target=target)


def _is_name(clause: str, word: str) -> bool:
    return any(e.text.split()[0] == word and e.label_ in ("PERSON", "ORG") for e in parse(clause).ents)


_HER_NAME = re.compile(r"^(she|he|her|his)(?:'s|\s+is|\s+name\s+is|\s+name's)\s+([A-Z][\w-]+)\b", re.IGNORECASE)
_CALLED = re.compile(r"\b(?:everyone|everybody|people|they|we|I|all)\s+calls?\s+(her|him)\s+([A-Z][\w-]+)\b", re.IGNORECASE)
_FORMER_ASIDE = re.compile(r",\s+(?:which|that|a|quite)\b[^.;!?]*\b(?:former|previous|earlier|old)\s+"
                           r"(?:practice|job|firm|employer|role|post|position|work|life|place|home|flat|house)\b[^.;!?]*",
                           re.IGNORECASE)


_NO_VALUE = re.compile(r"^(?:what|that|this|it|which|whatever|something)\b", re.IGNORECASE)


def _differing(new: str, old: str) -> tuple[str, str]:
    """The words in which two values differ: ("Byrne", "Walsh") for "Dr Byrne" and "Dr Walsh"."""
    a, b = new.split(), old.split()
    while len(a) > 1 and len(b) > 1 and a[0].lower() == b[0].lower():
        a, b = a[1:], b[1:]
    while len(a) > 1 and len(b) > 1 and a[-1].lower() == b[-1].lower():
        a, b = a[:-1], b[:-1]
    return " ".join(a), " ".join(b)


def _holds_value(clause: str) -> bool:
    """Does the clause name something (a name, a number, a thing someone has: "my landlord")?"""
    return any(t.pos_ == "PROPN" or t.like_num or t.pos_ == "NOUN" and any(
        c.dep_ == "poss" for c in t.children) for t in parse(clause))


def _strip_markers(clause: str) -> str:
    return re.sub(r",?\s+(?:now|instead(?! of)|as of this week|these days)\b", "", clause).strip()


def _reworded(asked: list[str], n: int) -> list[str]:
    """At most `n` of the questions' other wordings, taken in turn from each question (its first
    variant, then every question's second, …), so that every question is asked another way."""
    taken = dict.fromkeys(v for v in interleave([variants(q) for q in asked]) if v not in asked)
    return list(taken)[:n]


def _spread(items: list, n: int) -> list:
    """At most `n` of `items`, evenly spread so every kind of question keeps a share."""
    if len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]
