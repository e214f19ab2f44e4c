"""Corrections and updates: which value is wrong or outdated, and which replaces it.

A correction names both values ("Gunnhild lives in Narvik, not Harstad"; "I wrote
Stormvind yesterday, but it's actually Stormkast"). An update names the new value and
often the old one by what happened to it ("Kenji moved out … our new roommate is
Priyanka", "I left Coral Maresia and joined Ventos do Norte", "no more astronaut"); when
it does not ("I'm the chief engineer now"), the old value is found by topic: the older
statement with the same subject and relation ("i|job").

The old value is *retired* (no training target may contain it again) and older examples
that held it are rewritten with the new value where the pair is unambiguous, so "You live
with Margot and Kenji" becomes "You live with Marguerite and Priyanka" instead of being
forgotten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from consolidation import lexicon as lx
from consolidation.rephrase import People, parse, span_text

_UPDATE = re.compile(
    r"\b(instead|new|no more|no longer|anymore|any more|moved (?:out|away|to)|quit|left|stopped|started|"
    r"switched|promoted|changed (?:his|her|my|their|our) mind|closed(?: down)?|as of|joined|these days|retired|"
    r"relocated|relocating|(?:has|have) been sold|resigned|since relocated|abandoned|(?:decided|persuaded|chose) to abandon|gave up|given up|"
    r"just moved|(?:moved|switched|changed|transferred|relocated|swapped) from|(?:gave|handed in) (?:\w+ )*?my notice|that I leave|"
    r"(?:we|I) (?:live|are living|am living) in [A-Z][\w-]*(?: [A-Z][\w-]*)* now)\b",
    re.IGNORECASE)
_NAME = r"([A-Z][\w&'-]*(?: (?:& |and |of )?[A-Z][\w&'-]*)*)"
_GONE_FROM = re.compile(
    rf"\b(?i:not (?:anymore|any more|any longer)|no (?:more|longer))\s+(?:in|at|with|for)\s+{_NAME}"
    rf"|\b(?i:gave|give|handed|hand)\s+(?:in\s+)?my\s+notice\s+(?:to|at)\s+{_NAME}"
    rf"|\b(?i:gave|give|handed|hand)\s+{_NAME}\s+my\s+notice"
    rf"|\b(?i:tell|told)\s+{_NAME}\s+(?:that\s+)?I(?:'m| am| will)?\s+(?:leave|leaving|quit|quitting)\b")
_LEAVING = re.compile(r"\b(moved out|moved away|closed(?: down)?|quit|left|stopped|no more|no longer|gave up|"
                      r"not anymore|not any more|my notice|that I leave|I am leaving|I'm leaving|"
                      r"given up|sold|split up|broke up|died|passed away|resigned|abandoned|"
                      r"(?:decided|persuaded|chose) to abandon)\b", re.IGNORECASE)
_CHANGED_MIND = re.compile(r"^\w+(?:'s)?\s+(?:has\s+|have\s+)?changed (?:his|her|their|my|our) minds?$", re.IGNORECASE)
_TITLES = lx.TITLES | {"the", "a", "an", "my", "our"}
_TIME_WORDS = {"yesterday", "earlier", "today", "day", "other", "before", "week", "time", "last"}


_ABBREVIATION = re.compile(r"\b(Dr|Mr|Mrs|Ms|Prof|St|Mt|Jr|Sr)\.(?=\s)")
_DOT = "\x00"
_PRONOUN_BE = re.compile(r"^(?:that|it|this|he|she|there|here|what|who|i|you|we|they)'(?:s|re|m)$")
_AUXILIARIES = {"am", "is", "are", "was", "were", "be", "been", "do", "does", "did", "have", "has", "had", "can",
                "could", "will", "would", "should", "shall", "may", "might", "must", "'s", "'re", "'m"}


@dataclass(frozen=True)
class Revision:
    right: str          # the value that holds now ("" when only the old one is known)
    wrong: str          # the value retired
    statement: str      # the clause stating the right value, first person, "" if none


_SAID_VERBS = r"(?:said|wrote|write|told you|tell you|typed|called|put|mentioned|say)"
_SAID_BUT = re.compile(rf"\bI {_SAID_VERBS}\b.+?,?\s+"
                       r"(?:but|(?:and )?(?:that's|that is|this is|I got (?:that|it)) (?:wrong|a mistake|mistake))\b",
                       re.IGNORECASE)


_ADMISSION = re.compile(r"\b(?:sorry|wrong|mistake|confus\w*|mix(?:ed)?(?: it| them)? up|mix it|I meant)\b", re.IGNORECASE)


def admits(text: str) -> bool:
    """Does the text own up to a slip ("sorry", "wrong", "I confuse", "I mix them up") or tell it
    again ("I told you …")?"""
    return bool(_ADMISSION.search(text) or re.search(rf"\bI {_SAID_VERBS}\b", text, re.IGNORECASE))


def is_correction(text: str) -> bool:
    """Wording perception may miss: "I said X earlier, but it's Y", "Sorry, I confuse. My car is
    a Fabia, not Octavia", "I got something wrong, Pickles isn't fourteen, he's thirteen"."""
    return bool(_SAID_BUT.search(text) or _ADMISSION.search(text)) and bool(correction_pairs(text))


def is_update(text: str) -> bool:
    return any(not _a_side(text, m) for m in _UPDATE.finditer(text))


_SIDE_BEFORE = re.compile(r"\b(my|his|her|their|our|your|the|a|on|to)\s+$", re.IGNORECASE)
_SIDE_AFTER = re.compile(r"-|\s+(hand|arm|leg|foot|knee|hip|ankle|wrist|elbow|shoulder|eye|ear|side|thumb)\b")


def _a_side(text: str, match: re.Match) -> bool:
    """"left" the side, not the leaving: "left-handed", "my left knee", "the left lane"."""
    return match.group(1).lower() == "left" and bool(
        _SIDE_BEFORE.search(text, 0, match.start()) or _SIDE_AFTER.match(text, match.end()))


_REPAIR = re.compile(r"(?:,|\.|\.\.\.|\s)\s*(?:and,?\s+)?(?:wait,? no|no,? wait|scratch that|no,? sorry)\b[,.]?"
                     r"(?:\s*(?:scratch that|sorry|I mean)\b[,.]?)?\s+", re.IGNORECASE)


# "Owen's 14, no, 15", "clock in at 5:45 — no, hang on, 5:15", "ran the 36, sorry 63, samples": a
# number or a name said and at once said again as another of its kind.
_SLIP = re.compile(r"(?P<wrong>\b\d[\d:.]*(?:st|nd|rd|th)?|\b[A-Z][a-z]+)\s*[,—–-]+\s*"
                   r"(?:no|sorry|I mean|I meant|er|um)\b(?:[,—–-]?\s*(?:no|hang on|wait|sorry|I meant|I mean)\b)*[,—–-]?\s+"
                   r"(?P<right>\d[\d:.]*(?:st|nd|rd|th)?\b|[A-Z][a-z]+\b)")


def _slips(text: str) -> str:
    def mend(m: re.Match) -> str:
        wrong, right = m["wrong"], m["right"]
        same = wrong[:1].isdigit() == right[:1].isdigit() and wrong != right
        return right if same and wrong.lower() not in _MARKERS else m.group(0)
    return _SLIP.sub(mend, text)


_MARKERS = {"no", "sorry", "well", "oh", "ok", "okay", "yes", "yeah", "and", "but", "so"}


def without_repairs(text: str) -> str:
    """A message that corrects itself as it goes ("she's twelve and, wait no, scratch that, she's
    eleven", "He have 11 years... no, sorry, he is 12") as it ends up: the slip is left out, so the
    wrong value is never learned and there is nothing to retire. A bare value replaces as many
    words at the end of the slip ("My dog is Rex, wait no, Max"), and a number or a name said again
    at once as another ("Owen's 14, no, 15") stands for it."""
    text = _slips(text)
    while (m := _REPAIR.search(text)) and m.start() > 0:
        before, after = text[:m.start()].rstrip(" ,"), text[m.end():]
        before = re.sub(r"\s+and$", "", before)
        value = re.split(r"[,.;!?]", after, maxsplit=1)[0].split()
        if 0 < len(value) <= 3 and not {w.lower() for w in value} & (_AUXILIARIES | {"i", "i'm", "he's", "she's", "it's"}):
            words = before.split()
            text = " ".join(words[:-len(value)] + [after])
            continue
        cut = max(before.rfind(", "), max(before.rfind(p) for p in (". ", "! ", "? ")), 0)
        head = before[:cut + 2] if cut else ""
        text = head + (after[:1].upper() + after[1:] if not head or head.rstrip().endswith((".", "!", "?")) else after)
    return text


def correction_pairs(text: str) -> list[Revision]:
    """(right, wrong) pairs in a correction message, with the corrected clause."""
    out = []
    masked = _ABBREVIATION.sub(lambda m: m.group(1) + _DOT, text)   # "Dr. Lindqvist" ends no sentence
    for match in re.finditer(r"([^.!?—–;]*?),?\s+(?:not|rather than)\s+([^.!?—–;,]+)", masked):
        before, after = (g.replace(_DOT, ".") for g in match.groups())
        last = before.split()[-1].lower().replace("’", "'") if before.split() else ""
        if last in _AUXILIARIES or _PRONOUN_BE.match(last):
            continue   # "She was not pleased", "That's not right either": a negation, not "X, not Y"
        wrong = _singular_day(_value(after, first=True))
        right = _value(before, first=False)
        if wrong and right and wrong.lower() != right.lower():
            out.append(Revision(right, wrong, clean_statement(before)))
    if not out:
        for m in _ISNT.finditer(masked):   # "Pickles isn't fourteen, he's thirteen"
            if m.group("subj").lower() in ("he", "she", "it", "they", "that", "this", "there"):
                continue   # "She was not pleased, she is cross": a mood, not a slip
            wrong, right = (_short_value(m.group(g).replace(_DOT, ".")) for g in ("wrong", "right"))
            if not re.search(r"\b(?:morning|afternoon|evening|night)s?$", wrong):
                right = re.sub(r"\s+(?:morning|afternoon|evening|night)s?$", "", right)
            if wrong and right and wrong.lower() != right.lower():
                out.append(Revision(right, _singular_day(wrong), f"{m.group('subj')} is {m.group('right').strip()}"))
    if not out:
        owned = _SAID_WRONG.search(masked)
        if owned:
            out += _said_then_wrong(*(g.replace(_DOT, ".") for g in owned.groups()))
    if not out:
        said = re.search(rf"\bI {_SAID_VERBS}\b(.+?),?\s+but\s+(.+?)(?:[.!?;]|$)", masked, re.IGNORECASE)
        if said:
            out += _diff_pair(*(g.replace(_DOT, ".") for g in said.groups()))
    return out


def _short_value(text: str) -> str:
    """A value said in a few words is those words, less an article ("a basset hound"); a longer one
    is its first noun phrase or number."""
    words = [w for w in text.split() if w.lower() not in ("a", "an", "the")]
    return " ".join(words) if len(words) <= 3 else _value(text, first=True)


_ISNT = re.compile(r"(?P<subj>\b[A-Z]?[\w']+)\s+(?:isn't|is not|wasn't|was not)\s+(?P<wrong>[^,.;]+?),\s*"
                   r"(?:(?:he|she|it|they)(?:'s|\s+is|\s+was|'re|\s+are)|is|was|it's)\s+(?P<right>[^,.;]+)")
_SAID_WRONG = re.compile(rf"\bI {_SAID_VERBS}\b(.+?)[,.]?\s+(?:(?:but|and)\s+)?(?:that's|that is|this is|that was|"
                         r"this was|it's|it is|I got (?:that|it))\s+(?:wrong|a mistake|mistake|not right|not true|"
                         r"incorrect)\b[^,.;]*[,.;]?\s*(.+)$", re.IGNORECASE)


def _said_then_wrong(said: str, rest: str) -> list[Revision]:
    """"I told you yesterday Delphine's a dental hygienist and that's wrong, I was thinking of her
    sister, Delphine is a veterinary technician", "… and I got that wrong, or the phone did, it's
    Marlise", "I write before my mother is 64, but this is wrong, she is 66": of what follows the
    admission, the first clause that gives a value of the kind the slip had, and either says it
    briefly or shares a word with the slip (not an excuse: "I was thinking of her sister"). A full
    statement replaces the old one whole: its value may be several words."""
    said = re.sub(r"^\s*(?:yesterday|before|earlier|the other day|last week)\s+", "", said.strip(), flags=re.I)
    said_words = {t.lemma_.lower() for t in parse(said) if _content(t)}
    for piece in re.split(r"(?<=[.!?])\s+|,\s+|;\s+", rest):
        piece = piece.strip(" .!")
        doc = parse(piece)
        shares = said_words & {t.lemma_.lower() for t in doc if _content(t)}
        short = len(piece.split()) <= 4
        found = _diff_pair(said, piece, strict=True) if piece else []
        if found and (short or shares or any(_kind(t) == "num" for t in doc)):
            rev = found[0]
            keep = short or re.fullmatch(r"[\d\s:.,]+(?:years?)?", rev.right)   # a number swaps safely
            return [Revision(rev.right if keep else "", rev.wrong, rev.statement)]
    return []


def correcting(previous: str, text: str) -> list[Revision]:
    """A correction that names only the right value, of the statement just before it: "My sister
    lives in Darwin." … "No wait, Hobart." or "Scratch that, favourite is laksa." The value of the
    same kind that differs is the wrong one, and the statement is the one before with it replaced.
    Only a short correction is read so: a longer one says more than which value was wrong."""
    first = re.split(r"(?<=[.!?])\s+", text.strip())[0]
    actual = clean_statement(first).rstrip(".!")
    short = len(actual.split()) <= 5
    if not short:   # "Mr Pemberton is thought to be eighty years old, since he …": the clause, not the reason
        actual = re.split(r",\s+|\s+(?:since|because|as)\s+", actual)[0]
    if not previous or not actual or len(actual.split()) > 12:
        return []
    said, now = parse(previous), parse(actual)
    right = [t for t in now if (_content(t) or _role(t) in ("complement", "object")) and not t.is_stop
             and t.is_alpha | t.like_num and t.lower_ not in {w.lower_ for w in said}]
    wrong = [t for t in said if _content(t) and t.lower_ not in {w.lower_ for w in now}]
    if not right or not wrong:
        return []
    numbers = [t for t in right if _kind(t) == "num"], [t for t in wrong if _kind(t) == "num"]
    if all(numbers):   # "sixty years of age" … "eighty years old"
        right, wrong = numbers
    new = right[-1]   # a bare value stands for the last value said; one with a verb, for the one in its place
    subject = next((c for c in new.head.children if c.dep_ in ("nsubj", "nsubjpass")), None) \
        if _role(new) == "complement" else None
    if subject is not None:   # "… a silver medal …" then "the medal was gold": the medal's word that differs
        said_words = {w.lower_ for w in now}
        mods = [c for t in said if t.lemma_.lower() == subject.lemma_.lower()
                for c in t.children if c.dep_ in ("amod", "compound", "nummod") and c.lower_ not in said_words]
        if mods:
            return [Revision(new.text, mods[-1].text, re.sub(rf"\b{re.escape(mods[-1].text)}\b", new.text,
                                                             previous.strip().rstrip(".!")))]
    old = ([t for t in wrong if t.dep_ == new.dep_] or [t for t in wrong if _role(t) == _role(new)]
           if new.dep_ != "ROOT" and not all(numbers) else []) or (wrong if short or all(numbers) else [])
    if not old:
        return []
    right_value, wrong_value = _expand(new, old[-1]), _expand(old[-1], new)
    statement = re.sub(rf"\b{re.escape(wrong_value)}\b", right_value, previous.strip().rstrip(".!"), flags=re.IGNORECASE)
    return [Revision(right_value, wrong_value, statement)]


def _role(tok) -> str:
    """The part a word plays in its clause, "is laksa" and "is Ramen" alike."""
    return {"attr": "complement", "acomp": "complement", "oprd": "complement",
            "dobj": "object", "pobj": "object"}.get(tok.dep_, tok.dep_)


_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _singular_day(value: str) -> str:
    """"not on Wednesdays" retires "Wednesday", so "Wednesday evenings" goes with it."""
    return value[:-1] if value.lower().rstrip("s") in _DAYS and value.lower().endswith("s") else value


def clean_statement(text: str) -> str:
    text = re.sub(r"^.*?(?:wrong|sorry|mixed it up|my bad|oops|wait|scratch that|typo|misstated that|misspoke|"
                  r"correct myself(?: on [^:]*)?)\s*(?:too|again)?\s*[,!.:—–-]?\s*", "", text.strip(),
                  flags=re.IGNORECASE)
    return text.strip(" ,—–-")


def _value(text: str, first: bool) -> str:
    """The value a fragment names: its first (after "not") or last (before ", not") noun phrase or number."""
    doc = _subject_first(parse(text.strip()))
    spans = [s for s in _value_spans(doc)]
    if not spans:   # a bare name ("not Harstad") is often no noun chunk to the small parser
        words = [t.text for t in doc if t.lower_ not in _TITLES and not t.is_punct][:4]
        return " ".join(words)
    return spans[0] if first else spans[-1]


def _subject_first(doc):
    """"Priyanka studies pharmacy" is a noun phrase to the small parser ("Priyanka studies"); read
    through "She studies pharmacy", which it parses right, the value is "pharmacy"."""
    first = doc[0] if len(doc) > 1 else None
    if first is None or first.dep_ in ("nsubj", "nsubjpass") or not (
            first.pos_ == "PROPN" or first.pos_ == "NOUN" and first.text[:1].isupper()):   # "Rosalind", read as a noun
        return doc
    fixed = parse("She" + doc.text[len(first.text):])
    return fixed if fixed[0].dep_ == "nsubj" else doc


def _value_spans(doc) -> list[str]:
    spans = []
    for chunk in doc.noun_chunks:
        words = [t for t in chunk if t.lower_ not in _TITLES and t.pos_ not in ("PRON", "DET")]
        if words and words[0].i <= words[-1].i:
            spans.append((words[0].i, doc[words[0].i:words[-1].i + 1].text))
    for tok in doc:
        if tok.like_num or re.fullmatch(r"\d{1,2}[:.]\d\d", tok.text):
            if not any(start <= tok.i for start, text in spans if tok.text in text):
                spans.append((tok.i, tok.text))
    return [text for _, text in sorted(spans)]


def _diff_pair(said: str, actual: str, strict: bool = False) -> list[Revision]:
    """"I wrote Oddmund earlier, but my dad's name is Oddvar": the values that differ, aligned by type
    (`strict`: only so)."""
    cleft = _uncleft(said, actual)
    if cleft:
        return cleft
    a, b = parse(said), parse(actual)
    a_words = {t.lower_ for t in a}
    b_words = {t.lower_ for t in b}
    wrong = [t for t in a if _content(t) and t.lower_ not in b_words]
    right = [t for t in b if _content(t) and t.lower_ not in a_words]
    if not wrong or not right:
        return []
    statement = _reported(_owner_for_pronoun(re.sub(r"\bactually\s+", "", actual), a))
    for kind in ("num", "propn", "noun"):
        w = [t for t in wrong if _kind(t) == kind]
        r = [t for t in right if _kind(t) == kind]
        if w and r:
            right_value, wrong_value = _expand(r[-1], w[-1]), _expand(w[-1], r[-1])
            if kind == "num" and " " in wrong_value and " " not in right_value:   # "13 years, but it was 31"
                right_value += wrong_value[wrong_value.index(" "):]
            return [Revision(right_value, wrong_value, statement)]
    return [] if strict else [Revision(right[-1].text, wrong[-1].text, statement)]


_CLEFT = re.compile(r"^it(?:\s+was|\s+is|'s)\s+(?:in fact\s+|actually\s+|really\s+)?(?P<value>.+?)\s+that\s+"
                    r"(?P<rest>(?:I|we|he|she|they)\s+.+)$", re.IGNORECASE)


def _uncleft(said: str, actual: str) -> list[Revision]:
    """"I said that I rowed at Durham, but it was in fact fencing that I took up there": the value
    the cleft puts first is the right one, the word of its kind that only the first telling has is the
    wrong one (a deed retires the old telling whole), and "there" is the place that telling named ("I took up fencing at Durham")."""
    match = _CLEFT.match(actual.strip())
    if not match:
        return []
    value, rest = match.group("value"), match.group("rest")
    a = parse(said)
    place = next((t for t in a if t.dep_ == "pobj" and t.pos_ == "PROPN" and t.head.lower_ in ("at", "in")), None)
    if place is not None:
        rest = re.sub(r"\bthere\b", f"{place.head.text} {place.text}", rest)
    b = parse(rest)
    verb = next((t for t in b if t.dep_ == "ROOT"), None)
    if verb is None:
        return []
    end = max([verb.i] + [c.i for c in verb.children if c.dep_ == "prt"])
    statement = " ".join([b[:end + 1].text, value, b[end + 1:].text]).strip()
    right = parse(value)
    head = next((t for t in reversed(right) if t.pos_ in ("VERB", "NOUN", "PROPN", "NUM")), right[-1])
    said_lemmas, now_lemmas = {t.lemma_.lower() for t in a}, {t.lemma_.lower() for t in parse(statement)}
    wrong = [t for t in a if t.pos_ in ("VERB", "NOUN", "PROPN", "NUM") and t.lemma_.lower() not in now_lemmas
             and (t.pos_ == "VERB") == (head.pos_ == "VERB")]
    if not wrong or head.lemma_.lower() in said_lemmas:
        return []
    # a deed is no value to put in the old telling's place ("where you fencing"): that telling goes
    return [Revision("" if head.pos_ == "VERB" else head.text, wrong[-1].text, statement)]


def _owner_for_pronoun(actual: str, said) -> str:
    """"I told you my doctor is Dr. Quintela, but her name is Dr. Quinteiro": "her" is the
    doctor's, the subject of what was said (or the one person of the user's it names: "I called
    our neighbour Bjarne, but his name is Bjarte"), not whoever was named last."""
    pronoun = re.match(r"^(her|his|their|its|she|he)\b", actual, re.IGNORECASE)
    mine = [t for t in said if any(c.dep_ == "poss" and c.lower_ in ("my", "our") for c in t.children)]
    subj = next((t for t in mine if t.dep_ in ("nsubj", "nsubjpass")), None) or (
        mine[0] if len(mine) == 1 else None)   # "I called our neighbour Bjarne yesterday, but his name …"
    owner = [t.text for t in said[subj.left_edge.i:subj.i + 1] if t.pos_ != "PROPN" and not t.is_space] \
        if subj is not None else []   # "our neighbour", without the name that was wrong
    if not pronoun or len(owner) < 2:
        return actual
    rest = actual[pronoun.end():]
    if pronoun.group(1).lower() in ("she", "he"):   # "I write before my mother is 64, but … she is 66"
        return " ".join(owner) + (" is" + rest[2:] if rest.startswith("'s") else rest)
    return f"{' '.join(owner)}'s{rest}"


def _reported(statement: str) -> str:
    """"Rosalina says we have been married 43 years" → what she says, which the user now affirms."""
    return re.sub(r"^[A-Z][\w-]*\s+(?:says|said|tells me|told me|reminds me|reminded me|insists|insisted)"
                  r"(?:\s+that)?\s+", "", statement)


def _content(tok) -> bool:
    return (tok.pos_ in ("PROPN", "NOUN", "NUM") and tok.lower_ not in _TIME_WORDS and tok.lower_ not in _TITLES
            and tok.lower_ not in lx.GENDER and tok.lower_ not in ("name", "mum", "mom", "dad"))


def _kind(tok) -> str:
    if tok.like_num or re.fullmatch(r"\d[\d:.]*", tok.text):
        return "num"
    return "propn" if tok.pos_ == "PROPN" or tok.i > 0 and tok.text[:1].isupper() and tok.is_alpha else "noun"


def _expand(tok, other) -> str:
    """A number keeps its unit ("13 years"); a name keeps its shared compound ("Saab 900")."""
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    if _kind(tok) == "num" and nxt is not None and nxt.pos_ == "NOUN" and nxt.lower_ in ("years", "year", "days"):
        return f"{tok.text} {nxt.text}"
    prev = tok.doc[tok.i - 1] if tok.i > 0 else None
    if prev is not None and prev.pos_ == "PROPN" and prev.lower_ not in _TITLES and prev.head in (tok, tok.head):
        return f"{prev.text} {tok.text}"
    return tok.text


# -- updates -------------------------------------------------------------------------------

def split_leaving(clause: str) -> list[str]:
    """"I left X and joined Y" → ["I left X", "I joined Y"]: the old and the new half;
    "She changed her mind: no more X, now she wants Y" → ["No more X", "She wants Y"] (the
    change of mind itself says nothing)."""
    if _LEAVING.search(clause):
        pieces = [p.strip() for p in re.split(r"\s*[:;]\s+|,\s+(?=(?:now|instead|these days|not anymore|not any more|"
                                              r"no longer)\b)", clause) if p.strip()]
        if len(pieces) > 1:
            pieces = [re.sub(r"^(?:now|instead|these days),?\s+", "", p, flags=re.IGNORECASE) for p in pieces
                      if not _CHANGED_MIND.search(p)]
            return [p[0].upper() + p[1:] for piece in pieces for p in split_leaving(piece)]
    soured = _SOURED.search(clause)
    if soured and soured.start() > 0:   # "I switched to flat whites, iced chai is too sweet now"
        return split_leaving(clause[:soured.start()].rstrip(" ,")) + [clause[soured.start():].lstrip(" ,")]
    parts = re.split(r",?\s+and\s+(?=(?:just\s+)?(?:joined|started|switched|moved to|took|got)\b)|"
                     r",\s+(?=(?:having|starting|joining|moving to)\s)", clause)
    if len(parts) == 1:
        return parts
    subject = re.match(r"^(\w+(?:'s)?(?:\s+has|\s+have)?)\s", parts[0])
    return [parts[0]] + [_with_subject(subject.group(1) if subject else "I", p) for p in parts[1:]]


def _with_subject(subject: str, part: str) -> str:
    """The part of a leaving that had its subject before it: "having resigned X" → "I have resigned
    X", "starting at Y" → "I'm starting at Y", "joined Z" → "I joined Z"."""
    verb, _, rest = part.partition(" ")
    plain = subject.split()[0]
    if verb == "having":
        return f"{plain} {'has' if plain.lower() not in ('i', 'we', 'they', 'you') else 'have'} {rest}"
    if verb.endswith("ing"):
        be = {"i": "am", "we": "are", "they": "are", "you": "are"}.get(plain.lower(), "is")
        return f"{plain} {be} {part}"
    return f"{subject} {part}"


# A thing gone sour, after a comma in an update: ", iced chai is too sweet for me now", ", ramen is overrated".
_SOURED = re.compile(r"(?:^|,\s+)(?:(?:the|my|that|this)\s+)?(?P<thing>[\w' -]+?)\s+(?:is|are|was|were|got|has got|"
                     r"'s)\s+(?:(?:way|far|just|a bit|kind of)\s+)?(?:too\s+\w+|overrated|boring|old news)\b",
                     re.IGNORECASE)


def soured_value(clause: str) -> str:
    """The thing a clause of an update has gone off: "iced chai is too sweet for me now" → iced chai."""
    soured = _SOURED.match(clause)
    thing = soured.group("thing") if soured else ""
    return "" if thing.lower() in lx.SELF_WORDS | {"it", "that", "this", "he", "she", "they"} else thing


# A change said with both ends: "my sister moved from Derby to Nottingham", "I switched from the 7:10 train to
# the bus": the first end is gone, the second is what holds.
_FROM_TO = re.compile(r"\b(?:moved|moving|switched|switching|changed|transferred|relocated|upgraded|went|swapped)"
                      r"(?:\s+\w+){0,3}?\s+(?P<from>from\s+(?P<old>[^,.;!?]+?)\s+)(?=to|into|for)\b", re.IGNORECASE)


def from_to(clause: str) -> tuple[str, str] | None:
    """(the old end, the clause without it) of a change said with both ends; None otherwise."""
    m = _FROM_TO.search(clause)
    if not m:
        return None
    old = re.sub(r"^(?:the|a|an|my|our)\s+", "", m.group("old").strip(), flags=re.IGNORECASE)
    return old, clause[:m.start("from")] + clause[m.end("from"):]


def leaving_values(clause: str) -> list[str]:
    """What the clause says is gone: "Kenji moved out" → Kenji, "I left Coral Maresia" → Coral Maresia."""
    if not _LEAVING.search(clause):
        return []
    doc = parse(clause)
    out = []
    m = re.search(r"\bno (?:more|longer)\s+([\w' -]+?)(?:[,.;!]|$)", clause, re.IGNORECASE)
    if m and not re.match(r"(?:in|at|with|for)\b", m.group(1)):
        out.append(m.group(1).strip())
    for m in _GONE_FROM.finditer(clause):   # "not anymore in Tampere", "gave Polar Ridge my notice"
        out.append(next(g for g in m.groups() if g).strip())
    for tok in doc:
        if tok.lower_ in ("moved", "closed") and tok.dep_ in ("ROOT", "conj"):
            subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
            if subj is not None and (subj.pos_ == "PROPN" or subj.text[:1].isupper()) and subj.lower_ not in (
                    "i", "we", "he", "she", "they", "it"):
                out.append(span_text(subj))
        if tok.lemma_ in ("quit", "leave", "stop", "sell", "resign", "abandon", "give") and tok.pos_ == "VERB":
            if tok.lemma_ == "give" and not any(c.dep_ == "prt" and c.lower_ == "up" for c in tok.children):
                continue
            obj = next((c for c in tok.children if c.dep_ in ("dobj", "xcomp")), None)
            if obj is None and tok.lemma_ == "sell":   # "our house in Cheltenham has been sold"
                obj = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
            if obj is not None:
                out += _object_values(obj) or _where(tok)
    return [v for v in out if v.lower() not in lx.SELF_WORDS]


_GENERIC = {"job", "work", "position", "post", "role", "place", "house", "home", "flat", "apartment", "partnership",
            "team", "band", "group", "club", "company", "firm"}


def _object_values(obj) -> list[str]:
    names = [span_text(t) for t in obj.subtree if t.pos_ == "PROPN" and t.dep_ != "compound"]
    if names:
        return names
    for prep in (c for c in obj.children if c.dep_ == "prep" and c.lower_ in ("at", "for", "with", "in")):
        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)   # "the job at Bayside dental"
        if pobj is not None:
            return [phrase_without_article(pobj)]
    if obj.lemma_.lower() in _GENERIC:   # "I quit the job": which one, the topic says
        return []
    words = [t for t in obj.subtree if t.dep_ in ("compound", "amod") or t == obj]
    return [" ".join(t.text for t in words if t.i <= obj.i)] if obj.pos_ == "NOUN" else []


def _where(verb) -> list[str]:
    """"I quit the job at Bayside Dental": the place the verb names for a generic object."""
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in ("at", "with", "for")):
        pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
        if pobj is not None and pobj.ent_type_ not in ("DATE", "TIME"):
            return [phrase_without_article(pobj)]
    return []


def phrase_without_article(tok) -> str:
    """A noun phrase without its article: "the rusty anchor" → "rusty anchor"."""
    words = [t for t in tok.subtree if t.i <= tok.i and t.dep_ != "det" and t.pos_ != "DET"]
    return " ".join(t.text for t in words) or tok.text


def new_value(clause: str) -> str:
    """The value an update clause introduces ("the chief engineer", "Orkney", "Priyanka")."""
    doc = parse(clause)
    for tok in doc:
        if tok.dep_ in ("oprd",) and tok.head.lemma_ in ("call", "name"):
            return span_text(tok)
    for tok in doc:
        if tok.dep_ == "attr" and tok.pos_ in ("PROPN", "NOUN"):
            return _np_core(tok)
    for tok in doc:
        if tok.dep_ == "pobj" and tok.pos_ == "PROPN" and tok.ent_type_ not in ("DATE", "TIME"):
            return span_text(tok)
    for tok in doc:
        if tok.dep_ in ("dobj", "pobj") and tok.pos_ == "NOUN" and tok.head.lower_ == "as":
            return _np_core(tok)
    for tok in doc:   # "I'm starting at harbour smiles Monday": the new workplace, however it is typed
        if tok.dep_ == "pobj" and tok.head.lower_ == "at" and tok.head.head.lemma_ in ("start", "work", "join") \
                and tok.ent_type_ not in ("DATE", "TIME"):
            return phrase_without_article(tok)
    return ""


def _np_core(tok) -> str:
    words = [t for t in tok.subtree if t.dep_ in ("compound", "amod", "nummod") and t.i < tok.i] + [tok]
    words = [t for t in words if t.lower_ not in lx.NOISE_ADJ]
    if tok.pos_ == "PROPN":
        return span_text(tok)
    return " ".join(t.text for t in sorted(words, key=lambda t: t.i))


def topic_of(clause: str, people: People | None = None) -> tuple[str, str]:
    """(topic, value) of a statement: "husband|job" and "piano tuner" for "Your husband is a piano tuner"."""
    doc = parse(clause)
    root = next(iter(doc.sents)).root
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    spliced = next((c for c in root.children if c.dep_ in ("ccomp", "parataxis") and c.i < root.i
                    and any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)), None)
    if subj is None and spliced is not None:   # "we live in Ballarat now, boxes everywhere": texting's comma splice
        return topic_of(doc[spliced.left_edge.i:spliced.right_edge.i + 1].text, people)
    if subj is None:   # "This spring you are going …": the small parser trips on a fronted adverbial
        start = next((t.i for t in doc if t.lower_ in ("i", "you", "we", "my", "your", "our") and t.i > 0), None)
        return topic_of(doc[start:].text, people) if start else ("", "")
    who = _subject_key(subj, people)
    chain = [root] + [c for c in root.children if c.dep_ in ("xcomp", "conj") and c.pos_ in ("VERB", "AUX")]
    chain += [c for v in chain[1:] for c in v.children if c.dep_ == "xcomp"]
    for verb in chain:
        for arg in verb.children:
            if (arg.dep_ == "attr" or arg.dep_ == "dobj" and verb.lemma_ == "promote") and arg.pos_ == "NOUN" \
                    and lx.is_job(arg.lemma_):
                return f"{who}|job", _np_core(arg)
            if arg.dep_ == "prep" and (arg.lower_ == "as" or arg.lower_ == "to" and verb.lemma_ == "promote"):
                pobj = next((c for c in arg.children if c.dep_ == "pobj"), None)   # "promoted to head chef"
                if pobj is not None and lx.is_job(pobj.lemma_):
                    return f"{who}|job", _np_core(pobj)
    if root.lemma_ in ("live", "be", "reside") and who == "i":   # "we live in Ballarat now", "been in Geelong 2 years"
        # A town, or any name one lives in or has been in for a while (the small parser calls Geelong an ORG).
        settled = root.lemma_ != "be" or any(c.dep_ == "npadvmod" and c.lemma_ in ("year", "month")
                                             or c.dep_ == "prep" and c.lower_ == "since" for c in root.children)
        place = next((p for prep in root.children if prep.dep_ == "prep" and prep.lower_ == "in"
                      for p in prep.children if p.dep_ == "pobj" and (p.ent_type_ in ("GPE", "LOC")
                      or settled and p.pos_ == "PROPN" and p.ent_type_ != "PERSON")), None)
        if place is not None:
            return f"{who}|live", span_text(place)
    project = _project(root, subj, who)
    if project:
        return "i|project", project
    for verb in chain:
        for arg in verb.children:
            if arg.dep_ == "prep" and arg.lower_ in ("to", "in") and chain[0].lemma_ in ("go", "travel", "head", "fly"):
                pobj = next((c for c in arg.children if c.dep_ == "pobj"), None)
                if pobj is not None and pobj.pos_ == "PROPN":
                    return f"{who}|go", span_text(pobj)
    return f"{who}|{root.lemma_}", ""


def slot_of(clause: str, people: People | None = None) -> tuple[str, str]:
    """(slot, value) of any plain statement: who, the verb and its preposition, and what fills it
    ("dentist|be", "Dr Byrne" for "My dentist is Dr Byrne"; "sister|live|in", "Ghent"). What a
    correction or a rename says again with another value is what it replaces."""
    doc = parse(clause)
    root = next(iter(doc.sents)).root
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None or root.pos_ not in ("VERB", "AUX"):
        return "", ""
    who = _subject_key(subj, people)
    for arg in root.children:
        if arg.dep_ in ("attr", "oprd", "dobj", "acomp") and arg.pos_ in ("NOUN", "PROPN", "ADJ", "NUM"):
            return f"{who}|{root.lemma_}", _np_core(arg)
        pobj = next((c for c in arg.children if c.dep_ == "pobj"), None) if arg.dep_ == "prep" else None
        if pobj is not None and pobj.pos_ in ("NOUN", "PROPN", "NUM"):
            return f"{who}|{root.lemma_}|{arg.lower_}", _np_core(pobj)
    return "", ""


# "We renamed the cat Mabel", "renamed our boat to Seaspray", "the dog is now called Biscuit",
# "changed the puppy's name to Rolo": what the thing is called from now on.
_RENAMED = re.compile(
    r"\b(?:re-?named|re-?christened) (?:my|our|the|his|her|their) (?P<a>[a-z]+(?: (?!to\b|as\b)[a-z]+)?)"
    r"(?: (?:to |as )?(?P<an>[A-Z][\w-]*)|,? (?:so |and )?(?:she|he|it|they)(?:'s| is| are) (?:now |called |named )*"
    r"(?P<dn>[A-Z][\w-]*))"
    r"|\b(?i:my|our|the) (?P<b>[a-z]+(?: [a-z]+)?) (?:is (?:now called|now named|now) (?P<bn>[A-Z][\w-]*)|"
    r"is called (?P<bn2>[A-Z][\w-]*) now)"
    r"|\bchanged (?:my|our|the|his|her|their) (?P<c>[a-z]+(?: [a-z]+)?)'s name to (?P<cn>[A-Z][\w-]*)")


def renamed(text: str) -> str:
    """A rename said as the name the thing has now: "My cat is called Mabel." ("" if none)."""
    m = _RENAMED.search(text)
    if not m:
        return ""
    thing = m["a"] or m["b"] or m["c"]
    name = m["an"] or m["dn"] or m["bn"] or m["bn2"] or m["cn"]
    return f"My {thing} is called {name}."


def _project(root, subj, who: str) -> str:
    """The named thing one is working on: "I'm working on a boulder problem called Soft Serve",
    "My current project is restoring a boat called Gullvinge", "my new project is Bad Landlord"."""
    if who == "i" and root.lemma_ == "work":
        things = [p for prep in root.children if prep.dep_ == "prep" and prep.lower_ == "on"
                  for p in prep.children if p.dep_ == "pobj"]
    elif subj.lemma_ == "project" and any(c.dep_ == "poss" and c.lower_ in ("my", "your", "our") for c in subj.children):
        things = [c for c in root.children if c.dep_ in ("attr", "dobj")]
    else:
        return ""
    for thing in things:
        if thing.pos_ == "PROPN":
            return span_text(thing)
        named = next((o for c in thing.children if c.dep_ == "acl" and c.lemma_ in ("call", "name")
                      for o in c.children if o.dep_ == "oprd"), None)
        if named is not None:
            return span_text(named)
    return ""


def _subject_key(subj, people: People | None) -> str:
    if subj.lower_ in ("i", "we", "you") or any(c.lower_ in ("i", "you") for c in subj.subtree):
        return "i"
    if subj.pos_ == "PROPN":
        role = people.role_of(subj.text) if people else None
        return role or subj.lower_
    return subj.lemma_.lower()


# -- the grammar of change -------------------------------------------------------------------
#
# However a person says that something no longer holds, English has a few constructions for it:
# an alternative set against it ("instead of the 7:12", "rather than Whitby"), a swap ("traded the
# old Fiesta for a Yaris"), a thing called off ("the ferry was cancelled", "the trip fell through"),
# a person no longer in a role ("Priti is no longer my line manager"), a habit given up ("I used to
# climb, but …") and a number owned up to ("I told you two ferrets, didn't I? It's three").
# `departed` reads them without knowing the words around them; the writer retires a value only
# when an earlier statement said it.

_ALTERNATIVE = re.compile(r"\b(?:instead of|rather than|in place of)\s+(?P<after>.+)", re.IGNORECASE)
_SWAP = re.compile(r"\b(?:swap(?:ped|ping)?|trad(?:ed|ing)|trade|exchang(?:ed|ing)|replac(?:ed|ing)|"
                   r"ditch(?:ed|ing)?|switch(?:ed|ing)?(?= from))\s+(?:from\s+)?(?P<after>[^,.;:!?—–]{1,40}?)\s+(?:for|with|to)\b",
                   re.IGNORECASE)
_CALLED_OFF = re.compile(r"(?P<before>[^,.;:!?—–()]+?)\s*(?:'s|’s|\bis|\bare|\bhas|\bhave|\bgot|\bwas|\bwere)"
                         r"\s+(?:been\s+|got\s+)?(?:now\s+|all\s+)?(?:cancell?ed|scrapped|called off)\b"
                         r"|(?P<fell>[^,.;:!?—–()]+?)\s+(?:fell|has fallen|have fallen) through\b", re.IGNORECASE)
_NO_LONGER = re.compile(r"(?P<before>[^,.;:!?—–()]+?)\s*(?:'s|’s|\bis|\bare)\s+(?:no longer|not\b[^,.;]*\bany ?(?:more|longer))\b",
                        re.IGNORECASE)
# A value set against the one that holds: "pepper, not nutmeg", "the 25th now not the 28th", "no
# longer in room 4", "not nutmeg anymore": the value stands alone after the negation, so the contrast
# is explicit and even a lowercase word is a value.
_NOT_VALUE = re.compile(r"(?:\bnot|\bno longer(?: in| at| with| on)?)\s+(?:the\s+|a\s+|an\s+)?"
                        r"(?P<after>(?:(?:Dr|Mr|Mrs|Ms|Prof|St)\.\s+)?(?:\d[\d.:]*\d|[^\s,.;!?()]+)(?:\s+[^\s,.;!?()]+){0,2}?)"
                        r"(?=\s*(?:[,.;!?)]|$|\s(?:anymore|any more|any longer|instead|now)\b))", re.IGNORECASE)
_USED_TO = re.compile(r"\bused to\b", re.IGNORECASE)
_NOW_OTHERWISE = re.compile(r"\b(?:now|these days|any ?more|no longer|but|instead|can'?t stand|gone off|went off|"
                            r"switched|stopped)\b", re.IGNORECASE)
_TOLD = re.compile(r"\bI(?:'ve| have)?(?: been)? (?:told|tell|telling|said|wrote|typed)\s+"
                   r"(?:(?:you|everyone|people|them|him|her)\s+)?(?P<after>.+)", re.IGNORECASE)
_OWNED_UP = re.compile(r"\b(?:didn'?t I|did I|actually|wrong|mistake|meant|sorry|in fact|it'?s|it is|it was|no,)",
                       re.IGNORECASE)
_NP_TAGS = {"DET", "ADJ", "NUM", "PROPN", "NOUN"}
_STALE_WORDS = {"old", "former", "usual", "previous", "last", "first", "whole", "same"}


def _noun_phrase(words, from_end: bool = False) -> str:
    """The noun phrase at the start (or the end) of `words`, articles, possessives and "old" left
    out, a plural common noun made singular ("flat whites" → "flat white")."""
    tokens = list(reversed(words)) if from_end else list(words)
    phrase = []
    for tok in tokens:
        if tok.pos_ not in _NP_TAGS and not (tok.pos_ == "PRON" and tok.dep_ == "poss") or tok.lower_ in ("'s", "’s") \
                or tok.lower_ in _TIME_WORDS | {"tomorrow", "tonight"}:
            break
        phrase.append(tok)
    after = words[len(phrase)] if not from_end and len(phrase) < len(words) else None
    if after is not None and after.pos_ in ("VERB", "AUX"):
        return ""   # "Mum was 68": the subject of what was said, not the value
    phrase = sorted(phrase, key=lambda t: t.i)
    kept = [t for t in phrase if t.pos_ in ("ADJ", "NUM", "PROPN", "NOUN") and t.lower_ not in _STALE_WORDS]
    while kept and kept[0].pos_ == "ADJ" and len(kept) > 1 and kept[1].pos_ == "PROPN":
        kept = kept[1:]   # "the old Astra": the name is the value
    if not kept or not any(t.pos_ in ("NUM", "PROPN", "NOUN") for t in kept):
        return ""
    last = kept[-1]
    head = last.lemma_ if last.pos_ == "NOUN" and last.tag_ == "NNS" else last.text
    return " ".join([t.text for t in kept[:-1]] + [head])


def _shape(value: str) -> str:
    """What kind of value it is: a number (with its punctuation: "3:30" is not "3"), or a word."""
    return re.sub(r"\d+", "9", value) if re.fullmatch(r"[\d.:,/-]+", value) else "word" * bool(value)


def _specific(value: str) -> bool:
    """A name, a number or several words: a value precise enough to retire. A bare common noun
    ("coffee") is left alone: retiring it would silence every statement that mentions it."""
    words = value.split()
    return len(words) > 1 or value[:1].isupper() or bool(re.search(r"\d", value)) or any(t.like_num for t in parse(value))


def departed(text: str) -> list[tuple[str, str]]:
    """(value no longer true, the value said in its place or "") for each change `text` states."""
    out: list[tuple[str, str]] = []
    explicit = set()   # values set against another in so many words: even a plain word is one
    doc = parse(text)   # tagged whole: a name alone ("Whitby.") is easily taken for something else

    def after(m: re.Match, group: str = "after"):
        return [t for t in doc if m.start(group) <= t.idx < m.end(group)] + \
            [t for t in doc if t.idx >= m.end(group)][:1]

    def before(m: re.Match, group: str = "before"):
        return [t for t in doc if m.start(group) <= t.idx and t.idx + len(t) <= m.end(group)]

    for m in _ALTERNATIVE.finditer(text):
        out.append((_noun_phrase([t for t in doc if t.idx >= m.start("after")]), ""))
    for m in _SWAP.finditer(text):
        out.append((_noun_phrase(after(m)), ""))
    for m in _CALLED_OFF.finditer(text):
        out.append((_noun_phrase(before(m, "before" if m["before"] else "fell"), from_end=True), ""))
    for m in _NO_LONGER.finditer(text):
        subject = before(m)
        if subject and subject[-1].pos_ == "PROPN":   # the person is gone from the role, not the role
            out.append((_noun_phrase(subject, from_end=True), ""))
    for m in _USED_TO.finditer(text):
        if not _NOW_OTHERWISE.search(text[m.end():]):
            continue
        used = next((t for t in doc if t.idx == m.start()), None)
        verb = next((c for c in used.children if c.dep_ == "xcomp"), None) if used is not None else None
        thing = next((t for t in verb.subtree if t.dep_ in ("dobj", "pobj", "attr")), None) if verb is not None else None
        if thing is not None:   # "I used to live on flat whites, but …": what the habit was of
            out.append((_noun_phrase(doc[thing.left_edge.i:thing.i + 1]), ""))
    for m in _NOT_VALUE.finditer(text):
        alone = after(m)[:-1]   # a lone word set against another is a value, whatever the tagger calls it
        value = _noun_phrase(after(m)) or (alone[0].text if len(alone) == 1 and alone[0].is_alpha
                                           and not alone[0].is_stop else "")
        if not value or len(value.split()) != len(m["after"].split()):
            continue
        right = ""
        if m.group(0).lower().startswith("not"):
            ahead = [t for t in doc if t.idx + len(t) <= m.start() and t.lower_ not in ("now", "then", ",")]
            right = _noun_phrase(ahead, from_end=True)
        if _shape(right) != _shape(value):
            right = ""   # "Otto, not Theo" names the one in its place; "at 3:30 not 3" a time for a number
            if value.isdigit() and len(value) <= 2:
                continue   # a bare small number alone is in too many other statements to retire
        explicit.add(value)
        out.append((value, right))
    for m in _TOLD.finditer(text):
        said = [t for t in doc if t.idx >= m.start("after")]
        value = _noun_phrase(said)
        told = [t.lower_ for t in said if t.like_num and t.lower_ in value.lower().split()]
        others = [t.text for t in doc if t.like_num and t.lower_ not in told]
        if told and len(others) == 1:   # "I told you three hives, didn't I? It's four"
            out.append((value, value.replace(told[0], others[0], 1)))
        elif value[:1].isupper() and _OWNED_UP.search(m["after"]):
            out.append((value, ""))
    return [(old, new) for old, new in dict.fromkeys(out)
            if old and (old in explicit or _specific(old)) and old.lower() not in lx.SELF_WORDS]
