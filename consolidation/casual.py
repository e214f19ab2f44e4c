"""Chat-style writing read as plain English before curation parses it.

People type to an assistant the way they text: "my sis lives in darwin", "fav drink rn is
iced chai w oat milk", "just moved!! we live in ballarat now", "im 26". The parser and the
rules after it were made for written English, so the message is first put into it:

- texting words are spelled out ("sis" → "sister", "fav" → "my favourite", "rn" → "right
  now", "w" → "with", "gonna" → "going to"), and fillers that say nothing ("lol", "tbh",
  "omg") are taken out;
- contractions typed without their apostrophe get it back ("im", "dont", "shes"), and a
  lone "i" is "I";
- a line written as a note loses its label ("Pet update: we adopted a greyhound"), or says
  what the label is ("Favourite foods: sushi and kottu" → "My favourite foods are sushi and
  kottu"; "Things I can't stand: olives" → "I can't stand olives");
- what a question says of the user on the way is said first ("Since I'm vegetarian, what should
  I cook?" → "I'm vegetarian. What should I cook?");
- a statement that leaves out its subject ("just moved to Bergen", "started bass lessons
  again", "love sushi") is given "I", and one that leaves out whose thing it is ("fav food is
  pho", "next gig is at the rusty anchor", "new job starts monday") is given "my";
- in a message typed all in lower case, names are capitalised where nothing else can be
  meant: a word no dictionary knows ("kofi", "soph"), a word WordNet knows only as a name
  ("darwin", "hobart"), and whatever follows "called" or "named" ("a ferret called
  waffles"), so that the parser sees names as names.

A message written in ordinary English passes through unchanged (apart from a lone "i").
"""

from __future__ import annotations

import re
from functools import lru_cache

from consolidation import lexicon as lx

# Texting words and their plain English, matched as whole lower-case words.
SPELLED_OUT = {
    "sis": "sister", "bro": "brother", "bf": "boyfriend", "gf": "girlfriend", "bff": "best friend",
    "fav": "favourite", "fave": "favourite", "favs": "favourites", "rn": "right now", "atm": "at the moment",
    "gonna": "going to", "wanna": "want to", "gotta": "have to", "tmrw": "tomorrow", "tmr": "tomorrow",
    "b4": "before", "bday": "birthday", "yrs": "years", "yr": "year", "hrs": "hours", "hr": "hour", "wk": "week",
    "wks": "weeks", "mins": "minutes", "ppl": "people", "abt": "about", "pls": "please", "plz": "please",
    "u": "you", "ur": "your", "r": "are", "n": "and", "w": "with", "w/": "with", "thx": "thanks", "ty": "thank you",
    "cuz": "because", "coz": "because", "bc": "because", "diff": "difference", "govt": "government",
    "uni": "university", "hubby": "husband", "grandma": "grandmother", "grandpa": "grandfather",
    "nvm": "never mind", "ttyl": "talk to you later", "brb": "be right back", "k": "ok", "kinda": "kind of",
    "sorta": "sort of", "arvo": "afternoon", "pics": "pictures", "convo": "conversation", "bc": "because",
}
FILLERS = {"lol", "lmao", "lmfao", "rofl", "tbh", "tbf", "ngl", "omg", "btw", "fyi", "imo", "imho", "smh", "idk",
           "obv", "obvs", "fr", "haha", "hahaha", "lolol"}
APOSTROPHES = {
    "im": "I'm", "ive": "I've", "id": "I'd", "dont": "don't", "cant": "can't", "wont": "won't", "didnt": "didn't",
    "isnt": "isn't", "doesnt": "doesn't", "wasnt": "wasn't", "havent": "haven't", "hasnt": "hasn't",
    "couldnt": "couldn't", "wouldnt": "wouldn't", "shouldnt": "shouldn't", "arent": "aren't", "hes": "he's",
    "shes": "she's", "thats": "that's", "whats": "what's", "theyre": "they're", "youre": "you're", "theres": "there's",
    "lets": "let's", "ill": "I'll", "weve": "we've", "theyve": "they've", "youve": "you've",
}
# Apostrophes that a written word could also mean without one ("ill", "id", "lets", "its"): only
# where the whole message is typed the texting way.
_AMBIGUOUS = {"id", "ill", "lets"}
# A statement whose first word is one of these verbs, with no subject before it, is the user's.
_OWN_VERBS = {"love", "like", "hate", "live", "work", "have", "own", "play", "study", "miss", "need", "want",
              "prefer", "drive", "speak", "collect", "volunteer", "teach", "run", "quit", "ca", "do", "wo"}
_DISCOURSE = {"ok", "okay", "so", "well", "anyway", "and", "oh", "um", "right", "yeah", "also"}
_ADVERBS = {"just", "finally", "still", "recently", "actually", "really", "totally", "literally"}
# Asides between commas that say nothing of the fact around them: "My favourite dish, should you
# ever need to know it, is …", "…, I should add, …", "…, incidentally, …".
_ASIDE = re.compile(r",\s+(?:should you\b[^,]*|if you (?:ever )?(?:need|want|care|wish)\b[^,]*|in case you\b[^,]*|"
                    r"I (?:should|must|might|may) (?:add|say|mention|confess)|incidentally|as it happens|"
                    r"as you may know|you know|I think|I suppose|I believe),(?=\s)", re.IGNORECASE)
# A lead-in said to the assistant, before what is said of oneself: "something you should know is I'm …"
_LEAD_IN = re.compile(r"^(?:(?:so|and|oh|okay|ok|well),?\s+)*(?:(?:one|some)thing (?:that )?you should (?:probably |really )?"
                      r"know is|you should (?:probably |really )?know(?: that)?|just so you know,?|for your information,?|"
                      r"fyi,?)\s+", re.IGNORECASE)
# "we have cat, name is Barsik", "…a greyhound, her name is Pepper": the name of what was just said
_BARE_NAME = re.compile(r",\s+(?:the\s+|(?P<whose>his|her|its|their)\s+)?name(?: of (?:the\s+|my\s+|our\s+)?[a-z]+)?"
                        r"(?: is|'s)\s+(?=(?-i:[A-Z]))", re.IGNORECASE)
# What may come before a comma without naming anything: "In my opinion, his name is Silly".
_NOTHING_NAMED = re.compile(r"(?:in my (?:humble |honest )?(?:opinion|view)|if you ask me|to my mind|honestly|frankly|"
                            r"actually|well|anyway|by the way|btw|oh|so|also|and|funnily enough|believe it or not|"
                            r"to be honest|tbh|as I said|like I said)", re.IGNORECASE)
_ROLE_THEN_NAME = re.compile(rf"\b((?:[Mm]y|[Oo]ur) (?:[a-z]+ )?(?:{lx.ROLES_PATTERN})),"
                             r"\s+(?:his|her|their|its) name(?:'s| is)\s+(?!I\b)([A-Z][\w-]*(?: (?!I\b)[A-Z][\w-]*)?)")
_ROLE_IS = re.compile(rf"(\b(?:my|our|his|her) (?:{lx.ROLES_PATTERN})"
                      r"(?:'s name)? is )([a-z]+)(?=[,.!?]|\s+(?:and|but|lol)\b|$)")
# "fav food is pho", "next gig is at the rusty anchor", "new job starts monday": whose goes without saying.
_OWNERLESS = re.compile(r"^(?:(?:ok|so|and|also|oh),?\s+)*(?=favou?rite\b|(?:next|new|first|last)\s+"
                        r"(?!(?:time|one|day|week|weekend|month|year)\b)[a-z]+\s+"
                        r"(?:is|was|are|were|starts|started|begins|began|ends|ended)\b)")
_WORD = re.compile(r"(?<![\w'])[a-z0-9/]+(?![\w'])")


def normalize(text: str) -> str:
    """`text` in plain written English (see the module docstring); unchanged when it is."""
    casual = text == text.lower() and re.search(r"[a-z]", text) is not None
    words = _spell_out(text, casual)
    words = re.sub(r"(?<![\w'])i(?![\w'])", "I", words)
    words = re.sub(r"\b[Mm]e,?\s+(?=I'm\b)", "", words)   # "me i'm a dental nurse"
    words = re.sub(r"([!?.])\1+", r"\1", words)            # "moved!!!" → "moved!"
    words = _LEAD_IN.sub("", _ASIDE.sub("", words))
    words = _ROLE_THEN_NAME.sub(r"\1 \2", words)   # "my wife, her name's Delphine, and she's …": "my wife Delphine"
    words = _BARE_NAME.sub(_name_of_what_came_before, words)
    if casual:   # "26, been in geelong 2 yrs": a bare number opening a message is the speaker's age
        words = re.sub(r"(^|[.!?]\s+)(\d{1,2}),\s+", r"\1I'm \2. ", words)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", words.strip()) if s]
    sentences = [_with_subject(part, casual) for s in sentences for part in _premised(_unlabelled(s))]
    if casual:
        sentences = [_OWNERLESS.sub(lambda m: m.group(0) + "my ", s) for s in sentences]
        sentences = [_truecase(s) for s in sentences]
    out = " ".join(s[:1].upper() + s[1:] if casual else s for s in sentences)
    return out if out != " ".join(text.split()) else text


def _name_of_what_came_before(m: re.Match) -> str:
    """", her name is " as a sentence of its own, naming what was just said; unchanged after a
    lead-in that said nothing ("Honestly, her name is …")."""
    said = re.split(r"[.!?]\s+", m.string[:m.start()])[-1].strip()
    if _NOTHING_NAMED.fullmatch(said):
        return m.group(0)
    return f". {(m['whose'] or 'its').capitalize()} name is "


def _spell_out(text: str, casual: bool) -> str:
    def swap(match: re.Match) -> str:
        word = match.group(0)
        if word in FILLERS:
            return ""
        if word in SPELLED_OUT and (casual or len(word) > 1 and word not in ("r", "n", "w", "u", "ur", "diff", "uni")):
            return SPELLED_OUT[word]
        if word in APOSTROPHES and (casual or word not in _AMBIGUOUS):
            return APOSTROPHES[word]
        return word

    out = _WORD.sub(swap, text)
    if casual:   # "its" opening a statement is "it is": "no wait its august"
        out = re.sub(r"(^|[,.!?—–-]\s*|\bwait\s+)its\b", r"\1it's", out)
    out = re.sub(r"\s+([,.!?])", r"\1", out)
    out = re.sub(r"(^|[.!?]\s+)[,.]\s*", r"\1", out)        # a filler that opened the sentence
    return re.sub(r"\s{2,}", " ", out).strip()


_ANNOUNCES = re.compile(r"\b(?:correction|corrected|erratum|typo|mistake|wrong|fix)\b", re.IGNORECASE)
_LABEL = re.compile(r"^(?P<label>[A-Za-z][\w' -]{0,40}?)\s*:\s+(?P<rest>\S.*)$")
_LISTED = re.compile(r"^(?:the\s+)?(?:things?|stuff|foods?|people|places|animals|books|films|movies|songs|bands|dishes|"
                     r"drinks|sports|games|hobbies|shows)\s+(?:that\s+)?(?P<who>I|we)\s+(?P<verb>[^:]+?)\s*:\s+(?P<rest>.+)$",
                     re.IGNORECASE)


_ASKING = r"(?:what|how|where|which|who|when|why|should|can|could|would|will|do|does|is|are|any|tips|ideas)\b"
_PREMISE = re.compile(rf"^(?:since|because|as|given that|now that|seeing as)\s+(?P<said>(?:I|I'm|we|we're|my|our)\b"
                      rf"[^,?]{{3,80}}),\s+(?P<asked>{_ASKING}.*\?)$", re.IGNORECASE)
_AS_ONE = re.compile(rf"^as (?P<one>an?\s+(?!(?:matter|result|rule|reminder|side|aside|example|follow|quick|heads)\b)"
                     rf"[a-z][\w -]{{2,50}}?),\s+(?P<asked>{_ASKING}.*\?)$", re.IGNORECASE)
_THEN_ASKED = re.compile(rf"^(?P<said>[^?]{{10,}}?)\s*(?:\s[—–-]|;|:)\s+(?P<asked>{_ASKING}[^?]*\?)$", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|my|we|we're|our)\b", re.IGNORECASE)
_SAYING_SO = re.compile(r"I(?:'m| am| was)? (?:said|mentioned|told you|explained|wonder|wondering|curious|asking)\b",
                        re.IGNORECASE)   # "As I said, …": nothing new


_SELVES = {"beginner", "parent", "student", "newbie", "novice", "expat", "immigrant", "retiree", "pensioner", "runner",
           "cyclist", "gardener", "musician", "writer", "reader", "introvert", "extrovert", "widow", "widower"}


def _a_person(phrase: str) -> bool:
    """"a nurse on night shifts", "a first-time mum": a phrase whose head (before any "on", "in",
    "of" …) is what a person is: a job, a role, a diet or a kind of person."""
    head = re.split(r"\s+(?:on|in|at|of|for|with|from|who|working|living)\b", phrase)[0].split()[-1].lower()
    return head in _SELVES or head in lx.DIETS or lx.is_person_role(head) or lx.is_job(head)


def _premised(sentence: str) -> list[str]:
    """A question that says something of the user on the way: "Since I'm vegetarian, what should
    I cook?", "As a nurse on night shifts, how can I sleep?", "We fly to Lisbon on Friday — any
    tips?": what it says ("I'm vegetarian", "I am a nurse on night shifts"), then the question."""
    for pattern in (_PREMISE, _AS_ONE, _THEN_ASKED):
        match = pattern.match(sentence)
        if match is None:
            continue
        if "one" in match.groupdict() and not _a_person(match["one"]):
            return [sentence]   # "As a gift for my sister, what …": no "I am a gift"
        said = f"I am {match['one']}" if "one" in match.groupdict() else match["said"]
        if not _FIRST_PERSON.search(said) or _SAYING_SO.match(said):
            return [sentence]
        asked = match["asked"]
        return [said[0].upper() + said[1:].rstrip(" ,") + ".", asked[0].upper() + asked[1:]]
    return [sentence]


def _unlabelled(sentence: str) -> str:
    """A line written as a note: "Pet update: we adopted a greyhound" → "we adopted a greyhound"
    (a label before a statement says nothing); "Things I can't stand: olives, loud music" → "I
    can't stand olives, loud music"; "Favourite foods: sushi and kottu" → "My favourite foods
    are sushi and kottu" (a label and its value, neither with a verb)."""
    from consolidation.rephrase import parse

    listed = _LISTED.match(sentence)
    if listed and len(listed["verb"].split()) <= 3:
        return f"{listed['who']} {listed['verb']} {listed['rest']}"
    match = _LABEL.match(sentence)
    if not match or match["label"].lower() in ("me", "i", "you", "us", "we") or _ANNOUNCES.search(match["label"]):
        return sentence   # "Correction: my dentist is Dr Byrne": the label says what the rest replaces
    label, rest = parse(match["label"]), parse(match["rest"])
    known = _dictionary()
    if all(t.pos_ == "PROPN" or t.ent_type_ == "PERSON" or known is not None and t.text[:1].isupper()
           and not {t.lower_, t.lemma_.lower()} & known[0] for t in label):
        return sentence   # "Ines: I adopted a greyhound": a speaker, whose words are not the user's
    if len(label) > 1 and any(t.pos_ in ("VERB", "AUX") for t in label):   # one word is a label ("Work:")
        return sentence
    someone = "'s" in match["label"] or any({t.lower_, t.lemma_.lower()} & lx.ROLES for t in label)
    if someone and not re.match(r"(?:I|we)\b", match["rest"], re.IGNORECASE):
        return sentence   # "Kid update: started school today!", "Mum: she's in hospital": news of someone else
    if any(t.pos_ in ("VERB", "AUX") for t in rest):
        return match["rest"][0].upper() + match["rest"][1:]
    words = [t for t in label if not t.is_punct]
    if len(words) > 4 or len([t for t in rest if not t.is_punct]) > 8 or not any(t.pos_ == "NOUN" for t in words):
        return sentence
    own = words[0].lower_ in ("my", "our")
    name = match["label"] if own else "my " + match["label"][0].lower() + match["label"][1:]
    plural = words[-1].tag_ == "NNS" or " and " in match["rest"]
    return f"{name[0].upper()}{name[1:]} {'are' if plural else 'is'} {match['rest']}"


def _with_subject(sentence: str, casual: bool) -> str:
    """"just moved to Bergen" → "I just moved to Bergen": a statement opening with a past-tense
    verb (or a verb of having, liking, living …) and no subject of its own."""
    from consolidation.rephrase import parse

    doc = parse(sentence)
    tokens = [t for t in doc if not t.is_punct and not t.is_space]
    opening = [t for t in tokens if t.lower_ not in _DISCOURSE]
    first = next((t for t in opening if t.lower_ not in _ADVERBS), None)
    if first is None or sentence.rstrip().endswith("?"):
        return sentence
    root = next(iter(doc.sents)).root
    if casual and first.dep_ in ("advcl", "ccomp", "conj"):   # texting splices clauses with commas:
        root = first                                            # "started bass again, teacher is Dez"
    if any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in root.children) or first not in (root, *root.children):
        return sentence   # it has a subject ("Started in 2019, the club now has …"), or opens with no verb of its own
    after = doc[first.i + 1] if first.i + 1 < len(doc) else None
    past = first.tag_ in ("VBD", "VBN") and first.lower_ not in ("thought", "said")
    own = first.lower_ in _OWN_VERBS and first.pos_ in ("VERB", "AUX") and after is not None \
        and after.lower_ not in ("me", "us", "you") and (first.lower_ not in ("ca", "do", "wo") or after.lower_ == "n't")
    going = first.lower_ == "going" and after is not None and after.lower_ == "to"
    if not (past or own or going):
        return sentence
    start = opening[0].idx
    subject = "I'm " if going else "I've " if first.lower_ == "been" else "I "
    return sentence[:start] + subject + sentence[start].lower() + sentence[start + 1:]


def _truecase(sentence: str) -> str:
    from consolidation.rephrase import parse

    sentence = _ROLE_IS.sub(lambda m: m.group(1) + _named(m.group(2)), sentence)
    doc = parse(sentence)
    out, capital_run = [], 0
    for tok in doc:
        word = tok.text
        if tok.lower_ in ("called", "named", "name's", "names", "call", "calls", "calling"):
            capital_run = 3
        elif capital_run and tok.pos_ == "PRON":   # "Kofi named it Banana", "everyone calls her Debs"
            pass
        elif capital_run and (tok.is_punct or tok.lower_ in ("and", "but", "because", "since", "who", "which", "in",
                                                              "at", "on", "from", "for", "with", "not")):
            capital_run = 0
        elif capital_run and tok.is_alpha:
            if tok.lower_ not in ("the", "a", "an", "of"):
                word = word[:1].upper() + word[1:]
            capital_run -= 1
        elif tok.is_alpha and _a_name(tok):
            word = word[:1].upper() + word[1:]
        out.append(word + tok.whitespace_)
    return "".join(out)


def _named(word: str) -> str:
    """"soph" in "my best friend is soph": a name, unless it describes ("my sister is tall")."""
    words = _dictionary()
    if words is None or word in words[1] or word.endswith(("ing", "ed")):
        return word
    return word[:1].upper() + word[1:]


def _a_name(tok) -> bool:
    """A lower-case word that can only be a name: unknown to the dictionary, or known to WordNet
    only as one ("darwin"), and not a word of the sentence's grammar."""
    if tok.is_stop or len(tok.text) < 3 or tok.pos_ in ("VERB", "AUX", "ADV", "ADJ", "PRON", "DET", "ADP",
                                                      "CCONJ", "SCONJ", "INTJ", "PART", "NUM"):
        return False
    words = _dictionary()
    if words is None:
        return False
    common, _ = words
    word = tok.lower_
    forms = {word, tok.lemma_.lower(), word[:-1] if word.endswith("s") else word}
    return not forms & common and re.fullmatch(r"[a-z]+", word) is not None   # a name only, or no word at all


@lru_cache(maxsize=1)
def _dictionary() -> tuple[frozenset[str], frozenset[str]] | None:
    """WordNet's words: (those it knows in lower case, its adjectives and adverbs)."""
    from consolidation.kinds import wordnet_root

    root = wordnet_root()
    if root is None:
        return None
    common, describing = set(), set()
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (root / f"data.{pos}").read_text(encoding="latin-1").splitlines():
            if not line or line.startswith(" "):
                continue
            fields = line.split(" | ", 1)[0].split()
            for i in range(int(fields[3], 16)):
                form = fields[4 + 2 * i].split("(")[0]
                if not form[:1].isupper():
                    common.add(form.lower())
                if pos in ("adj", "adv"):
                    describing.add(form.lower())
        for line in (root / f"{pos}.exc").read_text(encoding="latin-1").splitlines():
            common.update(line.split()[:1])
    return frozenset(common), frozenset(describing)
