"""Questions a statement answers, asked back in the user's voice.

A fact stated once ("My sister Ilse lives in Ghent.") will be asked many ways ("Where
does my sister live?", "Which town is my sister based in?", "Who is Ilse?", "What's my
sister's name?"). Every argument of every predicate in the dependency parse becomes a
wh-question (who / what / where / when / what time / how old / how long / which …), the
verb and the nouns are varied through `lexicon`'s paraphrases, names get their naming
questions, favourites their "like best" questions, people their topic questions.

The answer to each question is decided by the caller (the statement in the second
person, or a short naming sentence): this module only asks.
"""

from __future__ import annotations

import re

from consolidation import lexicon as lx
from consolidation.kinds import is_business, is_gear, is_noun, is_verb, kinds_of
from consolidation.rephrase import (People, Person, _name_of, is_role_detail, leaning_details, named_roles, parse,
                                    role_text, span_text)

_BE = {"1": "am", "3": "is", "pl": "are"}
_BE_PAST = {"1": "was", "3": "was", "pl": "were"}
_DO = {"1": "do", "3": "does", "pl": "do"}
_PLACE_PREPS = {"in", "at", "near", "from", "to", "on", "into", "outside", "around", "by"}
_PLACE_NOUNS = {"school", "college", "university", "hospital", "harbour", "harbor", "farm", "village", "town", "city",
                "island", "house", "home", "gym", "clinic", "centre", "center", "office", "café", "cafe", "abroad",
                "garden", "yard", "park", "kitchen", "garage", "balcony", "library", "lab", "studio", "shed",
                "allotment", "church", "pub", "bar", "restaurant", "shop", "store", "market", "station", "port"}
_NAMED_PLACE_PREPS = {"in", "at", "near", "from", "to"}   # "on Duolingo", "live on London Fogs": not places
_ARG_DEPS = {"dobj", "attr", "acomp", "prep", "npadvmod", "advmod", "dative", "ccomp"}


def questions(clause: str, people: People | None = None, *, standing_for: Person | None = None) -> list[str]:
    """Questions (first person) that the statement `clause` (first person) answers; a leading
    he/she is `standing_for` that person."""
    clause, details = leaning_details(clause)
    if details:   # a bare noun phrase is another name for the last thing ("the hardingfele — the Hardanger
        # fiddle"): also asked in its place, so by that name's kind too ("Which musical instrument do I play?")
        doc = parse(clause)
        out = questions(clause, people, standing_for=standing_for)
        last = next(iter(reversed(list(doc.noun_chunks))), None)
        if last is not None and not clause[last.end_char:].strip(" .!"):   # the clause ends on it
            for d in details:
                if re.match(r"(?:the|a|an) ", d, re.IGNORECASE) and len(d.split()) <= 5:
                    out += questions(clause[:last.start_char] + d, people, standing_for=standing_for)
                elif _LISTED.fullmatch(d):   # "camelids — alpacas and llamas": of the kind of the ones named
                    out += _listed_kinds(clause, last, d, out)
        roles = [q for d in details if is_role_detail(d) for q in _asked(d, people, standing_for)]   # "I'm the champion"
        return _unique(out + count_questions(doc, details) + meal_questions(doc, details) + roles)
    pastime = _GERUND_PASTIME.match(clause)
    if pastime:   # "My hobby is repairing old valve radios": what I repair, and what my hobby is
        doc = parse(clause)
        verb = next((t for t in doc if t.idx == pastime.start("verb")), None)
        if verb is not None and verb.lemma_ != verb.lower_:
            said = f"I {verb.lemma_} {clause[pastime.end('verb'):].strip()}"
            kind = pastime.group("kind").lower()
            return _unique(_asked(said, people, standing_for) + about_questions(doc) +
                           [f"What is my {kind}?"] + ([f"What do I do as a {kind}?", f"What do I {verb.lemma_} as a {kind}?"]
                                                      if kind != "passion" else []))
    ranked = _ranked_deed(parse(clause)) if _RANKED.match(clause) else None
    if ranked is not None:
        return ranked
    youth = _YOUTH.match(clause)
    if youth:   # "When I was young I was the goalkeeper …": also "… in my youth?", as people ask of then
        asked = _asked(clause[youth.end():], people, standing_for)   # no "Who did I live as?" of "As a kid I lived …"
        then = [q[:-1] + f" {when}?" for q in asked[:4] if re.match(r"(?:What|Which|Where|Who)\b.* did I\b", q)
                for when in ("when I was young", "in my youth")]
        return _unique(asked + then)
    judged = _JUDGED.match(clause)
    if judged:   # "I can't whistle, which my dad finds hilarious": what he finds so, and what I do that he does
        who, finds, adj = judged.group("who"), judged.group("finds"), judged.group("adj").lower()
        do = "does" if finds.endswith("s") else "do"
        said = [q for q in _asked(judged.group("main") + ".", people, standing_for)
                if q.startswith("What ") and not q.startswith("What is ") and q.count(" ") <= 5][:2]
        felt = lx.FELT.get(adj)
        return _unique(_asked(clause, people, standing_for) + [f"What {do} {who} find {adj}?"] +
                       [f"{q[:-1]} that {who} {finds} {adj}?" for q in said] +
                       ([f"What {felt}s {who}?"] if felt else []))
    adored = _ADORED.match(clause)
    if adored:   # "I'm obsessed with the band Alvvays": a thing loved, asked so too ("Which band do I love most?")
        who = adored.group("who")
        said = f"{who} {'love' if who.lower() in ('i', 'we') else 'loves'} {adored.group('what').rstrip(' .!')}."
        return _unique(_asked(clause, people, standing_for) +   # "crazy about old Volvos": no one loved
                       [q for q in _asked(said, people, standing_for) if not q.startswith("Who ")])
    intolerant = _INTOLERANT.match(clause)
    if intolerant:   # "I'm lactose intolerant", however the parser reads it
        return _unique(_asked(clause, people, standing_for) + _intolerance(intolerant))
    fronted = _FRONTED.match(clause)
    if fronted is None:
        return _asked(clause, people, standing_for)
    # "In the evenings I knit, …": the small parser may lose the clause behind the phrase, so it
    # is asked as said, with the phrase moved to the end, and for what is done at that time or place
    phrase, rest = fronted.group(1), clause[fronted.end():]
    phrase = phrase[0].lower() + phrase[1:]
    moved = rest if re.search(r"\b(?:called|named)\b|[—–]", rest) else f"{rest.rstrip(' .!')} {phrase}."
    doc = parse(rest)
    situations = [q for pred, form, number in _asked_of(doc, people, standing_for)
                  for q in situation_questions(pred, form, number, phrase)]
    return _unique(_asked(clause, people, standing_for) + _asked(moved, people, standing_for) + situations)


def _listed_kinds(clause: str, last, listed: str, asked: list[str]) -> list[str]:
    """What was asked of the last noun ("What do I want to specialise in?"), asked by the kind of
    the first of the `listed` things whose kind is known ("Which animal do I want to specialise in?")."""
    kinds = next((k for name in re.split(r",\s*|\s+(?:and|or)\s+", listed) if (k := kinds_of(name, clause))), ())
    before = clause[:last.start_char].split()[-1:]
    if not kinds or not before:
        return []
    return [q.replace("What ", f"{w} {kind} ", 1) for q in asked
            if q.startswith("What ") and q.lower().endswith(f" {before[0].lower()}?")
            for kind in kinds[:2] for w in ("Which", "What kind of")]


_LISTED = re.compile(r"[a-z][\w' -]*(?:, [a-z][\w' -]*)* (?:and|or) [a-z][\w' -]*")   # "alpacas and llamas"
_HOW_MANY = re.compile(r"^(?:about |around |over |nearly |almost )?(\d[\d,.]*|a dozen|dozens|hundreds|thousands)"
                       r" of them\b", re.IGNORECASE)


def count_questions(doc, details: list[str]) -> list[str]:
    """"I collect tram tickets … — 212 of them so far": "How many tram tickets do I have?"."""
    if not any(_HOW_MANY.match(d) for d in details):
        return []
    root = next(iter(doc.sents)).root
    subj = _subject(root)
    obj = next((c for c in root.children if c.dep_ == "dobj" and c.tag_ == "NNS"), None)
    if subj is None or subj.lower_ != "i" or obj is None:
        return []
    things = _phrase(obj)
    return [f"How many {things} do I {root.lemma_}?", f"How many {things} do I have?",
            f"How many {things} have I got?", f"How many {things} have I {_participle(root)}?"]


_GERUND_PASTIME = re.compile(r"^(?:my|our) (?:main |big |favourite |favorite |great )?(?P<kind>hobby|pastime|passion)"
                             r" (?:is|was) (?P<verb>[a-z]+ing)\b", re.IGNORECASE)


_JUDGED = re.compile(r"^(?P<main>.+?),\s*which (?P<who>(?:my|our) [\w' ]{1,30}?|[A-Z][\w-]+) (?P<finds>finds?)"
                     r" (?:\w+ )?(?P<adj>[a-z]+)[.!]*$", re.IGNORECASE)
_ADORED = re.compile(r"^(?P<who>I|We|(?:My|Our) [\w' ]{1,30}?)(?:'m| am|'re| are| is|'s)"
                     r" (?:(?:really|totally|absolutely|completely|so|just|a bit|kind of|kinda|pretty) )*"
                     r"(?:obsessed with|crazy about|mad about|nuts about|passionate about"
                     r"|(?:a |such a )?(?:huge|big) fan of)"
                     r" (?P<what>.+)$", re.IGNORECASE)


_INTOLERANT = re.compile(r"^(?P<who>I|We|(?:My|Our) [\w' ]{1,30}?)(?:'m| am|'re| are| is|'s)"
                         r" (?:(?:very|really|quite|severely|a bit|slightly) )?(?P<what>[a-z]+) intolerant\b",
                         re.IGNORECASE)


def _intolerance(m: re.Match) -> list[str]:
    """"I'm lactose intolerant": what one is intolerant to, and, of a food, what one cannot eat."""
    who = m.group("who")
    subj = who if who == "I" else who[0].lower() + who[1:]
    number = "1" if subj == "I" else "pl" if subj.lower() == "we" else "3"
    be, do, what = _BE[number], _DO[number], m.group("what").lower()
    out = [f"What {be} {subj} intolerant {p}?" for p in ("to", "of")]
    out += [f"What {w} {do} {subj} have?" for w in ("intolerance", "food intolerance")]
    if lx.CONDITION_AREAS.get(what) == "dietary":
        out += [f"What can't {subj} eat?", f"What {do} {subj} have to avoid eating?",
                f"What are {_possessive(subj)} dietary restrictions?", f"What dietary condition {do} {subj} have?"]
    return out


_RANKED = re.compile(r"^(?:my|our) (?:\w+est|best|worst|most \w+) ", re.IGNORECASE)


def _ranked_deed(doc) -> list[str] | None:
    """"My worst habit is biting my nails", "my biggest regret was selling the boat": the small
    parser reads "is biting" as something the habit does; a superlative thing that is no one
    is what the deed is, asked as "What is my worst habit?" (and "my habit"). None otherwise."""
    root = next(iter(doc.sents)).root
    subj = _subject(root)
    if root.tag_ != "VBG" or subj is None or subj.pos_ != "NOUN" \
            or not any(c.dep_ == "aux" and c.lemma_ == "be" for c in root.children) \
            or not any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in subj.children) \
            or not any(c.dep_ == "amod" and c.tag_ == "JJS" for c in subj.children) \
            or lx.is_person_role(subj.lower_) or lx.is_pet_role(subj.lower_):
        return None
    owner = next(c.lower_ for c in subj.children if c.dep_ == "poss")
    role = role_text(subj)
    tense = "was" if any(c.dep_ == "aux" and c.lower_ == "was" for c in root.children) else "is"
    roles = [role] + [r for r in [_unranked(subj, role)] if r]
    return _unique([f"What {tense} {owner} {r}?" for r in roles] + wish_and_comfort_questions(doc) + about_questions(doc))


def _unranked(noun, role: str) -> str | None:
    """A thing's role said with a superlative, without it ("biggest pet peeve" → "pet peeve");
    None without one, and for a person or a pet ("best friend", "oldest son" are roles)."""
    ranked, _, rest = role.partition(" ")
    if rest and not lx.is_person_role(role) and not lx.is_pet_role(role) \
            and any(t.tag_ == "JJS" and t.lower_ == ranked for t in noun.lefts):
        return rest
    return None


_MEALS = {"breakfast", "brunch", "lunch", "dinner", "supper", "tea", "meal", "feast", "barbecue", "roast"}
_WHAT_IT_IS = re.compile(r"^(?:and\s+)?it(?:'s|\s+is|\s+was)\s+(?:always|usually|normally|mostly|often|never)?\s*\w",
                         re.IGNORECASE)


def meal_questions(doc, details: list[str]) -> list[str]:
    """"Every Sunday I cook lunch for the whole family, and it is always roast kid": what the
    meal is, asked as the dish of that meal ("What is the main dish at our Sunday lunch?")."""
    if not any(_WHAT_IT_IS.match(d) for d in details):
        return []
    meal = next((t for t in doc if t.pos_ == "NOUN" and t.lemma_ in _MEALS), None)
    root = next(iter(doc.sents)).root
    if meal is None or (subj := _subject(root)) is None or subj.lower_ not in ("i", "we"):
        return []
    who = "I" if subj.lower_ == "i" else "we"
    day = next((t.text for t in doc if t.text in _WHEN_WORDS), "")
    meals = list(dict.fromkeys(f"{when} {meal.lower_}".strip() for when in (day, "family", f"{day} family")))
    out = [f"What do {who} {root.lemma_} for {meals[0]}?"]
    out += [f"What is the main dish at our {m}?" for m in meals]
    out += [f"What do we eat at our {m}?" for m in meals]
    if day:
        out += [f"What do {who} {root.lemma_} every {day}?", f"What is always for {meal.lower_} on {day}s?"]
    return out


def _participle(verb) -> str:
    return verb.text if verb.tag_ == "VBN" else {"buy": "bought", "make": "made", "read": "read", "see": "seen",
                                                   "write": "written", "take": "taken", "find": "found"}.get(
        verb.lemma_, verb.lemma_ + ("d" if verb.lemma_.endswith("e") else "ed"))


def _asked(clause: str, people: People | None, standing_for: Person | None) -> list[str]:
    doc = _do_repaired(_have_repaired(parse(clause)))
    misparsed = None if standing_for else _misparsed_name(doc, people)
    if misparsed is None and not standing_for:
        misparsed = _misread_role_name(doc, people)
    if misparsed is not None:
        return misparsed
    asked = _asked_of(doc, people, standing_for)
    out = [q for ask in (_ask_arguments, pastime_questions, mark_questions, busy_questions, career_questions,
                         inability_questions)
           for pred, form, number in asked
           for q in ask(pred, form, number)]
    out += unwinding_questions(doc, asked, out)
    out += favourite_questions(doc)
    out += wish_and_comfort_questions(doc)
    out += topic_questions(doc)
    out += about_questions(doc)
    out += ours_questions(doc)
    out += new_job_questions(doc)
    return _unique(out)


_UNWINDING = {"relax", "unwind", "destress", "de-stress", "decompress", "recharge"}


def _unwinds(tok) -> bool:
    """"to relax", "when I need to switch my brain off", "to clear my head", "to take my mind off things"."""
    kids = {c.lower_ for c in tok.children}
    return tok.lemma_ in _UNWINDING or tok.lemma_ == "switch" and "off" in kids or \
        tok.lemma_ == "clear" and kids & {"head", "mind"} or tok.lemma_ == "take" and "mind" in kids


def unwinding_questions(doc, asked: list[tuple], said: list[str]) -> list[str]:
    """What one does to relax ("I knit to unwind", "I do linocut printing when I need to switch
    my brain off"): "What do I do to relax?", "How do I unwind?", and what was asked of the
    doing, asked of relaxing ("What kind of printing do I do to relax?")."""
    out = []
    for pred, subj, number in asked:
        if pred.dep_ != "ROOT" or not any(_unwinds(t) for t in pred.subtree if t != pred) or _past(pred):
            continue
        do, whom = _DO[number], _OBJECT.get(subj, subj)
        out += [f"What {do} {subj} do to relax?", f"How {do} {subj} relax?", f"How {do} {subj} unwind?",
                f"What {do} {subj} do to unwind?", f"What helps {whom} switch off?"]
        kind = re.compile(rf"(?:Which|What kind of|What) \w+ {do} {re.escape(subj)} \w+\?")
        out += [q[:-1] + " to relax?" for q in said if kind.fullmatch(q)]
    return out


_JOINING = {"join", "start", "begin"}
_POSTS = {"job", "position", "post", "role", "contract"}


def new_job_questions(doc) -> list[str]:
    """"I joined Equinor last month as a data analyst", "I got a job at the harbour office", "I
    start at Kettle Lake Technical College in August": a job begun, asked as where the user works
    (or will) and, given the post, as what they do."""
    root = next(iter(doc.sents)).root
    if root.pos_ != "VERB" or not any(c.dep_ == "nsubj" and c.lower_ == "i" for c in root.children):
        return []
    post = next((p for c in root.children if c.dep_ == "prep" and c.lower_ == "as"
                 for p in c.children if p.dep_ == "pobj"), None)
    place = None
    if root.lemma_ == "join":   # "joined Equinor as an analyst", "joined the firm"; not "joined Sarah for dinner"
        place = next((c for c in root.children if c.dep_ == "dobj" and (
            c.ent_type_ == "ORG" or c.lemma_ in lx.EMPLOYERS or c.pos_ == "PROPN" and post is not None)), None)
    posts = [c for c in root.children if c.dep_ == "dobj" and c.lemma_ in _POSTS]
    if root.lemma_ in _JOINING | {"get", "land", "take", "accept"} and (posts or root.lemma_ in _JOINING):
        holders, preps = (posts, ("at", "with")) if posts else ([root], ("at",))   # no "started lessons with Marco"
        place = place or next((p for h in holders for c in h.children if c.dep_ == "prep" and c.lower_ in preps
                               for p in c.children if p.dep_ == "pobj" and (p.pos_ == "PROPN" or p.ent_type_ in (
                                   "ORG", "FAC") or p.lemma_ in lx.EMPLOYERS | _PUBLIC_EMPLOYERS)), None)
    if place is None or place.ent_type_ == "PERSON":
        return []
    ahead = root.tag_ in ("VBP", "VBZ") or any(c.lower_ in ("will", "'ll", "going") for c in root.children)
    work, be = ("will I work", "will I be") if ahead else ("do I work", "am I")
    out = [f"Where {work}?", f"Which company {work} for?", f"Who {work} for?",
           f"Where {be} employed?", f"What is the name of the place where I {'will ' if ahead else ''}work?"]
    if post is not None:
        out += [f"What {work} as?", f"What is my {'new ' if ahead else ''}job?",
                f"What {'will I do' if ahead else 'do I do'} for a living?"]
    return out


def ours_questions(doc) -> list[str]:
    """"Antena 2, the classical station, is always on in our kitchen": a thing (not the user)
    doing or being something in the user's world, asked by what it does there ("What is always on
    in our kitchen?") and by the kind the sentence gives it ("Which classical station …?")."""
    root = next(iter(doc.sents)).root
    subj = _subject(root)
    if subj is None or subj.pos_ not in ("NOUN", "PROPN") or any(c.dep_ == "poss" for c in subj.children) \
            or _is_person(subj) or not any(t.lower_ in ("my", "our") and t.i > root.i and t.head.dep_ == "pobj"
                                           and t.head.head.head == root for t in doc):
        return []
    start = min([root.i] + [c.i for c in root.children if c.dep_ in ("aux", "auxpass", "neg") and c.i < root.i])
    rest = " ".join(t.text for t in doc if t.i >= start and not t.is_punct and t.dep_ != "cc")
    out = [_clean(f"What {rest}?")]
    for appos in (c for c in subj.children if c.dep_ == "appos" and c.pos_ == "NOUN"):
        said = " ".join(t.text for t in appos.subtree if t.dep_ != "det" and not t.is_punct)
        out += [_clean(f"Which {kind} {rest}?") for kind in dict.fromkeys([said, appos.lemma_])]
    return out


def _have_repaired(doc):
    """The small parser reads "I have type 2 diabetes" as "have" helping a verb "type": a
    sentence rooted in a noun with "have" as its auxiliary is put back as "have" and its object."""
    for sent in doc.sents:
        root = sent.root
        have = next((c for c in root.children if c.dep_ == "aux" and c.lemma_ == "have"), None)
        if root.pos_ not in ("NOUN", "PROPN") or have is None or not any(c.dep_ == "nsubj" for c in root.children):
            continue
        obj = next((c for c in root.children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN")), None)
        moved = [c for c in root.children if c.dep_ in ("nsubj", "punct", "prep", "advmod", "cc", "conj")]
        _raise_aux(have, root, obj, moved)
    return doc


def _raise_aux(aux, root, obj, moved: list) -> None:
    """Make the auxiliary `aux` the verb in place of the misread `root`, with the `moved` of
    root's dependents; the root becomes its object, or the modifier of the object `obj` ("type
    2 diabetes": the last noun heads the phrase, the first modifies it)."""
    aux.head, aux.dep_, aux.pos_ = aux, "ROOT", "VERB"
    for child in moved:
        child.head = aux
    if obj is None:
        root.head, root.dep_ = aux, "dobj"
    else:
        obj.head, root.head, root.dep_ = aux, obj, "compound"


def _do_repaired(doc):
    """The small parser reads "I do linocut printing" as "do" helping a verb "linocut": a verb
    that WordNet knows only as a noun, helped by "do" and followed by its object, is put back as
    the object's modifier, and "do" as the verb."""
    for sent in doc.sents:
        root = sent.root
        do = next((c for c in root.children if c.dep_ == "aux" and c.lemma_ == "do" and c.i < root.i), None)
        obj = next((c for c in root.children if c.dep_ == "dobj" and c.pos_ == "NOUN" and c.i > root.i), None)
        if do is None or obj is None or root.tag_ != "VB" or is_verb(root.lemma_) or not is_noun(root.lower_) \
                or any(t.pos_ != "NOUN" for t in doc[root.i + 1:obj.i]):
            continue
        _raise_aux(do, root, obj, [c for c in root.children if c not in (do, obj)])
        root.pos_, root.tag_ = "NOUN", "NN"
    return doc


def _asked_of(doc, people: People | None, standing_for: Person | None) -> list[tuple]:
    """(predicate, subject as asked, number) for every predicate whose subject can be asked about."""
    return [(pred, form, number) for pred in _predicates(doc) if (subj := _subject(pred)) is not None
            for form, number in _subject_forms(subj, people, standing_for)]


# A phrase of time or place before the subject: "In the evenings I knit", "On my breaks I listen …".
_YOUTH = re.compile(r"^(?:when I was (?:young|younger|little|a (?:child|kid|boy|girl|teenager|lad)|at school)|"
                    r"as a (?:child|kid|boy|girl|teenager|young (?:man|woman))|in my youth),?\s+(?=I\b)", re.IGNORECASE)
_FRONTED = re.compile(r"^((?:In|On|At|During|After|Before|Every|Each|Most|Over|Throughout)\b[^,;:—–]{1,40}?),?\s+"
                      r"(?=(?:I|We|we)\b)")


_ROLE_NAME_DOES = re.compile(r"^(?:[Mm]y|[Oo]ur) (?P<role>[a-z-]+) (?P<name>[A-Z][\w-]+) (?P<rest>[a-z]+s\b.*)$")


def _misparsed_name(doc, people: People | None) -> list[str] | None:
    """A clause opening with a name the user gave earlier, which the small parser did not take
    for the subject ("Rosalind studies soil science": "Rosalind" ROOT, "studies" a noun): asked
    through "she"/"he", which it parses right, standing for that person."""
    first = doc[0] if len(doc) else None
    if first is None or people is None or not first.text[:1].isupper() or \
            first.pos_ == "PROPN" and first.dep_ in ("nsubj", "nsubjpass"):
        return None
    person = next((p for p in reversed(people.seen) if p.name == first.text), None)
    if person is None:
        return None
    return _through_pronoun(doc.text[len(first.text):], person, people)


def _misread_role_name(doc, people: People | None) -> list[str] | None:
    """"My girlfriend Rosalind studies agriculture", which the small parser reads as a noun phrase
    (no verb "rosalind" may be asked): asked through "She studies agriculture", standing for her."""
    named = _ROLE_NAME_DOES.match(doc.text)
    verb = next((t for t in doc if named and t.idx == named.start("rest")), None)
    if verb is None or verb.pos_ == "AUX" or verb.pos_ == "VERB" and verb.dep_ == "ROOT" or \
            not lx.is_person_role(named.group("role")):
        return None
    role = named.group("role")
    person = Person(named.group("name"), role, lx.GENDER.get(role))
    return _through_pronoun(" " + doc.text[named.start("rest"):], person, people) or []


def _through_pronoun(rest: str, person: Person, people: People | None) -> list[str] | None:
    """The clause `rest` asked with "he" or "she" before it, standing for `person`; None where
    even so the pronoun is not its subject."""
    fixed = parse(("He" if person.gender == "m" else "She") + rest)
    if not any(t.dep_ == "nsubj" and t.i == 0 for t in fixed):
        return None
    return _asked(fixed.text, people, standing_for=person)


_NOT_THE_VERB_LIKE = {"look", "looks", "sound", "sounds", "feel", "feels", "seem", "seems", "is", "was", "are",
                      "were", "be", "something", "anything", "things", "work", "works", "worked", "taste", "tastes",
                      "smell", "smells", "act", "dress"}   # "look like", "be like", "work like a …": no liking


_ALSO_NOUNS = {"move", "cycle", "ride", "watch", "support", "buy", "travel", "love", "like", "hate", "relax"}
_DETERMINERS = {"a", "an", "the", "which", "what", "this", "that", "my", "your", "our", "his", "her", "their", "last",
                "first", "next", "every", "each", "of"}
_DO_AUX = {"do", "does", "did", "will", "would", "can", "could", "should", "may", "might", "must"}
_AFTER_A_NOUN = _DO_AUX | {"in", "on", "at", "near", "by", "with", "for", "of", "to", "from", "is", "are", "was", "were",
                           "am", "have", "has", "had", "be", "been", "that", "which", "now", "there", "here", "last",
                           "next"}
_NO_INFINITIVE = {"enjoy", "adore", "fancy", "relish", "appreciate"}   # verbs that take no "to" after them
# "hate" swapped for "can't stand" after do-support: "What do I can't stand?" → "What can't I stand?"
_DO_MODAL = re.compile(r"\b(?:do|does|did) ((?:my |your )?\w+) ((?:really |just )?)(can't|cannot|won't) ")


def variants(question: str) -> list[str]:
    """The question in other words, one swap at a time from the thesaurus ("What am I terrified
    of?" → "What am I scared of?", …), and "Which X" also as "What X". Each word's first
    alternative comes before any word's second, so a few variants already change every word."""
    by_word = []
    for key, alternatives in lx.THESAURUS.items():
        for m in re.finditer(rf"(?<![\w'-]){re.escape(key)}(?![\w'-])", question, re.IGNORECASE):
            before = question[:m.start()].split()
            if key == "like" and before and before[-1].lower() in _NOT_THE_VERB_LIKE:
                continue
            if key == "own" and before and before[-1].lower() in ("my", "your", "our", "his", "her", "their"):
                continue   # "my own marmalade": an adjective, not the verb
            if key in _ALSO_NOUNS and before and before[-1].lower() in _DETERMINERS:
                continue   # "Which move do I keep falling off?": the noun, no "Which relocate"
            if key == "live" and re.match(r"\s+(?:on|off)\b", question[m.end():]) and not question.startswith("Which "):
                continue   # "What do I live on?" is what I eat or drink: no "reside on" ("Which street …" may)
            after = re.match(r"\s+([a-z]+)", question[m.end():])
            subject = len(before) > 1 and before[-2].lower() in _DO_AUX   # "does my partner work": a verb after it
            if key in lx.THING_NOUNS and after and is_noun(after[1]) and after[1] not in _AFTER_A_NOUN \
                    and not subject:
                continue   # "my flat cap", "the town hall": describing the noun after it, no "apartment cap"
            last = question[m.end():].strip() == "?"
            infinitive = question[m.end():].startswith(" to ")   # "like to get rid of": no "enjoy to"
            by_word.append([_DO_MODAL.sub(r"\3 \1 \2", _with_article(question[:m.start()], alt) + question[m.end():])
                            for alt in alternatives
                            if (last or not alt.endswith((" best", " most")))   # no "like best the radio to"
                            and not (infinitive and alt.split()[0] in _NO_INFINITIVE)
                            and not (alt in _MASS_NOUNS and re.search(r"\b[Aa]n? $", question[:m.start()]))])
    by_word.append(converse(question))
    if question.startswith("Which "):
        by_word.append(["What " + question[len("Which "):]])
    return [q for q in _unique(interleave(by_word)) if q != question]


_MASS_NOUNS = {"work", "employment", "advice", "information", "music"}   # no "a work"


def _with_article(before: str, word: str) -> str:
    """`before` and `word`, its "a" or "an" made to fit: "Where do I have an occupation?"."""
    article = re.search(r"\b([Aa])n? $", before)
    if article is None:
        return before + word
    return before[:article.start()] + article.group(1) + ("n " if word[:1].lower() in "aeiou" else " ") + word


def interleave(lists: list[list[str]]) -> list[str]:
    """Every list's first item, then every list's second, …"""
    return [xs[i] for i in range(max(map(len, lists), default=0)) for xs in lists if i < len(xs)]


def converse(question: str) -> list[str]:
    """A first-person question about a feeling or an employer, the other way round: "What
    kind of insect am I terrified of?" → "What kind of insect terrifies me?"; "Which company
    do I work for?" → "Which company employs me?"."""
    m = re.match(r"^(?P<wh>(?:What|Which|Who)\b[\w' -]*?) (?:am I|do I) (?P<rel>[a-z]+ (?:of|by|in|about|to|with|for))\?$",
                 question)
    if m is None or m["rel"] not in lx.CONVERSE:
        return []
    wh, rel = m["wh"], m["rel"]
    out = [f"{wh} {said}?" for said in lx.CONVERSE[rel]]
    if rel in lx.FEARS:
        out.append(f"{wh} do I fear?")
    return out


def naming_questions(clause: str, people: People | None = None, ahead: bool = False) -> list[tuple[str, str, str]]:
    """(question, role, name) for every name the clause gives ("my cat Tuppen", "a band called X");
    a name still `ahead` (a baby on the way, a book being written) also as what it will be."""
    doc = parse(clause)
    out = []
    for role, name in named_roles(doc):
        if role == "name":   # the user's own name
            out += [(q, role, name) for q in ("What is my name?", "What am I called?", "Who am I?",
                                              "What's my name?", "What should you call me?")]
            continue
        person = lx.is_person_role(role)
        if is_plural_naming(role, name):   # "my sister's twins are called Sunniva and Eilif"
            for owner in lx.role_variants(role) if person else lx.noun_variants(f"my {role}"):
                out += [(q, role, name) for q in (f"What are {owner} called?", f"What are the names of {owner}?",
                                                  f"What are {_possessive(owner)} names?", f"Who are {owner}?")]
            out.append((f"Who are {name}?", role, name))
            continue
        for owner in lx.role_variants(role) if person else lx.noun_variants(f"my {role}"):
            out += [(q, role, name) for q in (f"What is {owner}'s name?", f"What's {owner} called?",
                                              f"What is the name of {owner}?", f"What do I call {owner}?")]
            if person:
                out.append((f"Who is {owner}?", role, name))
            elif f"{name} {role}" not in clause and role.split()[-1] not in _NAMED_BY_OTHERS and "'s " not in role:
                # a pet, a boat, a starter: named by the user; not "my Andante card", a club, an employer,
                # or "my brother's dog"
                out += [(f"What did I name {owner}?", role, name), (f"What name did I give {owner}?", role, name)]
            if ahead:
                out += [(q, role, name) for q in (f"What will {owner} be called?", f"What is {owner} going to be called?")]
        out.append((f"Who is {name}?" if person else f"What is {name}?", role, name))
        out += [(q, role, name) for q in relation_questions(role, doc) + _named_by_use(role, doc)]
    return out


def is_plural_naming(role: str, name: str) -> bool:
    """Two names or more, or a plural role: "twins called Sunniva and Eilif", "my kids"."""
    return " and " in name or _number(role) == "pl" and role.split()[-1] in lx.KIN


# People are asked "Who is …?" before this set is looked at.
_NAMED_BY_OTHERS = lx.GROUPS | lx.EMPLOYERS | lx.STRANGERS | {
    "centre", "center", "podcast", "show", "station", "school", "shop", "restaurant", "café", "cafe", "bar", "pub",
    "couple", "baker", "programme", "program"}


def _named_by_use(role: str, doc) -> list[str]:
    """A named thing asked by what the user does with it: "I still carry my Andante card" →
    "What is the name of the card I carry?"; "I pay with my Visa card" → "… the card I pay with?"."""
    head = role.split()[-1]
    word = next((t for t in doc if t.lower_ == head), None)
    noun = word.head if word is not None and word.dep_ == "compound" and word.head.pos_ == "PROPN" else word
    if noun is None or noun.dep_ not in ("dobj", "pobj") or lx.is_person_role(head) or not any(
            c.dep_ == "poss" and c.lower_ in ("my", "our") for c in (*word.children, *noun.children)):
        return []   # "my boat Gullfisk" may come as one name, "boat" its compound
    prep = noun.head if noun.dep_ == "pobj" and noun.head.dep_ == "prep" else None
    verb = prep.head if prep is not None else noun.head
    if verb.pos_ != "VERB" or verb.tag_ not in ("VBP", "VBD") or any(c.dep_ in ("aux", "neg") for c in verb.children) \
            or not any(c.dep_ == "nsubj" and c.lower_ == "i" for c in verb.children):
        return []
    does = " ".join([verb.lower_, *([prep.lower_] if prep is not None else [])])
    return [f"What is the name of the {role} I {does}?", f"What's the name of the {role} I {does}?",
            f"What is the {role} I {does} called?"]


def relation_questions(role: str, doc) -> list[str]:
    """The user's club, employer or teacher asked by what it is to them: "Which club do I belong
    to?", "Who employs me?", "Who gives me fiddle lessons?"."""
    words = role.split()
    head, mod = words[-1], " ".join(w for w in words[:-1] if w not in lx.ROLE_ADJ)
    noun = next((t for t in doc if t.lower_ == head), None)
    if noun is None or not _mine(noun):
        return []
    forms = list(dict.fromkeys([role, head]))
    if head in lx.GROUPS:
        return [q for r in forms for q in (f"Which {r} do I belong to?", f"Which {r} am I a member of?",
                                           f"Which {r} am I in?", f"What {r} am I part of?")] + \
            [f"What is the name of the {head} I belong to?"]
    if head in lx.EMPLOYERS and any(t.lemma_ in ("work", "employ") for t in doc):
        return [q for r in forms for q in (f"Which {r} do I work for?", f"Which {r} employs me?")] + \
            ["Who do I work for?", "Who employs me?", "Who is my employer?",
             f"What is the name of the {head} I work for?", f"What's the name of the {head} that employs me?"]
    verb = lx.GUIDES.get(head)
    if verb is None:
        return []
    out = [f"Who {verb} me?"]
    if mod and head in lx.LESSONS:
        out += [f"Who {verb} me {mod}?", f"Who {verb} me the {mod}?", f"Who gives me {mod} lessons?"]
    elif mod:
        out.append(f"Who {verb} my {mod}?")
    return out


def _mine(noun) -> bool:
    """Is the noun the user's: "my club", or the object of what "I" or "we" do ("I swim with a
    club called …")?"""
    if any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in noun.children):
        return True
    for head in noun.ancestors:
        if head.pos_ in ("VERB", "AUX"):
            return any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in ("i", "we") for c in head.children)
    return False


def favourite_questions(doc) -> list[str]:
    out = []
    for tok in doc:
        if tok.lower_ in ("favourite", "favorite"):
            for noun in lx.noun_variants(tok.head.lower_) if tok.head.pos_ == "NOUN" else _favourite_of(tok):
                out += [f"What is my favourite {noun}?", f"Which {noun} do I like best?",
                        f"What {noun} do I love most?", f"Which {noun} do I prefer?",
                        f"What {noun} do I like more than any other?", f"What's my top {noun}?"]
    return out


_COMFORT_VERBS = {"movie": "watch", "film": "watch", "show": "watch", "series": "watch", "book": "read",
                  "novel": "read", "food": "eat", "meal": "eat", "dish": "eat", "snack": "eat", "song": "listen to",
                  "album": "listen to", "music": "listen to", "drink": "drink", "game": "play"}


def wish_and_comfort_questions(doc) -> list[str]:
    """ "My dream car is a camper van": what I would love to have; "my comfort movie is …":
    what I turn to for comfort; "my pet peeve is …": what annoys me most."""
    out = []
    for tok in doc:
        noun = tok.head
        if tok.dep_ not in ("compound", "amod") or noun.pos_ != "NOUN" or \
                not any(c.lower_ == "my" for c in noun.children if c.dep_ == "poss"):
            continue
        for n in lx.noun_variants(noun.lower_):
            if tok.lower_ == "dream":
                out += [f"What is my dream {n}?", f"What {n} would I love to have?",
                        f"What {n} would I love to own one day?", f"Which {n} do I dream of having?"]
            elif tok.lower_ == "comfort":
                verb = _COMFORT_VERBS.get(noun.lemma_, "turn to")
                out += [f"What is my comfort {n}?", f"Which {n} do I turn to for comfort?",
                        f"What {n} do I {verb} for comfort?", f"What {n} do I {verb} when I need cheering up?"]
            elif tok.lower_ == "pet" and n == "peeve":   # what annoys one most, in so many words
                out += ["What annoys me most?", "What irritates me the most?", "What annoys me more than anything?",
                        "What bugs me the most?", "What drives me up the wall?"]
    return out


def _favourite_of(tok) -> list[str]:
    """"I keep a list of seabirds, and the northern gannet is my favourite": favourite what —
    the sentence's plural nouns ("seabird") and the kinds of the subject ("bird")."""
    if tok.dep_ not in ("attr", "acomp") or tok.head.lemma_ != "be":
        return []
    subj = next((c for c in tok.head.children if c.dep_ == "nsubj"), None)
    if subj is None:
        return []
    plural = [t.lemma_ for t in tok.doc if t.tag_ == "NNS" and t.pos_ == "NOUN" and t != subj]
    kinds = [] if _is_name(subj) or subj.pos_ != "NOUN" else list(kinds_of(_phrase(subj), tok.doc.text))
    return list(dict.fromkeys(plural + kinds))


def topic_questions(doc) -> list[str]:
    out = []
    for tok in doc:
        if tok.pos_ == "NOUN" and any(c.lower_ in ("my", "our") for c in tok.children if c.dep_ == "poss"):
            role = role_text(tok)
            if role.split()[-1] in lx.KIN | lx.PETS or role in lx.PEOPLE_ROLES:
                out += [f"What do you know about my {role}?", f"Tell me about my {role}."]
    return out


def about_questions(doc, most: int = 3) -> list[str]:
    """The statement asked back by the things it mentions, so that a question sharing only a
    noun with it still finds it: "Rhubarb is the only thing that survives in my garden" is
    what I told you about my garden; "I'm really into crosswords", about crosswords."""
    out = []
    for tok in doc:
        if tok.pos_ != "NOUN" or tok.dep_ in ("compound", "poss") or tok.lower_ in _TIME_NOUNS | _VAGUE \
                | lx.MARKS.keys() | {"name", "names"} or tok.ent_type_:
            continue   # "my skipper's licence" is about the licence, not about "my skipper"
        owner = next((c for c in tok.children if c.dep_ == "poss" and c.pos_ == "NOUN"), None)
        mine = next((c.lower_ for c in (owner or tok).children if c.dep_ == "poss" and c.lower_ in ("my", "our")), None)
        mine = f"{mine} {owner.text}'s" if mine and owner is not None else mine
        bare = not any(c.dep_ in ("det", "poss", "nummod") for c in tok.children) and (
            tok.tag_ == "NNS" or tok.dep_ == "dobj")   # "crosswords", "I bake sourdough"; not "in pen"
        role = role_text(tok)
        if not (mine or bare) or role.split()[-1] in lx.KIN | lx.PETS or role in lx.PEOPLE_ROLES:
            continue   # people have their own "What do you know about my sister?"
        words = [t.text for t in tok.lefts if t.dep_ in ("compound", "amod") and t.pos_ in ("NOUN", "PROPN", "ADJ")]
        out.append(f"What did I tell you about {' '.join(filter(None, [mine, *words, tok.text]))}?")
    return out[:most]


_CALENDAR = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)days?\b|(?:January|February|March|April|May|June|July|"
                       r"August|September|October|November|December)\b")


def situation_questions(pred, subj: str, number: str, phrase: str) -> list[str]:
    """What one does at a time or place ("in the evenings", "on my breaks", "at the harbour"):
    "What do I do in the evenings?"; and, for a time, when one does what one does."""
    if not _CALENDAR.match(phrase):   # "In the evenings I knit": the sentence's first word; "Monday" stays
        phrase = phrase[:1].lower() + phrase[1:]
    if pred.pos_ != "VERB" or pred.lemma_ in _STATES or any(c.dep_ in ("auxpass", "neg", "xcomp") for c in pred.children):
        return []
    auxes = [c for c in pred.children if c.dep_ == "aux"]
    if auxes:   # "I'm learning Icelandic in the evenings": what I am doing then
        be = auxes[0]
        return [_clean(f"What {_aux_form(be, number)} {subj} doing {phrase}?")] + _trip(pred, subj, number, phrase) \
            if len(auxes) == 1 and be.lemma_ == "be" and pred.tag_ == "VBG" else []
    habitual = phrase.endswith("s") or re.search(r"\b(?:every|each|most|usually)\b", phrase)   # "in the evenings"
    do = "did" if _past(pred) and not habitual else _DO[number]
    out = [f"What {do} {subj} do {phrase}?"] + pastime_questions(pred, subj, number, phrase)
    if any(w in _TIME_NOUNS for w in re.findall(r"[a-z]+", phrase.lower())):
        obj = next((c for c in pred.children if c.dep_ == "dobj"), None) or next(   # "listen to a podcast"
            (c for c in pred.children if c.dep_ == "prep" and not _TIME_NOUNS & {t.lower_ for t in c.subtree}), None)
        what = _np(obj) if obj is not None else ""
        out.append(_clean(f"When {do} {subj} {pred.lemma_} {' '.join(_particles(pred))} {what}?"))
    return out


_PLANNED = re.compile(r"(?:this|next|in|on|over) (?:the )?(?:coming )?"
                      r"(?:\w+day|week|weekend|month|year|summer|winter|spring|"
                      r"autumn|fall|holidays?|january|february|march|april|may|june|july|august|september|october|"
                      r"november|december)", re.IGNORECASE)


def _trip(pred, subj: str, number: str, phrase: str) -> list[str]:
    """"This July I'm doing a placement in Cusco": a plan in a named place is a trip there
    ("Where am I going this July?", "Which city am I travelling to this July?")."""
    if not _PLANNED.fullmatch(phrase):
        return []
    heads = [pred, *(c for c in pred.children if c.dep_ == "dobj")]   # "a placement in Cusco"
    place = next((p for h in heads for c in h.children if c.dep_ == "prep" and c.lower_ in ("in", "to")
                  for p in c.children if p.dep_ == "pobj" and (p.ent_type_ in ("GPE", "LOC") or p.pos_ == "PROPN"
                                                               and p.ent_type_ not in ("PERSON", "ORG"))), None)
    if place is None:
        return []
    be = _BE[number]
    out = [f"Where {be} {subj} going {phrase}?", f"Where {be} {subj} travelling to {phrase}?",
           f"Where {be} {subj} off to {phrase}?"]
    return out + ([f"Which city {be} {subj} going to {phrase}?", f"Which city {be} {subj} travelling to {phrase}?"]
                  if place.ent_type_ == "GPE" else [])


def pastime_questions(pred, subj: str, number: str, phrase: str = "") -> list[str]:
    """"I knit": "What is my craft?", "What craft do I do?"; at a time ("in the evenings"), also
    "What is my evening craft?"."""
    kind = lx.PASTIMES.get(pred.lemma_)
    if kind is None or pred.pos_ != "VERB" or any(c.dep_ in ("aux", "auxpass", "neg") for c in pred.children) \
            or kind == "sport" and any(c.dep_ == "dobj" for c in pred.children):
        return []
    do, poss = "did" if _past(pred) else _DO[number], _possessive(subj)
    out = [f"What is {poss} {kind}?", f"What {kind} {do} {subj} do?"]
    times = [w for w in re.findall(r"[a-z]+", phrase.lower())
             if w in _TIME_NOUNS and w not in ("time", "day", "days", "week")]   # no "my day sport"
    if times:
        when = times[-1][:-1] if times[-1].endswith("s") else times[-1]   # "in the evenings": "evening"
        out += [f"What is {poss} {when} {kind}?", f"What {kind} {do} {subj} do {phrase}?"]
    return out


_HOLDING = {"carry", "keep", "hold", "wear", "use", "own", "love", "like", "hate", "miss", "believe", "remember",
            "think", "prefer"}   # "I still carry my Andante card everywhere": no pastime
_REFLEXIVE = {"I": "myself", "we": "ourselves", "m": "himself", "f": "herself"}


def busy_questions(pred, subj: str, number: str) -> list[str]:
    """What someone still does, or does in retirement ("My dad still mends nets, though he
    retired years ago"): "How does my dad keep himself busy?", "What does my retired dad do?"."""
    retired = any(t.lemma_ == "retire" for t in pred.doc)
    if pred.pos_ != "VERB" or pred.lemma_ in _STATES | _HOLDING | {"retire"} or pred.tag_ not in ("VBZ", "VBP") \
            or any(c.dep_ in ("aux", "auxpass", "neg") for c in pred.children) \
            or not (retired or any(c.dep_ == "advmod" and c.lower_ == "still" for c in pred.children)):
        return []
    do = _DO[number]
    self_ = _REFLEXIVE.get(subj) or _REFLEXIVE.get(lx.GENDER.get(subj.split()[-1], ""))
    keep = f"keep {self_} busy" if self_ else "keep busy"
    out = [f"How {do} {subj} {keep}?", f"How {do} {subj} keep busy?", f"What {do} {subj} do to keep busy?",
           f"How {do} {subj} pass the time?"]
    if retired and subj.startswith("my "):
        whom = f"my retired {subj[3:]}"
        out += [f"How {do} {whom} {keep}?", f"What {do} {whom} do?"]
    return _unique(out)


# "I can't wait", "I can't complain", "I can't stand …", "I can't do dairy": no lack of an ability
_NOT_ABILITIES = {"wait", "complain", "remember", "recall", "believe", "imagine", "help", "stand", "bear", "abide",
                  "stomach", "tolerate", "handle", "live", "do", "tell", "say", "decide", "think", "afford", "stop",
                  "find", "see", "get", "go", "make", "be", "have"}


def inability_questions(pred, subj: str, number: str) -> list[str]:
    """Something one cannot do at all ("I can't whistle at all", "My dad can't swim"): "What
    can't I do?", "What can I not do?". Not "couldn't", which is over."""
    if not any(c.dep_ == "aux" and c.lower_ in ("ca", "can") for c in pred.children) \
            or pred.pos_ != "VERB" or pred.lemma_ in _NOT_ABILITIES \
            or not any(c.dep_ == "neg" for c in pred.children) \
            or any(c.dep_ in ("ccomp", "xcomp", "attr", "acomp") for c in pred.children):
        return []
    out = [f"What can't {subj} do?", f"What can {subj} not do?", f"What is something {subj} can't do?"]
    if re.search(r"\bat all\b", pred.doc.text):
        out += [f"What can't {subj} do at all?", f"What can {subj} not do at all?"]
    return out


_MARKED = re.compile(rf"\s*(?P<what>.+?)\s+(?P<mark>{'|'.join(lx.MARKS)})\b(?P<where>\s+(?:on|in|inside|across|along|"
                     r"around|over|under|behind)\s+[^,.;!?]+)?", re.IGNORECASE)


def mark_questions(pred, subj: str, number: str) -> list[str]:
    """"I have a compass rose tattooed on my forearm": the small parser makes "tattooed" the
    object, so the phrase is read as said: what the tattoo is, shows and where it is."""
    if pred.lemma_ not in ("have", "get"):
        return []
    m = _MARKED.match(pred.doc.text[pred.idx + len(pred.text):])
    if m is None:
        return []
    noun, poss = lx.MARKS[m.group("mark").lower()], _possessive(subj)
    do = "did" if _past(pred) else _DO[number]
    where = (m.group("where") or "").strip()
    out = [_clean(f"What {do} {subj} have {m.group('mark')} {where}?"), f"What is {poss} {noun}?",
           f"What {noun} {do} {subj} have?", f"What design is {poss} {noun}?", f"What does {poss} {noun} show?",
           f"What is {poss} {noun} of?"]
    return out + ([f"Where is {poss} {noun}?"] if where else [])


_VAGUE = {"people", "person", "thing", "things", "one", "ones", "stuff", "way", "ways", "lot", "lots", "bit", "kind",
          "sort", "part", "everything", "something", "anything", "nothing", "bunch", "couple"}
_STATES = {"be", "have", "live", "stay", "grow", "bear", "know", "call", "name", "get", "want", "need", "feel"}
_TIME_NOUNS = {"morning", "mornings", "evening", "evenings", "night", "nights", "afternoon", "afternoons",
               "weekend", "weekends", "break", "breaks", "lunch", "lunchtime", "holiday", "holidays", "summer",
               "summers", "winter", "winters", "spring", "autumn", "time", "day", "days", "week", "weekday",
               "weekdays", "sunday", "sundays", "monday", "mondays", "tuesday", "tuesdays", "wednesday",
               "wednesdays", "thursday", "thursdays", "friday", "fridays", "saturday", "saturdays", "commute"}


# -- predicates and their arguments --------------------------------------------------------

def _predicates(doc) -> list:
    preds = []
    for sent in doc.sents:
        preds.append(sent.root)
        preds += [c for c in sent.root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
        preds += [c for c in sent.root.children if c.dep_ == "ccomp" and c.i < sent.root.i and c.lemma_ == "be"
                  and any(s.dep_ == "nsubj" and s.lower_ == "i" for s in c.children)   # "I'm allergic to X, so
                  and any(a.dep_ == "acomp" for a in c.children)]                       # picnics make me …"
    return preds


def _subject(pred):
    subj = next((c for c in pred.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None and pred.dep_ == "conj":
        return _subject(pred.head)
    return subj


def _subject_forms(subj, people: People | None, standing_for: Person | None = None) -> list[tuple[str, str]]:
    low = subj.lower_
    if low == "i":
        return [("I", "1")]
    if low in ("he", "she") and subj.i == 0 and standing_for is not None:
        return [(standing_for.name, "3")] + [(v, _number(v)) for v in lx.role_variants(standing_for.role or "")]
    if low == "we" or any(c.dep_ == "conj" for c in subj.children):
        said = list(subj.subtree)
        while len(said) > 1 and (said[0].lower_ in ("every", "each", "this", "last", "next") or said[0].ent_type_ == "DATE"
                                 or said[0].text in _WHEN_WORDS):
            said.pop(0)   # "Every August Rosalina and I stay …": the time is no one staying
        text = " ".join(t.text for t in said)
        if low != "we" and any(c.dep_ == "conj" and c.lower_ == "i" for c in subj.children):
            return [(text, "pl"), ("we", "pl")]   # "Rosalina and I stay …": where do we stay
        return [(text if low != "we" else "we", "pl")]
    role = next((c.lower_ for c in subj.lefts if c.dep_ == "compound" and (lx.is_person_role(c.lower_)
                                                                           or lx.is_pet_role(c.lower_))), None)
    if role and subj.pos_ == "NOUN" and subj.text[:1].isupper() and subj.i > subj.sent.start:
        # "my dog Pickles", which the small parser reads as "pickles"
        return [(subj.text, "3")] + [(v, _number(v)) for v in lx.role_variants(role)]
    number = "pl" if subj.tag_ in ("NNS", "NNPS") else "3"
    if subj.pos_ == "PROPN":
        words = span_text(subj).split()
        while len(words) > 1 and words[0].islower():   # "my grandchild Leonor", the role read as a modifier
            words.pop(0)
        name = " ".join(words)
        role = next((role_text(c) for c in subj.lefts if c.dep_ in ("amod", "compound") and lx.is_person_role(c.lower_)),
                    None) or (people.role_of(name) if people else None)   # "my grandson Duarte": as said here
        return [(name, "3")] + [(v, _number(v)) for v in lx.role_variants(role or "")]
    owner = next((c for c in subj.children if c.dep_ == "poss" and c.pos_ == "NOUN"), None)   # "my sister's kids"
    if subj.pos_ == "NOUN" and (any(c.lower_ in ("my", "our") for c in subj.children)
                                or owner is not None and any(c.lower_ in ("my", "our") for c in owner.children)):
        role = role_text(subj)
        said = lx.role_variants(role) if owner is not None else lx.noun_variants(f"my {role}")
        if owner is None and (rest := _unranked(subj, role)):
            said += lx.noun_variants(f"my {rest}")   # "my biggest pet peeve" is also "my pet peeve"
        forms = [(v, _number(v)) for v in said]
        name = _name_of(subj)
        if name and subj.head.lemma_ not in ("call", "name"):
            forms.append((name, "3"))
        return forms
    return []   # "it", "the weather", "he" unresolved: not a question about the user's world


_WHEN_WORDS = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
               "summer", "winter", "spring", "autumn", "morning", "evening", "weekend", "year", "week"}


def _number(phrase: str) -> str:
    word = phrase.split()[-1]
    return "pl" if word.endswith("s") and not word.endswith(("ss", "us", "is")) or word in ("children", "people") \
        else "3"


def _ask_arguments(pred, subj: str, number: str) -> list[str]:
    out = []
    chain = _chain(pred)
    for verb in chain:
        for arg in verb.children:
            if arg.dep_ in _ARG_DEPS or _handedness(arg):
                out += _ask_one(pred, chain, arg, subj, number)
            out += _companion_questions(pred, chain, arg, subj, number)
    for prep in _shared_preps(pred):
        out += _ask_prep(pred, chain, prep, subj, number)
    return out


_BARE_VERB_DEPS = {"nsubj", "nsubjpass", "aux", "auxpass", "cc", "conj", "punct", "neg", "advmod"}


def _shared_preps(pred) -> list:
    """"I have lived and worked in Oslo since 2015": the parser hangs "in Oslo" on "worked" alone;
    a verb with nothing of its own, joined by "and" to the next, shares its prepositions."""
    conj = next((c for c in pred.children if c.dep_ == "conj" and c.pos_ == "VERB"), None)
    if conj is None or conj.i != pred.i + 2 or pred.nbor(1).dep_ != "cc" \
            or any(c.dep_ not in _BARE_VERB_DEPS for c in pred.children):
        return []
    return [c for c in conj.children if c.dep_ == "prep"]


def _companion_questions(pred, chain, arg, subj, number) -> list[str]:
    """"play chess with Dr. Lindgren", "sail to Lofoten with Ilse", "rent a flat in Lisbon": the
    small parser hangs the companion, or the named place, on the noun before; it is the
    doing's ("Who do I play chess with?", "Where am I renting a flat?")."""
    if arg.dep_ not in ("dobj", "prep"):
        return []
    noun = arg if arg.dep_ == "dobj" else next((c for c in arg.children if c.dep_ == "pobj"), None)
    hung = [c for c in noun.children if c.dep_ == "prep"] if noun is not None else []
    out = []
    for prep in hung:
        if prep.lower_ == "with" and any(c.dep_ == "pobj" and _is_person(c) for c in prep.children) or \
                arg.dep_ == "dobj" and not _is_person(arg) and prep.lower_ in ("in", "at", "near") and \
                any(c.dep_ == "pobj" and c.ent_type_ in ("GPE", "LOC") for c in prep.children):
            out += _ask_prep(pred, chain, prep, subj, number)
    for other in hung:   # asked of the noun alone
        said = " " + _np(other)
        out = [q.replace(said, "") for q in out]
    return out


def _chain(pred) -> list:
    """The predicate and the verbs it governs by xcomp ("want to become", "going hiking")."""
    chain = [pred]
    while True:
        nxt = next((c for c in chain[-1].children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")), None)
        if nxt is None:
            return chain
        chain.append(nxt)


def _ask_one(pred, chain, arg, subj, number) -> list[str]:
    manner = _manner(arg)
    if manner:   # "I take my coffee black": how I take it, how I like it
        skip, thing = manner
        return [_frame("How", pred, chain, subj, number, skip=skip, tail=thing)] + \
            ([_frame("How", pred, chain, subj, number, verb="like", skip=skip, tail=thing)]
             if pred.lemma_ != "like" else [])
    if arg.dep_ == "prep":
        return _ask_prep(pred, chain, arg, subj, number)
    if arg.lower_ == "there" and arg.dep_ == "advmod" and any(
            t.ent_type_ in ("GPE", "LOC") or t.pos_ == "PROPN" and t.head.lower_ in ("in", "to", "at") for t in arg.doc):
        return [_frame("Where", pred, chain, subj, number)]   # "… in Bremerhaven and lived there"
    if arg.dep_ in ("npadvmod", "advmod"):
        if arg.lemma_ in ("year", "month", "week", "day", "hour") and any(c.dep_ == "nummod" for c in arg.children) \
                and arg.i > 0 and not (arg.lower_ == "day" and arg.doc[arg.i - 1].lower_ == "one"):   # "one day": some day
            return [_frame("How long", pred, chain, subj, number)]   # "married 43 years"
        every = any(c.lower_ in ("every", "each") for c in arg.children)   # "every weekend"
        out = situation_questions(pred, subj, number, _np(arg)) if (every or _dated(arg)) and len(chain) == 1 else []
        return out + (_when(pred, chain, subj, number) if arg.ent_type_ in ("DATE", "TIME") or every else [])
    if arg.dep_ == "ccomp":
        return opinion_questions(pred, arg, subj, number)
    if _handedness(arg):
        return _handed(pred, subj, number)
    if arg.dep_ in ("acomp", "attr") and pred.lemma_ == "be" and arg.lower_ in lx.DIETS | lx.CONDITIONS \
            and (arg.lower_ in lx.DIETS or not any(c.dep_ == "det" or c.lower_ == "to" for c in arg.children)):
        return _described(arg.lower_, pred, subj, number)   # "a vegan"; no "a deaf", no "blind to his faults"
    if arg.dep_ == "acomp":
        prep = next((c for c in arg.children if c.dep_ == "prep"), None)
        if prep is None:
            return []
        tail = f"{arg.text} {prep.text}"
        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        return [_frame("What", pred, chain, subj, number, tail=tail)] + _by_kind(pobj, pred, chain, subj, number,
                                                                                tail=tail)
    if arg.dep_ == "attr" and (arg.like_num or arg.ent_type_ == "DATE") and pred.lemma_ == "be" \
            and not any(c.dep_ in ("det", "amod") for c in arg.children):   # "the clever one" is no age
        said = _subject(pred)
        if _CALENDAR.search(_np(arg)) or said is not None and said.lemma_ in lx.OCCASIONS:
            return [f"When is {subj}?", f"What date is {subj}?", f"On what day is {subj}?"]   # "my birthday is 3 March"
        return [_frame("How old", pred, chain, subj, number, skip=arg), f"What is {_possessive(subj)} age?"]
    if arg.dep_ in ("attr", "dobj") and arg.pos_ in ("NOUN", "PROPN", "NUM", "ADJ"):
        return _ask_object(pred, chain, arg, subj, number)
    return []


def _handedness(arg) -> bool:
    """"left-handed", parsed "left", "-", "handed": the complement of "I'm", or of "is left" read as a passive verb."""
    return arg.dep_ in ("acomp", "oprd") and arg.lower_ == "handed" and arg.i >= 2 \
        and arg.doc[arg.i - 2].lower_ in ("left", "right")


def _handed(pred, subj: str, number: str) -> list[str]:
    """Left- or right-handed: the hand one writes with, uses, favours."""
    do = "did" if _past(pred) else _DO[number]
    be = (_BE_PAST if _past(pred) else _BE)[number]
    return [f"Which hand {do} {subj} write with?", f"Which hand {do} {subj} use?",
            f"What is {_possessive(subj)} dominant hand?", f"{be.capitalize()} {subj} left-handed or right-handed?"]


def _described(word: str, pred, subj: str, number: str) -> list[str]:
    """"I'm vegetarian", "she is diabetic": a diet kept, a condition lived with, asked as such."""
    do, poss = ("did" if _past(pred) else _DO[number]), _possessive(subj)
    if word in lx.DIETS:
        return [f"What diet {do} {subj} follow?", f"What kind of diet {do} {subj} have?", f"What is {poss} diet?",
                f"What {do} {subj} eat?", f"What are {poss} dietary restrictions?"]
    out = [f"What condition {do} {subj} have?", f"What health condition {do} {subj} have?",
           f"What medical condition {do} {subj} have?"]
    return out + ([f"Which chronic illness {do} {subj} have?", f"What {do} {subj} suffer from?"]
                  if word in lx.CHRONIC else []) + _condition_area([word], pred, subj, number)


def _condition_area(words, pred, subj: str, number: str) -> list[str]:
    """A condition asked by the part of life it touches: celiac is a dietary condition
    ("What can't I eat?"), colourblindness is about the eyes ("What is unusual about my vision?")."""
    area = next((lx.CONDITION_AREAS[w] for w in words if w in lx.CONDITION_AREAS), None)
    if area is None:
        return []
    do, poss = ("did" if _past(pred) else _DO[number]), _possessive(subj)
    out = [f"What {area} condition {do} {subj} have?"]
    if area == "dietary":
        out += [f"What can't {subj} eat?", f"What are {poss} dietary restrictions?",
                f"What {do} {subj} have to avoid eating?"]
    for sense in lx.AREA_SENSES.get(area, []):
        out += [f"What is unusual about {poss} {sense}?", f"What is wrong with {poss} {sense}?"]
    return out


def opinion_questions(pred, clause, subj: str, number: str) -> list[str]:
    """"I think daylight saving time should be abolished": what I think should be done, what I
    think of it, and, for an end wished on something, what I would like to be rid of."""
    topic = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if pred.lemma_ not in lx.OPINION_VERBS or topic is None or topic.pos_ not in ("NOUN", "PROPN"):
        return []
    do = "did" if _past(pred) else _DO[number]
    thing = _np(topic)
    out = [f"What {do} {subj} think about {thing}?", f"What is {_possessive(subj)} opinion on {thing}?",
           f"How {do} {subj} feel about {thing}?"]
    modal = next((c for c in clause.children if c.dep_ == "aux" and c.tag_ == "MD"), None)
    attr = next((c for c in clause.children if c.dep_ in ("attr", "acomp")), None)
    if modal is None and clause.lemma_ == "be" and attr is not None:   # "… scooters on the pavement are a menace"
        said = " ".join(t.text for t in attr.subtree)
        out += [_clean(f"What {do} {subj} think {clause.text} {said}?"), _clean(f"What {do} {subj} consider {said}?")]
        if attr.lemma_ in _NUISANCES:
            whom, where = _OBJECT.get(subj, subj), [_np(c) for c in topic.children if c.dep_ == "prep"]
            many = topic.tag_ in ("NNS", "NNPS")
            out += [f"What annoys {whom}?", f"What {do} {subj} find annoying?"]
            out += [f"What annoys {whom} {w}?" for w in where] + \
                   [f"Which {k}{'s annoy' if many else ' annoys'} {whom}?"
                    for k in kinds_of(_phrase(topic), clause.doc.text)[:1]]
    if modal is None:
        return out
    said = " ".join(t.text for t in clause.subtree if t.i > topic.i and t not in topic.subtree)   # "should be abolished"
    out.insert(0, _clean(f"{'Who' if _is_person(topic) else 'What'} {do} {subj} think {said.rstrip(' .')}?"))
    negated = any(c.dep_ == "neg" for c in clause.children)
    if clause.lemma_ in lx.RID_OF and not negated:
        out += [f"What would {subj} like to {v}?" for v in ("get rid of", "do away with", clause.lemma_)]
        if clause.tag_ == "VBN":
            out += [f"What would {subj} like to see {clause.text}?", f"What {do} {subj} want {clause.text}?"]
    return out


_NUISANCES = {"menace", "nuisance", "pest", "disgrace", "pain", "plague", "danger", "hazard", "eyesore", "scourge",
              "curse", "blight", "annoying", "dangerous", "unbearable", "awful", "terrible", "ridiculous"}


def _manner(arg):
    """An adjective that says how the object is had ("my coffee black", "my eggs runny"): the
    token a question leaves out and the object it asks about, or None."""
    if arg.pos_ != "ADJ":
        return None
    nouns = [c for c in arg.children if c.dep_ == "compound" and c.pos_ == "NOUN"]
    poss = [c.text for t in [arg, *nouns] for c in t.children if c.dep_ == "poss"]
    if arg.dep_ == "dobj" and nouns and poss:   # the small parser's one phrase "my coffee black"
        return arg, " ".join(poss + [n.text for n in nouns])
    obj = next((c for c in arg.head.children if c.dep_ == "dobj" and c.pos_ == "NOUN" and c.i < arg.i), None)
    if obj is None or arg.dep_ not in ("dobj", "advmod", "oprd", "acomp", "xcomp", "ccomp"):
        return None
    return obj, _np(obj)


def _ask_object(pred, chain, arg, subj, number) -> list[str]:
    person = _is_person(arg) and (subj == "I" or lx.is_person_role(subj) or not subj.startswith("my ")) \
        and not (arg.dep_ == "attr" and len(chain) > 1 and lx.is_job(arg.lemma_)) \
        and not (pred.lemma_ == "play" and arg.pos_ == "PROPN")   # "wants to be a vet", "play Chopin": what
    out = [_frame("Who" if person else "What", pred, chain, subj, number, skip=arg)]
    goal = next((c for c in arg.head.children if c.dep_ == "prep" and c.lower_ in ("into", "to", "for")
                 and c.i > arg.i and arg.dep_ == "dobj"), None)
    if goal is not None:   # "turn the boathouse into a café": "What do we want to turn into a café?"
        out.append(_frame("What", pred, chain, subj, number, skip=arg, tail=_np(goal)))
    for prep in (c for c in arg.children if c.dep_ == "prep"):   # "a snowplow for the city"
        out += _employed(pred, prep, subj, number)
    if arg.dep_ == "attr" and not any(c.dep_ == "prep" for c in arg.children if c.text == "of"):
        out += _job(arg, pred, subj, number)
    if arg.dep_ == "attr" and pred.lemma_ == "be" and subj[:1].isupper() and subj != "I":
        out += _defined(pred, arg, number)   # a named thing described ("Rhubarb is the only thing that …")
    out += [_frame("What", pred, chain, subj, number, verb=v, skip=arg) for v in _synonyms(pred)[:3]
            if pred.lemma_ != "be"]
    if pred.lemma_ != "be":
        out += _by_kind(arg, pred, chain, subj, number, skip=arg)
    if goal is not None:   # "Which building do we want to turn into a café?"
        out += _by_kind(arg, pred, chain, subj, number, skip=arg, tail=_np(goal))
    out += _ailing(pred, arg, subj)
    out += _work_topic(pred, chain, arg, subj, number)
    if pred.lemma_ in lx.RUNNING_VERBS and arg.dep_ == "dobj" and not _is_name(arg) and is_business(_phrase(arg)) \
            and any(c.dep_ in ("det", "poss") for c in arg.children):   # "runs a bakery"; "runs work" is none
        out += [_frame(w, pred, chain, subj, number, skip=arg) for w in ("What kind of business", "What business")]
    if arg.dep_ == "attr" and arg.lemma_ in ("champion", "champ", "winner") and pred.lemma_ == "be":
        be, do = (_BE_PAST if _past(pred) else _BE)[number], "did" if _past(pred) else _DO[number]
        title = " ".join(t.text for t in arg.subtree if t.i <= arg.i)   # "the reigning champion"
        out += [f"What {be} {subj} {title} of?", f"What {be} {subj} {title} at?", f"What {do} {subj} keep winning?",
                f"What {do} {subj} always win?", f"What {be} {subj} best at?"]
    if pred.lemma_ in ("have", "suffer") and arg.lemma_ in ("disease", "condition", "intolerance", "allergy"):
        out += _condition_area([t.lower_ for t in arg.subtree if t.i < arg.i], pred, subj, number)
    if pred.lemma_ in lx.ENDURING and any(c.dep_ == "neg" for c in pred.children):
        do = "did" if _past(pred) else _DO[number]   # "I can't stand marzipan": what I dislike
        owner = _quality_owner(arg)   # "the texture of cottage cheese": "Which food's texture …?"
        kinds = [] if _is_name(owner if owner is not None else arg) else \
            [f"{k}'s {arg.lemma_}" if owner is not None else k
             for k in kinds_of(_phrase(owner if owner is not None else arg), arg.doc.text)]
        out += [f"What {do} {subj} {v}?" for v in ("dislike", "hate", "really dislike", "find unbearable")]
        out += [f"Which {k} {do} {subj} {v}?" for k in kinds for v in ("dislike", "really dislike", "find unbearable")]
    if pred.lemma_ == "play" and any(c.dep_ == "det" and c.lower_ == "the" for c in arg.children):
        out += [_frame(w, pred, chain, subj, number, skip=arg) for w in ("Which instrument", "What instrument")]
    of = _of_object(arg)   # "a fan of Agatha Christie novels", "of Taylor Swift": no team
    if arg.dep_ == "attr" and arg.lemma_ in ("supporter", "fan") and (
            of is None or of.pos_ == "PROPN" and of.ent_type_ not in ("PERSON", "WORK_OF_ART")):   # "Leixões supporter"
        do = "did" if _past(pred) else _DO[number]
        out += [f"Which {w} {do} {subj} support?" for w in ("team", "club", "football club")]
        out += [f"Who {do} {subj} support?"]
    if _to_misread(arg):   # "Kofi got promoted to head chef": what he got promoted to
        out = [q[:-1] + " to?" if q.endswith("?") and not q.endswith(" to?") else q for q in out]
    return out


def _of_object(noun):
    """What the noun is "of" ("a fan of Taylor Swift"): the object of its "of", else None."""
    return next((p for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"
                 for p in c.children if p.dep_ == "pobj"), None)


def _quality_owner(noun):
    """"the texture of cottage cheese": the thing whose quality the noun is, else None."""
    return _of_object(noun) if noun.lemma_ in lx.QUALITIES else None


def _work_topic(pred, chain, arg, subj, number) -> list[str]:
    """"doing a research project on lameness", "writing my thesis on coral bleaching": what the
    work is on or about, and for inquiry, what one researches, investigates, looks into (then too:
    "What am I investigating this summer?")."""
    if arg.dep_ != "dobj":
        return []
    if arg.lemma_.lower() in lx.DEGREES:
        return _degree_field(pred, chain, arg, subj, number)
    if arg.lemma_.lower() not in lx.STUDIES:
        return []
    about = next((c for v in (arg, pred) for c in v.children if c.dep_ == "prep" and c.lower_ in ("on", "about", "into")
                  and any(p.dep_ == "pobj" for p in c.children)), None)
    if about is None:
        return []
    said = [t for t in arg.subtree if t.i <= arg.i]
    work = " ".join(t.lower_ if t.is_sent_start else t.text for t in said
                    if t.dep_ in ("compound", "amod") and not t.ent_type_ or t == arg)
    be = (_BE_PAST if _past(pred) else _BE)["3"]
    out = [f"What {be} {_possessive(subj)} {work} {w}?" for w in ("on", "about")]
    if {t.lower_ for t in said} & lx.INQUIRY:
        asked = [_frame("What", pred, chain, subj, number, verb=v, skip=arg) for v in lx.INQUIRY_VERBS]
        times = [_np(c).lower() for c in pred.children if _dated(c)]
        out += asked + [q[:-1] + f" {t}?" for q in asked if q for t in times]
    return out


def _degree_field(pred, chain, arg, subj, number) -> list[str]:
    """"doing a PhD in glaciology", "has a degree in history": the field it is in ("What is my best
    friend's PhD in?", "What field is my best friend doing a PhD in?"), not a place it is done in."""
    field = next((p for c in arg.children if c.dep_ == "prep" and c.lower_ == "in" for p in c.children
                  if p.dep_ == "pobj" and p.pos_ == "NOUN" and not p.ent_type_ and p.lemma_ not in _PLACE_NOUNS), None)
    if field is None:
        return []
    degree = " ".join(t.text for t in arg.subtree if t.i <= arg.i and t.dep_ not in ("det", "poss"))
    be = (_BE_PAST if _past(pred) else _BE)["3"]
    said = f"{'an' if degree[:1].lower() in 'aeiou' else 'a'} {degree} in"
    out = [f"What {be} {_possessive(subj)} {degree} in?",
           _frame("What", pred, chain, subj, number, skip=arg, tail=said),
           _frame("What field", pred, chain, subj, number, skip=arg, tail=said)]
    town = any(p.ent_type_ == "GPE" for c in field.children if c.dep_ == "prep" and c.lower_ == "in"
               for p in c.children)
    if town:   # "… in volcanology in Reykjavik"
        out += [_frame("Where", pred, chain, subj, number, skip=arg, tail=said[:-3]),
                *(_frame(f"Which {w}", pred, chain, subj, number, skip=arg, tail=said) for w in lx.PLACE_WORDS[:2])]
    if pred.lemma_ in ("do", "take", "pursue") and pred.tag_ == "VBG" and len(chain) == 1:   # doing one is studying
        be = _BE[number]
        out += [f"What {be} {subj} studying?"]
        out += [f"Where {be} {subj} studying?", f"Which city {be} {subj} studying in?"] if town else []
    return out


def _dated(tok) -> bool:
    """A bare time the doing is set in: "this summer", "next week", "This autumn"."""
    return tok.dep_ == "npadvmod" and (tok.ent_type_ == "DATE" or tok.lower_ in _TIME_NOUNS)


def _to_misread(arg) -> bool:
    """"promoted to head chef", which the small parser reads as an infinitive "to head" and a
    "chef" for object: the "to" is the preposition the question must keep."""
    first = arg.doc[arg.left_edge.i]
    return arg.dep_ == "dobj" and first.lower_ == "to" and first.dep_ == "aux" and arg.head.tag_ == "VBN"


_AILING = {"bad", "dodgy", "weak", "sore", "stiff", "gammy", "dicky", "injured", "painful", "arthritic", "wonky",
           "creaky", "damaged", "broken", "torn", "slipped", "frozen", "trick", "problem"}
_OBJECT = {"I": "me", "we": "us", "he": "him", "she": "her", "they": "them"}


def _ailing(pred, arg, subj: str) -> list[str]:
    """"I have a dodgy knee", "a bad back": a part of the body that gives trouble, asked so."""
    if pred.lemma_ != "have":
        return []
    parts = [arg, *(a for a in arg.children if a.dep_ == "appos" and a.pos_ == "NOUN")]   # "dodgy, left knee"
    said = {t.lower_ for p in parts for t in p.subtree if t.i <= p.i}
    if not said & _AILING:
        return []
    kind, part = next(((kinds[0], p) for p in parts for kinds in [kinds_of(_phrase(p), p.doc.text)]
                       if "body part" in kinds), (None, None))
    if part is None:
        return []
    whom = _OBJECT.get(subj, subj)
    return [f"Which {kind} gives {whom} trouble?", f"What gives {whom} trouble?", f"Which {kind} bothers {whom}?",
            f"What is wrong with {_possessive(subj)} {part.lemma_}?"]


def _defined(pred, attr, number: str) -> list[str]:
    """"Rhubarb is the only thing that survives in my garden": the description asked for what
    it describes ("What is the only thing that survives in my garden?", "What survives in my garden?")."""
    relcl = next((c for c in attr.children if c.dep_ == "relcl"), None)
    if relcl is None or not any(c.dep_ == "nsubj" and c.lower_ in ("that", "which", "who") for c in relcl.children):
        return []
    wh = "Who" if any(c.lower_ == "who" for c in relcl.children) else "What"
    be = (_BE_PAST if pred.tag_ == "VBD" else _BE)[number]
    rest = " ".join(t.text for t in relcl.subtree if t.i > relcl.i)
    out = [_clean(f"{wh} {be} {_np(attr)}?"), _clean(f"{wh} {relcl.text} {rest}?")]
    named = next((c for c in pred.children if c.dep_ == "nsubj" and c.pos_ in ("NOUN", "PROPN")), None)
    if named is not None and attr.lemma_ in ("thing", "one"):   # "What is the only plant that survives …?"
        for kind in kinds_of(_phrase(named), attr.doc.text)[:2]:
            described = " ".join(kind if t == attr else t.text for t in attr.subtree if t.i < relcl.i)
            out += [_clean(f"What {be} {described} {relcl.text} {rest}?"), _clean(f"Which {kind} {relcl.text} {rest}?")]
    return out


_TAKING_UP = {"start", "begin", "join", "become", "work"}   # "started as a kennel assistant": the job now


def _job(noun, pred, subj: str, number: str) -> list[str]:
    """An occupation ("is a dentist", "started as a kennel assistant at Riverbend"): what and where."""
    if noun.pos_ != "NOUN" or not (lx.is_job(noun.lemma_) or _post_at_a_business(noun)) \
            or (number != "pl" and noun.tag_ == "NNS"):
        return []   # one is no "slow walkers": "My pet peeve is slow walkers" names no job
    poss = _possessive(subj)
    do = "did" if _past(pred) and pred.lemma_ not in _TAKING_UP else _DO[number]
    be = (_BE_PAST if do == "did" else _BE)["3"]
    team = next((p for c in noun.children if c.dep_ == "prep" and c.lower_ in ("for", "in", "on")
                 for p in c.children if p.dep_ == "pobj" and p.lemma_ in _TEAMS), None)
    if team is not None:   # "the goalkeeper for the company's football team": a place in a side, no living
        sport = next((t.lower_ for t in reversed(list(team.lefts)) if t.dep_ == "compound"), "")
        out = [f"What position {do} {subj} play?", f"Which position {do} {subj} play?", f"What {be} {poss} position?",
               f"What {do} {subj} play as?", f"What position {do} {subj} play in {sport or 'the team'}?"]
        return out + ([f"What {do} {subj} play in {sport}?"] if sport else [])
    out = [f"What {do} {subj} do for a living?", f"What {do} {subj} work as?", f"What {do} {subj} do?"]
    out += [f"What {be} {poss} {w}?" for w in ("job", "work", "position", "occupation", "profession", "role")]
    return out + _workplace(noun, subj, number, do)


_TEAMS = {"team", "club", "side", "squad", "eleven", "band", "orchestra", "choir"}


def _post_at_a_business(noun) -> bool:
    """"a partner at a law firm", "an associate at Baker & Co": a post, not a spouse or a friend."""
    return noun.lemma_ in lx.POSTS and any(
        c.dep_ == "prep" and c.lower_ in ("at", "in", "with") and any(
            p.dep_ == "pobj" and (p.lemma_ in lx.EMPLOYERS or p.ent_type_ == "ORG" or is_business(_phrase(p)))
            for p in c.children)
        for c in noun.children)


def _employed(pred, prep, subj: str, number: str) -> list[str]:
    """"drives a snowplow for the city", "writes software for a bank": work done for an
    employer is a job, asked as one."""
    pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
    if prep.lower_ != "for" or pobj is None or not (pobj.lemma_ in lx.EMPLOYERS | _PUBLIC_EMPLOYERS or
                                                   pobj.ent_type_ == "ORG") \
            or pred.lemma_ in _STATES or pred.pos_ != "VERB" or any(c.dep_ == "aux" for c in pred.children):
        return []
    do = "did" if _past(pred) else _DO[number]
    return [f"What {do} {subj} do for work?", f"What {do} {subj} do for a living?",
            f"What is {_possessive(subj)} job?", f"Who {do} {subj} work for?"]


_POSSESSIVE = {"I": "my", "we": "our", "he": "his", "she": "her", "they": "their", "you": "your"}


def career_questions(pred, subj: str, number: str) -> list[str]:
    """"I drove trams in Porto for 31 years before I retired", "she taught chemistry until she
    retired", "he fixed boilers for a living": the work of a working life, asked as the job it was,
    and by the worker it made ("How long was I a tram driver?")."""
    if pred.pos_ != "VERB" or pred.lemma_ in ("be", "have", "retire", "work") or not _past(pred):
        return []
    retiring = any(c.dep_ == "advcl" and c.lemma_ == "retire" for c in pred.children) or \
        any(c.dep_ == "prep" and any(p.lemma_ in ("retirement", "pension") for p in c.children) for c in pred.children)
    for_a_living = any(c.dep_ == "prep" and c.lower_ == "for" and any(p.lower_ == "living" for p in c.children)
                       for c in pred.children)
    if not (retiring or for_a_living):
        return []
    poss, was = _possessive(subj), _BE_PAST[number]
    out = [f"What did {subj} do for a living?", f"What {was} {poss} job?"]   # the thesaurus words them otherwise
    if retiring:
        out += [f"What {was} {poss} job before retirement?"] + \
            ([f"What did {subj} do before {subj} retired?"] if subj in ("I", "we") else [])
    lemma = pred.lemma_
    agent = lemma + ("r" if lemma.endswith("e") else "er")
    obj = next((c for c in pred.children if c.dep_ == "dobj" and c.pos_ == "NOUN"), None)
    if not is_noun(agent) or obj is None:
        return out
    worker = f"{obj.lemma_} {agent}"
    years = any(c.dep_ == "prep" and c.lower_ == "for" and any(p.lemma_ in ("year", "decade") for p in c.children)
                for c in pred.children)
    if years:
        out += [f"How long {was} {subj} a {worker}?", f"For how many years {was} {subj} a {agent}?"]
    return out


def _possessive(subj: str) -> str:
    return _POSSESSIVE.get(subj) or (f"{subj}'" if subj.endswith("s") else f"{subj}'s")


_SCHOOLING = {"school", "high", "secondary", "primary", "elementary", "middle", "sixth", "exchange", "first-year",
              "second-year", "third-year", "final-year", "mature", "part-time", "full-time", "international"}


def _workplace(job, subj: str, number: str, do: str) -> list[str]:
    """"I'm a vet student at the college in Saskatoon": where (and what) the subject studies or works."""
    verb = "study" if job.lemma_ == "student" else "work"
    out = []
    said = [c for c in job.children if c.dep_ in ("compound", "amod")]
    if verb == "study" and said:
        be = (_BE_PAST if do == "did" else _BE)[number]
        out += [f"What {do} {subj} study?", f"What {be} {subj} studying?"]
        if not any(t.lower_ in _SCHOOLING for c in said for t in c.subtree):   # "a vet student": a degree
            poss = _possessive(subj)
            out += [f"What {be} {subj} studying at university?", f"What is {poss} degree in?"]
    around = list(job.subtree) + ([t for t in job.head.head.subtree if t.i > job.i] if job.head.lower_ == "as" else [])
    places = [t for t in around if t.dep_ == "pobj" and (t.ent_type_ in ("GPE", "LOC", "FAC", "ORG")
                                                        or t.lemma_ in _PLACE_NOUNS or t.lemma_ in lx.EMPLOYERS
                                                        or t.head.lower_ in ("at", "in") and is_business(_phrase(t)))]
    if places:
        out += [f"Where {do} {subj} {verb}?", f"Where {do} {subj} {verb} at?"]
    for place in (p for p in places if _name_given(p)):   # "a baker in a small bakery called Kanelitupa"
        does = {"study": "studies", "work": "works"}[verb] if number == "3" else verb
        out += [f"What is the {place.lower_} {subj} {does} at called?",
                f"What is the name of the {place.lower_} {subj} {does} at?"]
    if any(t.ent_type_ == "GPE" for t in places):
        out += [f"Which {w} {do} {subj} {verb} in?" for w in lx.PLACE_WORDS]
    return out


def _origin(pred) -> bool:
    """ "grew up", "was born", "was raised": where someone comes from."""
    particle = any(c.dep_ == "prt" and c.lower_ == "up" for c in pred.children)
    return (pred.lemma_ == "grow" and particle) or pred.lemma_ in ("bear", "raise") and pred.tag_ == "VBN"


def _synonyms(pred) -> list[str]:
    """Other verbs for the predicate; none for a phrasal verb the lexicon does not list ("grow up")."""
    if _particles(pred):
        return []   # "grow up" is not "cultivate up"; its own synonyms would need the particle dropped
    if pred.lemma_ == "play" and not any(c.dep_ == "dobj" and any(d.lower_ == "the" for d in c.children)
                                         for c in pred.children):
        return []   # one performs on "the fiddle", not on chess or football
    if pred.lemma_ in ("go", "have") and any(c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX") for c in pred.children):
        return []   # "going to be an instructor" is what will be, no travelling; "have to run", no owning
    return lx.VERB_SYNONYMS.get(pred.lemma_, [])


def _by_kind(noun, pred, chain, subj, number, **frame) -> list[str]:
    """The argument asked by its kind: "Which insect am I terrified of?", "What disease do I have?"."""
    if noun is None or noun.lower_ in lx.MARKS:   # "tattooed", taken for a noun: no kind of thing
        return []
    out = []
    owner = _quality_owner(noun)
    if owner is not None:   # "I love the smell of mangoes": "Which fruit's smell …?", "What … the smell of?"
        for kind in [] if _is_name(owner) else kinds_of(_phrase(owner), noun.doc.text)[:2]:
            out += [_frame(f"{wh} {kind}'s {noun.lemma_}", pred, chain, subj, number, **frame)
                    for wh in ("Which", "What")]
        if "tail" not in frame:
            out.append(_frame("What", pred, chain, subj, number, skip=noun, tail=f"the {noun.lemma_} of"))
    if noun.lemma_ in _FROM_A_CREATURE:   # "wasp stings": "Which insect's sting …?", "Which insect …?"
        for maker in (c for c in noun.children if c.dep_ in ("compound", "amod") and c.i < noun.i):
            for kind in kinds_of(maker.lemma_.lower(), noun.doc.text)[:1]:
                out += [_frame(f"Which {kind}'s {noun.lemma_}", pred, chain, subj, number, **frame),
                        _frame(f"Which {kind}", pred, chain, subj, number, **frame)]
    if _is_name(noun):   # "I drive a Saab 96": a name, but what one drives is a car
        said = [c.lower_ for c in noun.children if c.dep_ == "compound" and c.pos_ == "NOUN"
                and 0 < c.i < noun.i and all(t.pos_ == "PROPN" for t in noun.doc[c.i + 1:noun.i + 1])
                and noun.doc[c.i - 1].lower_ == "the"]   # "the band Alvvays", "the band Fleet Foxes"
        kinds = said + lx.VERB_KINDS.get(pred.lemma_, []) + _domains(pred)
        if pred.lemma_ in _LANGUAGE_VERBS and (noun.pos_ == "ADJ" or noun.ent_type_ in ("NORP", "LANGUAGE")):
            kinds = ["language"]   # "learning Icelandic", "I speak Tagalog"
        return out + [_frame(f"{wh} {kind}", pred, chain, subj, number, **frame) for kind in kinds
                      for wh in ("Which", "What")]
    if any(c.dep_ == "appos" and c.pos_ == "PROPN" and c.left_edge.i == noun.i + 1 for c in noun.children):
        kind = role_text(noun)   # "the band Alvvays" says its kind: a band, whatever else WordNet knows a band as
        return out + [_frame(f"Which {kind}", pred, chain, subj, number, **frame)]
    kinds = []
    for appos in _appositives(noun):   # "sueca, the card game";
        kinds += [role_text(appos), *kinds_of(_phrase(appos), noun.doc.text)]   # "a dodgy left knee", misread as "dodgy, left knee"
    if _is_common(noun) and not (noun.dep_ == "attr" and lx.is_job(noun.lemma_)):   # what one is or wants to
        # be is asked as a job: no "Which seafood does she want to be?" of a marine biologist
        compound = any(c.dep_ == "compound" and c.pos_ == "NOUN" for c in noun.children)
        said = kinds_of(_phrase(noun), noun.doc.text)
        kinds += [k for k in said if not compound or k in kinds_of(noun.lemma_, noun.doc.text)] if said else \
            list(kinds_of(noun.lower_, noun.doc.text))   # "fishing nets" are not fish, nor "car ferries" cars: the head noun
        # must agree; a phrase of no known kind ("type 2 diabetes") is of its head noun's
    if noun.pos_ == "NOUN" and any(c.dep_ in ("compound", "amod") or c.dep_ == "poss" and c.pos_ == "NOUN"
                                   for c in noun.children):
        kinds.insert(0, noun.lemma_ if noun.tag_ in ("NNS", "NNPS") else noun.lower_)   # "celiac disease":
        # "What disease do I have?"; a singular kept as said ("diabetes" is no plural of "diabete")
    if not kinds and _is_common(noun):   # "camelids — alpacas and llamas": of the kind of the ones it names
        kinds = [k for c in noun.conjuncts if c.pos_ == "NOUN" for k in kinds_of(c.lemma_, noun.doc.text)][:2]
    kinds += _domains(pred)
    for kind in dict.fromkeys(kinds):
        out += [_frame(f"Which {kind}", pred, chain, subj, number, **frame),
                _frame(f"What kind of {kind}", pred, chain, subj, number, **frame)]
    return out


def _domains(pred) -> list[str]:
    """The field an adverb puts the statement in: "Musically I prefer bossa nova" is about music."""
    return [lx.DOMAIN_ADVERBS[c.lower_] for c in pred.children if c.dep_ == "advmod" and c.lower_ in lx.DOMAIN_ADVERBS]


def _appositives(noun) -> list:
    """What a noun is said to be beside it: "sueca, the card game", also where the small parser
    hung "the card game" on the verb."""
    doc = noun.doc
    beside = [a for a in noun.head.children if a.dep_ == "npadvmod" and a.pos_ == "NOUN" and a.i > noun.i
              and a.left_edge.i == noun.right_edge.i + 2 and doc[noun.right_edge.i + 1].text == ","]
    return [a for a in noun.children if a.dep_ == "appos" and a.pos_ == "NOUN"] + beside


_FROM_A_CREATURE = {"sting", "bite", "hair", "fur", "dander", "venom", "feather", "pollen", "sap"}


_PUBLIC_EMPLOYERS = {"city", "council", "government", "state", "county", "municipality", "army", "navy", "railway",
                     "post", "hospital", "school", "university", "church", "newspaper", "bank"}
_LANGUAGE_VERBS = {"learn", "study", "speak", "practise", "practice", "teach", "understand", "read", "write"}


def _phrase(noun) -> str:
    """The noun with its modifiers before it ("northern gannet", "celiac disease")."""
    return " ".join(t.text for t in noun.subtree if t.dep_ not in ("det", "poss", "prep") and t.i <= noun.i)


def _ask_prep(pred, chain, prep, subj, number) -> list[str]:
    pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
    if pobj is None or pobj.lemma_ in ("way", "case", "fact"):
        return []
    text = pobj.text
    situation = situation_questions(pred, subj, number, _np(prep)) if len(chain) == 1 and prep.lower_ in (
        "in", "on", "at", "during", "after", "before") and (pobj.lower_ in _TIME_NOUNS or pobj.lemma_ in _PLACE_NOUNS
                                                            and pobj.pos_ == "NOUN") else []
    if pobj.lower_ in _TIME_NOUNS and not pobj.ent_type_:   # "in my spare time", "on my breaks"
        return situation
    if prep.lower_ == "during":   # "During exams I live on toast": a time, whatever the noun
        rest = " ".join(_np(c) for c in pred.children if c.dep_ == "prep" and c != prep)
        return [_frame("When", pred, chain, subj, number, tail=rest)] + \
            situation_questions(pred, subj, number, _np(prep))
    if pobj.ent_type_ in ("TIME", "DATE") or re.fullmatch(r"\d{1,2}[:.]\d\d|\d{4}", text):
        if prep.lower_ == "for":
            return [_frame("How long", pred, chain, subj, number)]
        if prep.lower_ == "since":   # "married since 1998": how long, and since when
            return [_frame("How long", pred, chain, subj, number), _frame("Since when", pred, chain, subj, number),
                    *([_frame("Since which year", pred, chain, subj, number)] if re.fullmatch(r"\d{4}", text) else [])]
        return _when(pred, chain, subj, number, clock=":" in text, year=bool(re.fullmatch(r"\d{4}", text)))
    named = pobj.ent_type_ in ("GPE", "LOC", "FAC") or (
        pobj.pos_ == "PROPN" or pobj.ent_type_ == "ORG") and prep.lower_ in _NAMED_PLACE_PREPS
    place = prep.lower_ in _PLACE_PREPS and (named or pobj.lemma_ in _PLACE_NOUNS or (
        pred.lemma_ == "work" and prep.lower_ in ("in", "at") and is_business(_phrase(pobj))))   # "at a bakery"
    if place:
        tail = "from" if prep.lower_ == "from" else ""
        on = _prepositional_object(pred, prep)
        if on:   # "At the gym I'm working on a boulder problem": where I work on it, not where I work
            return [_frame("Where", pred, chain, subj, number, tail=on)]
        out = [_frame("Where", pred, chain, subj, number, tail=tail)]
        out += [_frame("Where", pred, chain, subj, number, verb=v, tail=tail) for v in _synonyms(pred)[:4]]
        if _origin(pred) and prep.lower_ in ("in", "near", "at"):   # "I grew up in Moose Jaw"
            be = "am" if subj == "I" else _BE[number]
            out += [f"What is {_possessive(subj)} hometown?", f"Where {be} {subj} from?", f"Which town {be} {subj} from?",
                    _frame("Which town", pred, chain, subj, number, tail=prep.text)]
        town = pobj.ent_type_ == "GPE" or pobj.lemma_ in ("town", "city", "village") or (
            pobj.pos_ == "PROPN" and pobj.ent_type_ not in ("ORG", "PERSON", "FAC", "LOC"))
        if town and prep.lower_ != "on":
            out += [_frame(f"Which {w}", pred, chain, subj, number, tail=prep.text) for w in lx.PLACE_WORDS]
        if town and prep.lower_ == "near":
            out += [_frame(f"Near which {w}", pred, chain, subj, number) for w in lx.PLACE_WORDS]
        if any(t.pos_ == "PROPN" or t.ent_type_ in ("GPE", "LOC") for t in pobj.subtree) \
                and pred.lemma_ in lx.FARMING and any(c.dep_ == "dobj" and c.lemma_ in lx.LIVESTOCK for c in pred.children):
            out += [f"Where is {_possessive(subj)} farm?"]   # "keeps sheep on Tustna": the farm is there
        return out + _inner_places(pred, chain, pobj, subj, number) + situation + _called(pred, prep, pobj, subj)
    if prep.lower_ == "as" and _job(pobj, pred, subj, number):
        return _job(pobj, pred, subj, number)
    employed = _employed(pred, prep, subj, number)
    if employed:
        return employed
    if pred.lemma_ == "live" and prep.lower_ == "on":   # "I basically live on London Fogs"
        return [_frame("What", pred, chain, subj, number, tail="on")] + _staple(pred, pobj, subj, number)
    wh = "Who" if _is_person(pobj) else "What"   # "with Dr. Lindgren": who
    said = next((c for c in pred.children if c.dep_ == "acomp" and c.i < prep.i), None) if pred.lemma_ == "be" \
        else None   # "is deaf in one ear": what he is deaf in, never what he is in
    tail = f"{_np(said)} {prep.lower_}" if said is not None else prep.lower_
    out = [_frame(wh, pred, chain, subj, number, tail=tail)] + _by_kind(pobj, pred, chain, subj, number, tail=tail)
    out += _gear(pred, chain, prep, pobj, subj, number) + _called(pred, prep, pobj, subj)
    return out + (_inner_places(pred, chain, pobj, subj, number) if prep.lower_ in _PLACE_PREPS else [])


_SEASONS = {"winter", "summer", "spring", "autumn", "fall", "rain", "snow", "dark", "cold", "heat"}
_NOT_ACTIVITIES = _STATES | {"go", "come", "spend", "rely", "depend", "insist", "agree", "focus", "count", "work",
                              "sleep", "sit", "lie", "rest", "nap", "stand", "lean", "sprawl", "curl"}   # postures


def _gear(pred, chain, prep, pobj, subj: str, number: str) -> list[str]:
    """What one does a thing on or with ("I bike to campus even in winter, on studded tires"):
    "What kind of tires do I use for cycling in winter?", "What do I use for winter biking?"."""
    if prep.lower_ not in ("on", "with") or len(chain) > 1 or pred.lemma_ in _NOT_ACTIVITIES or pred.pos_ != "VERB" \
            or any(c.dep_ in ("dobj", "attr") for c in pred.children) or _is_person(pobj) or _is_name(pobj) \
            or pobj.lemma_ in _PLACE_NOUNS or pobj.lower_ in _TIME_NOUNS or not is_gear(_phrase(pobj)):
        return []
    season = next((o.lower_ for c in pred.children if c.dep_ == "prep" and c.lower_ == "in"
                   for o in c.children if o.dep_ == "pobj" and o.lower_ in _SEASONS), None)
    verbs = [pred.lemma_, *_synonyms(pred)[:1], *lx.THESAURUS.get(pred.lemma_, [])[:1]]   # biking, cycling
    doings = [_ing(v) for v in dict.fromkeys(verbs)]
    doings = [form for d in doings for form in ([f"{d} in {season}", f"{season} {d}"] if season else [d])]
    do = ("did" if _past(pred) else _DO[number])
    things = pobj.lower_ if pobj.tag_ == "NNS" else pobj.lemma_
    return [f"{wh} {do} {subj} use for {d}?" for d in doings for wh in ("What", f"What kind of {things}")]


def _name_given(noun) -> bool:
    """Is the noun named as it is said ("a bakery called Kanelitupa")?"""
    named = next((c for c in noun.children if c.dep_ == "acl" and c.lemma_ in ("call", "name")), None)
    return named is not None and noun.pos_ == "NOUN" and any(
        c.dep_ in ("oprd", "attr", "dobj", "xcomp") and c.pos_ == "PROPN" for c in named.children)


def _called(pred, prep, pobj, subj: str) -> list[str]:
    """"I work at a bakery called Kanelitupa": "What is the bakery I work at called?", "What is
    the name of the bakery I work at?"."""
    if not _name_given(pobj):
        return []
    chain = _chain(pred)
    obj = next((c for c in chain[-1].children if c.dep_ == "dobj" and c.i < prep.i), None)   # "go sea swimming with"
    doing = " ".join([subj, *(a.text for a in _auxes(pred)), pred.text, *_particles(pred),
                      *(_verb_text(v) for v in chain[1:]), *([_np(obj)] if obj is not None else []), prep.lower_])
    doing = re.sub(r" (?='(?:m|re|s|ve|d|ll)\b)", "", doing)   # "I'm working on", not "I 'm"
    return [f"What is the {pobj.lower_} {doing} called?", f"What is the name of the {pobj.lower_} {doing}?"]


_STAPLES = {"drink": ("drink", "drink"), "beverage": ("drink", "drink"), "food": ("food", "eat"),
            "dish": ("food", "eat"), "snack": ("snack", "eat"), "meal": ("food", "eat")}


def _staple(pred, pobj, subj: str, number: str) -> list[str]:
    """What one lives on is one's go-to food or drink: by its kind, by the eating or drinking the
    sentence speaks of, or else as either ("I basically live on London Fogs")."""
    said = [t.lemma_ for t in pred.doc if t.pos_ == "VERB" and t.lemma_ in ("drink", "eat")]
    noun, verb = next((_STAPLES[k] for k in kinds_of(_phrase(pobj), pobj.doc.text) if k in _STAPLES), None) or \
        (_STAPLES["food" if said[0] == "eat" else "drink"] if said else ("food or drink", "eat or drink"))
    do, poss = _DO[number], _possessive(subj)
    return [f"What is {poss} go-to {noun}?", f"What {noun} {do} {subj} live on?", f"What {do} {subj} {verb} most?",
            f"What {do} {subj} {verb} all the time?"]


def _inner_places(pred, chain, pobj, subj, number) -> list[str]:
    """ "grew up on a farm near Humboldt": the place the place is in or near is asked too."""
    out = []
    for inner in (c for c in pobj.children if c.dep_ == "prep" and c.lower_ in ("near", "in", "outside")
                  and _may_be_place(next((o for o in c.children if o.dep_ == "pobj"), None))):
        out += _ask_prep(pred, chain, inner, subj, number) + _where_it_is(pred, chain, pobj, inner, subj)
    return out


def _may_be_place(noun) -> bool:
    """A place by name or by noun, or a noun of no kind WordNet knows ("the coast"); not a thing
    of another kind: "lameness in dairy cows" is no place the cows are."""
    if noun is None:
        return False
    if noun.ent_type_ in ("GPE", "LOC", "FAC") or noun.pos_ == "PROPN" or noun.lemma_ in _PLACE_NOUNS:
        return True
    return kinds_of(_phrase(noun), noun.doc.text)[:1] in ((), ("building",))


def _where_it_is(pred, chain, pobj, inner, subj) -> list[str]:
    """ "We stay at her family's old house in Caminha": where the house is, asked of the house
    ("Where is the old house we stay at?", "In which town is the old house we stay at?")."""
    place = next((c for c in inner.children if c.dep_ == "pobj"), None)
    if len(chain) > 1 or place is None or any(c.dep_ == "neg" for c in pred.children) or not (
            place.ent_type_ in ("GPE", "LOC") or place.pos_ == "PROPN"):
        return []
    described = " ".join(w.text for m in pobj.lefts if m.dep_ in ("amod", "compound", "nmod") for w in m.subtree)
    thing = f"{described} {pobj.text}".strip()
    if pobj.pos_ == "PROPN" or pobj.ent_type_:   # "at Nordvik Ferjer in Bergen"
        it = thing
    else:
        auxes = " ".join(a.text for a in _auxes(pred))
        particles = " ".join(c.text for c in pred.children if c.dep_ == "prt")   # "grew up on"
        obj = " ".join(_np(c) for c in pred.children if _is_object(c, pred))   # "spent a week at"
        it = " ".join(f"the {thing} {subj} {auxes} {pred.text} {particles} {obj} {pobj.head.lower_}".split())
    town = place.ent_type_ == "GPE" or not place.ent_type_ and place.pos_ == "PROPN"
    if inner.lower_ != "in" or not town:
        return [f"Where is {it}?"]   # near a town, or in a region ("in the Alps"): no "In which town is it?"
    return [f"Where is {it}?", f"In which town is {it}?"]


_TITLES = lx.TITLES | {"professor", "doctor", "aunt", "uncle", "auntie", "grandma", "grandpa", "sir", "lady",
                      "madame", "miss"}


def _is_person(tok) -> bool:
    """A person by name ("Dr. Lindgren", "Aunt Maud") or by role ("my grandmother")."""
    return _is_named_person(tok) or tok.pos_ == "NOUN" and lx.is_person_role(tok.lemma_)


def _is_named_person(tok) -> bool:
    """A person by the parser's entity or by a title; not a name given with what it is ("my boat Gullfisk")."""
    compounds = [t for t in tok.children if t.dep_ == "compound"]
    if any(t.pos_ == "NOUN" and not lx.is_person_role(t.lemma_) and kinds_of(t.lower_) for t in compounds):
        return False
    # a name is written with a capital: "knafeh", which the parser may take for one, is a dish
    return tok.ent_type_ == "PERSON" and tok.text[:1].isupper() or any(t.lower_ in _TITLES for t in compounds)


def _is_name(tok) -> bool:
    """A name the parser took for a common noun: capitalised inside the sentence, or titled."""
    return _is_proper(tok) or _is_named_person(tok) or (tok.text[:1].isupper() and tok.i > tok.sent.start)


def _is_proper(tok) -> bool:
    """The parser's proper noun, unless it has no capital and `kinds_of` knows what kind of thing
    it is: "geese", which the small parser may tag as a name, is birds; "honda" or "bossa nova"
    in lowercase stays what the parser took it for."""
    return tok.pos_ == "PROPN" and (any(ch.isupper() for ch in tok.text) or not kinds_of(tok.lower_, tok.doc.text))


def _is_common(tok) -> bool:
    """A common noun, also one the small parser took for a name ("geese")."""
    return tok.pos_ == "NOUN" or tok.pos_ == "PROPN" and not _is_proper(tok)


_ON_VERBS = {"work", "focus", "concentrate", "rely", "depend", "count", "insist", "spend", "practise", "practice",
             "train", "comment", "reflect", "keep"}   # verbs whose "on" names what, not where


def _prepositional_object(pred, place_prep) -> str:
    """"on a boulder problem" of "work on", "on the quiz" of "focus on": the verb's other
    preposition and its noun, which the verb needs to keep its meaning."""
    for prep in pred.children:
        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if prep.dep_ == "prep" and place_prep not in prep.subtree and prep.lower_ == "on" and pobj is not None \
                and pobj.pos_ == "NOUN" and pred.lemma_ in _ON_VERBS:
            words = [t.text for t in pobj.subtree if t.dep_ in ("compound", "amod") and t.i < pobj.i]
            return " ".join([prep.text, "a", *words, pobj.text])
    return ""


def _when(pred, chain, subj, number, clock=False, year=False) -> list[str]:
    out = [_frame("When", pred, chain, subj, number)]
    if clock:
        out.append(_frame("What time", pred, chain, subj, number))
        out.append(_frame("At what time", pred, chain, subj, number))
    if year:
        out.append(_frame("In which year", pred, chain, subj, number))
        out.append(_frame("What year", pred, chain, subj, number))
    return out


def _frame(wh: str, pred, chain, subj: str, number: str, *, tail: str = "", verb: str | None = None,
           skip=None) -> str:
    """wh + auxiliary + subject + verb phrase + tail, with do-support where English needs it."""
    auxes = _auxes(pred)
    negs = [c for c in pred.children if c.dep_ == "neg"]
    neg = "n't" if negs else ""
    obj = next((c for v in (pred, *chain[1:]) for c in v.children
                if _is_object(c, v) or c.dep_ == "attr" and v.lemma_ == "be"), None)   # "want to get my licence"
    tail = f"{_np(obj)} {tail}" if obj is not None and obj != skip and wh.split()[0] in _ADVERBIAL else tail
    rest_verbs = " ".join(_verb_text(v) for v in chain[1:])
    if verb and verb.startswith("be "):     # "be based": "Where is my sister based?"
        be = (_BE_PAST if pred.tag_ == "VBD" and not auxes else _BE)[number]   # "have worked": "am I employed"
        return _clean(f"{wh} {be} {subj} {verb[3:]} {tail}?")
    if pred.lemma_ == "be" and not auxes:
        be = (_BE_PAST if pred.tag_ == "VBD" else _BE)[number]
        return _clean(f"{wh} {be}{neg} {subj} {rest_verbs} {tail}?")
    if auxes and auxes[0].lemma_ == "get" and auxes[0].dep_ == "auxpass" and len(auxes) == 1 and not verb:
        do = ("did" if auxes[0].tag_ == "VBD" else _DO[number]) + neg   # "we got married": when did we get married
        return _clean(f"{wh} {do} {subj} get {pred.text} {rest_verbs} {tail}?")
    if auxes:
        first, others = auxes[0], " ".join(a.text for a in auxes[1:])
        aux = _negate(_aux_form(first, number)) if neg else _aux_form(first, number)
        if verb and (pred.tag_ != "VBG" or verb.split()[0] in ("be", "have")):
            return ""   # a synonym would need inflecting after an auxiliary; only "-ing" is
        main = _ing(verb) if verb else pred.text   # "What am I learning?" → "What am I studying?"
        return _clean(f"{wh} {aux} {subj} {others} {main} {rest_verbs} {tail}?")
    do = ("did" if _past(pred) else _DO[number]) + neg
    main = verb or pred.lemma_
    return _clean(f"{wh} {do} {subj} {main} {' '.join(_particles(pred))} {rest_verbs} {tail}?")


def _particles(pred) -> list[str]:
    """The verb's particles ("grow up", "put down"), less an adverb the small parser took for
    one: "mends nets down at the harbour" is mending, not "mending down"."""
    obj = next((c for c in pred.children if c.dep_ == "dobj"), None)
    doc = pred.doc
    return [c.text for c in pred.children if c.dep_ == "prt" and not (
        obj is not None and c.i > obj.i and c.i + 1 < len(doc) and doc[c.i + 1].dep_ == "prep")]


_ADVERBIAL = {"Where", "When", "How", "At", "In", "Which", "What", "Who", "Since"}
_NEG = {"can": "can't", "will": "won't", "shall": "shan't", "am": "am not"}


_PAST_MARKERS = {"yesterday", "ago", "last", "once", "used", "when", "before", "earlier", "then"}


def _past(pred) -> bool:
    """A past-tense verb, but not one whose past is its present ("I knit", "I put", "I read"),
    unless the sentence says it is past ("yesterday", "years ago", "in 2019")."""
    if pred.tag_ != "VBD":
        return False
    if pred.lower_ != pred.lemma_:
        return True
    return any(t.lower_ in _PAST_MARKERS or re.fullmatch(r"(?:19|20)\d\d", t.text) for t in pred.sent)


def _negate(aux: str) -> str:
    return _NEG.get(aux, aux + "n't")


def _np(tok) -> str:
    """The phrase as it was written ("a three-week placement", not "three - week"), a word apart
    where the small parser's phrase skips some ("maple syrup … real maple syrup")."""
    words = list(tok.subtree)
    return "".join(t.text + (t.whitespace_ if n.i == t.i + 1 else " ") for t, n in zip(words, words[1:])) \
        + words[-1].text


def _aux_form(aux, number: str) -> str:
    if aux.lemma_ == "be":
        return (_BE_PAST if aux.tag_ == "VBD" else _BE)[number]
    if aux.lower_ in ("'ve", "ve"):
        return "have"
    if aux.lower_ in ("'ll",):
        return "will"
    if aux.lower_ in ("'d",):
        return "would"
    if aux.lower_ == "ca":
        return "can"
    if aux.lemma_ == "have":
        return "has" if number == "3" else "have"
    return aux.lower_


def _ing(verb: str) -> str:
    """The present participle of a verb phrase's first word: "study" → "studying", "make up" →
    "making up", "plan" → "planning"."""
    word, _, rest = verb.partition(" ")
    if word.endswith("ie"):
        word = word[:-2] + "y"
    elif word.endswith("e") and not word.endswith(("ee", "ye", "oe")) and len(word) > 2:
        word = word[:-1]
    elif re.fullmatch(r"[^aeiou]*[aeiou][bdgklmnprt]", word):   # one short syllable: "plan", "run"
        word += word[-1]
    return f"{word}ing {rest}".strip()


def _verb_text(verb) -> str:
    to = " ".join(c.text for c in verb.children if c.dep_ == "aux" and c.lower_ == "to")
    return f"{to} {verb.text}".strip()


def _auxes(pred) -> list:
    own = [c for c in pred.children if c.dep_ in ("aux", "auxpass") and c.lower_ != "to"]
    if not own and pred.dep_ == "conj" and pred.tag_ in ("VBN", "VBG") and pred.head.tag_ == pred.tag_:
        return _auxes(pred.head)   # "was born and raised in Dundee": "Where was she raised?"
    if not own and pred.dep_ == "conj" and pred.tag_ == "VBD" and pred.head.tag_ == "VBN" \
            and any(a.lemma_ == "have" and a.dep_ == "aux" for a in pred.head.children):
        return _auxes(pred.head)   # "have lived and worked", the second read as a past: "Where have I worked?"
    return own


def _is_object(word, verb) -> bool:
    """What the verb acts on; for "spend", the time spent ("spent a week"), but no "stay every August"."""
    return word.dep_ == "dobj" or word.dep_ == "npadvmod" and verb.lemma_ == "spend"


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).replace(" ?", "?").replace(" n't", "n't").replace(" 's ", "'s ")
    text = re.sub(r"(?<=\w )(My|Our)(?= [a-z])", lambda m: m.group(1).lower(), text)   # the sentence's first word, moved
    return text[0].upper() + text[1:]


def _unique(items: list[str]) -> list[str]:
    seen, out = set(), []
    for q in items:
        key = q.lower()
        if q and key not in seen and len(q.split()) >= 3:
            seen.add(key)
            out.append(q)
    return out
