"""Small word lists the curation rules lean on: kinship, roles, and common paraphrases.

They hold general English (people say "mum", "mother" and "mom" for one person; "live",
"reside" and "be based" for one relation), never the wording of any benchmark. A capable
System 2 replaces most of this when it is configured as judge and writer.
"""

from __future__ import annotations

import re

GENDER = {
    "husband": "m", "boyfriend": "m", "brother": "m", "son": "m", "dad": "m", "father": "m", "grandson": "m",
    "grandfather": "m", "grandpa": "m", "uncle": "m", "nephew": "m", "stepfather": "m", "stepson": "m",
    "wife": "f", "girlfriend": "f", "sister": "f", "daughter": "f", "mum": "f", "mom": "f", "mother": "f",
    "granddaughter": "f", "grandmother": "f", "grandma": "f", "aunt": "f", "niece": "f", "stepmother": "f",
    "father-in-law": "m", "brother-in-law": "m", "son-in-law": "m",
    "mother-in-law": "f", "sister-in-law": "f", "daughter-in-law": "f",
}
# A relative named without gender, once "he" or "she" says which: "my grandchild Leonor … she".
GENDERED = {"child": ("son", "daughter"), "kid": ("son", "daughter"), "grandchild": ("grandson", "granddaughter"),
            "grandkid": ("grandson", "granddaughter"), "sibling": ("brother", "sister"),
            "parent": ("father", "mother"), "spouse": ("husband", "wife")}
SPOUSES = {"spouse", "partner", *GENDERED["spouse"]}   # who "my wife and I" may be said of
# … who is still asked after by the word without gender: "my granddaughter" is "my grandchild".
UNGENDERED = {"son": "child", "daughter": "child", "grandson": "grandchild", "granddaughter": "grandchild"}
KIN = set(GENDER) | {"partner", "spouse", "child", "kid", "parent", "cousin", "twin", "twins", "children", "kids",
                     "parents", "grandchildren", "grandkids", "in-laws", "in-law", "fiancé", "fiancée", "baby"}
PEOPLE_ROLES = {"friend", "best friend", "neighbour", "neighbor", "boss", "colleague", "coworker", "roommate",
                "housemate", "flatmate", "teacher", "doctor", "dentist", "supervisor", "manager", "landlord",
                "therapist", "coach", "mentor", "tutor", "vet", "mate", "classmate", "student", "baby girl", "baby boy",
                "hero", "heroine", "idol", "role model"}


# What one is that is a diet kept or a condition lived with: "I'm vegetarian", "she's diabetic".
DIETS = {"vegetarian", "vegan", "pescatarian", "pescetarian", "teetotal", "teetotaller", "kosher", "halal"}
CONDITIONS = {"diabetic", "coeliac", "celiac", "asthmatic", "epileptic", "dyslexic", "anaemic", "anemic", "colourblind",
              "colorblind", "deaf", "blind", "hypertensive", "arthritic"}
# What part of life a condition touches, so it is asked there too ("What dietary condition do I have?").
CONDITION_AREAS = {**dict.fromkeys(["coeliac", "celiac", "lactose", "gluten", "wheat", "dairy", "fructose",
                                    "histamine", "diabetic", "diabetes"], "dietary"),
                   **dict.fromkeys(["blind", "colourblind", "colorblind", "glaucoma", "cataracts", "short-sighted",
                                    "long-sighted", "nearsighted", "farsighted"], "eye"),
                   **dict.fromkeys(["deaf", "tinnitus"], "hearing"),
                   **dict.fromkeys(["asthmatic", "asthma"], "breathing"),
                   **dict.fromkeys(["dyslexic", "dyslexia"], "learning")}
# … and how the area is asked after: "What is unusual about my vision?"
AREA_SENSES = {"eye": ["vision", "eyesight"], "hearing": ["hearing"], "breathing": ["breathing", "lungs"]}
# How someone feels about what they find so: "which my dad finds hilarious" — it amuses him.
FELT = {**dict.fromkeys(["hilarious", "funny", "amusing", "hysterical"], "amuse"),
        **dict.fromkeys(["annoying", "irritating", "infuriating", "maddening"], "annoy"),
        **dict.fromkeys(["embarrassing", "mortifying"], "embarrass"), "adorable": "charm", "charming": "charm",
        "impressive": "impress", "terrifying": "scare", "scary": "scare", "weird": "puzzle", "baffling": "puzzle"}
CHRONIC = {"diabetic", "coeliac", "celiac", "asthmatic", "epileptic", "anaemic", "anemic", "hypertensive", "arthritic"}


# Someone by what they are, not by what they are to the user: "a woman", "this guy".
STRANGERS = {"woman", "man", "guy", "girl", "boy", "lady", "gentleman", "person", "chap", "bloke", "stranger",
             "kid", "fellow", "dude", "someone"}


def is_person_role(role: str) -> bool:
    """Does a role name a person ("my older sister", "new roommate", "best friend"; not "cat")?"""
    words = role.lower().split()
    return bool(words) and (words[-1] in KIN | PEOPLE_ROLES or " ".join(words[-2:]) in PEOPLE_ROLES)


# A relative's relative by its own name: "my brother's son" is "my nephew".
_PARENTS = {"mum", "mom", "mother", "dad", "father", "parents"}
_SIBLINGS = {"brother", "sister"}
_CHILDREN = {"son", "daughter"}
_MARRIED = {"wife", "husband", "spouse"}
COMPOSED_KIN = {**{(p, "sister"): "aunt" for p in _PARENTS}, **{(p, "brother"): "uncle" for p in _PARENTS},
                **{(p, m): "grandmother" for p in _PARENTS for m in ("mum", "mom", "mother")},
                **{(p, f): "grandfather" for p in _PARENTS for f in ("dad", "father")},
                **{(s, "son"): "nephew" for s in _SIBLINGS}, **{(s, "daughter"): "niece" for s in _SIBLINGS},
                **{(c, "son"): "grandson" for c in _CHILDREN}, **{(c, "daughter"): "granddaughter" for c in _CHILDREN},
                **{(c, "boy"): "grandson" for c in _CHILDREN}, **{(c, "girl"): "granddaughter" for c in _CHILDREN},
                **{(s, "boy"): "nephew" for s in _SIBLINGS}, **{(s, "girl"): "niece" for s in _SIBLINGS},
                **{(s, k): "nieces and nephews" for s in _SIBLINGS for k in ("kids", "children", "twins")},
                **{(c, k): "grandchildren" for c in _CHILDREN for k in ("kids", "children", "twins")},
                **{(w, k): "in-laws" for w in _MARRIED for k in ("parents", "family", "folks")},
                **{(w, k): f"{k}-in-law" for w in _MARRIED for k in ("mother", "father", "brother", "sister")},
                **{(w, m): "mother-in-law" for w in _MARRIED for m in ("mum", "mom")},
                **{(w, f): "father-in-law" for w in _MARRIED for f in ("dad",)},
                **{(s, "husband"): "brother-in-law" for s in _SIBLINGS},
                **{(s, "wife"): "sister-in-law" for s in _SIBLINGS},
                **{(c, "husband"): "son-in-law" for c in _CHILDREN},
                **{(c, "wife"): "daughter-in-law" for c in _CHILDREN}}


def composed_kin(role: str) -> str:
    """"brother's son" → "nephew"; "" when the role is no relative's relative."""
    m = re.fullmatch(r"(?:\w+ )?(\w+)'s (?:\w+ )?(\w+)", role)
    return COMPOSED_KIN.get((m.group(1), m.group(2)), "") if m else ""


PETS = {"dog", "cat", "rabbit", "bunny", "horse", "parrot", "canary", "budgie", "hamster", "fish", "tortoise",
        "turtle", "snake", "lizard", "pet", "puppy", "kitten", "ferret", "guinea pig", "chicken", "goat"}
# A word for someone or some animal of the user's ("sister", "neighbour", "cat"), and the same as a
# regular-expression alternation, longest first ("best friend" before "friend").
ROLES = KIN | PEOPLE_ROLES | PETS
ROLES_PATTERN = "|".join(sorted(ROLES, key=len, reverse=True))
# Animals one keeps for a living: whoever keeps, raises or breeds them somewhere has a farm there.
LIVESTOCK = {"sheep", "cow", "cattle", "goat", "pig", "hen", "chicken", "duck", "goose", "alpaca", "llama",
             "reindeer", "turkey", "ostrich", "oyster", "mussel"}
FARMING = {"keep", "raise", "breed", "farm", "rear", "run", "have"}
ROLE_ADJ = {"best", "closest", "older", "younger", "elder", "eldest", "oldest", "youngest", "big", "twin", "former",
            "late", "new", "favourite", "favorite"}
NOISE_ADJ = {"little", "old", "new", "current", "dear", "lovely", "beloved", "scruffy", "only", "own", "other"}
TITLES = {"dr", "dr.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "prof", "prof."}   # before a surname
FIRST_SINGULAR = {"i", "i'm", "i've", "i'd", "i'll", "my", "me", "mine", "myself"}
SELF_WORDS = FIRST_SINGULAR | {"we", "we're", "we've", "our", "us", "ours"}


def is_pet_role(role: str) -> bool:
    """Does a role name an animal kept ("dog", "old cat"), one a later "he" or "she" may be?"""
    words = role.lower().split()
    return bool(words) and words[-1] in PETS

# Nouns people use for one another; a question may use any of them.
NOUN_SYNONYMS = {
    "mum": ["mother", "mom"], "mom": ["mother", "mum"], "mother": ["mum", "mom"],
    "dad": ["father"], "father": ["dad"], "husband": ["spouse", "partner"], "wife": ["spouse", "partner"],
    "best friend": ["closest friend", "best mate"], "friend": ["mate", "pal"],
    "roommate": ["housemate", "flatmate"], "housemate": ["roommate", "flatmate"], "flatmate": ["roommate"],
    "job": ["work", "position", "occupation", "role"], "band": ["group"], "folk group": ["band", "folk band"],
    "group": ["band"], "car": ["vehicle"], "house": ["home"], "flat": ["apartment", "home"],
    "apartment": ["flat", "home"], "town": ["city", "place"], "city": ["town", "place"], "kids": ["children"],
    "children": ["kids"], "grandchildren": ["grandkids"], "doctor": ["GP", "physician"], "film": ["movie"],
    "movie": ["film"], "book": ["novel"], "dish": ["meal", "food"], "food": ["dish", "meal"],
    "colour": ["color"], "shifts": ["working day", "work day", "shift"], "shift": ["working day"],
    "boss": ["manager"], "neighbour": ["neighbor"], "neighbor": ["neighbour"], "dessert": ["sweet", "treat"],
    "snack": ["nibble"], "sport": ["game"], "club": ["team"], "choir": ["chorus"], "school": ["college"],
    "university": ["college", "school"], "hobby": ["pastime"], "pet": ["animal"], "birthday": ["date of birth"],
}

# Verbs a question may use for the relation the statement used. Each entry is a lemma;
# "be based" style entries are asked with a copula ("Where is my sister based?").
VERB_SYNONYMS = {
    "live": ["reside", "stay", "be based", "have a home"], "reside": ["live"], "move": ["relocate"],
    "work": ["be employed", "have a job"], "start": ["begin"], "begin": ["start"], "finish": ["end"],
    "play": ["perform on"], "study": ["learn", "be studying"], "learn": ["study"], "drive": ["own"],
    "own": ["have"], "have": ["own"], "love": ["like best", "adore"], "like": ["enjoy"], "enjoy": ["like"],
    "grow": ["cultivate", "raise"], "teach": ["give lessons in"], "go": ["travel", "head"], "visit": ["go to"],
    "make": ["produce"], "keep": ["raise"], "run": ["manage", "operate"], "wear": ["put on"],
    "collect": ["gather"], "hate": ["dislike", "not stand"], "marry": ["wed"], "call": ["name"],
    "name": ["call"], "read": ["enjoy reading"], "listen": ["tune in"], "bake": ["make"], "knit": ["make"],
    "restore": ["repair", "fix up"], "repair": ["fix", "restore"], "volunteer": ["help out"],
    "emigrate": ["move abroad", "leave"], "grow up": ["be raised", "spend my childhood"],
    "mend": ["repair", "fix"], "fix": ["repair", "mend"], "cook": ["make", "prepare"], "build": ["make", "construct"],
    "sew": ["make"], "brew": ["make"], "sing": ["perform"], "spot": ["see", "watch"], "watch": ["see"],
    "buy": ["get", "purchase"], "meet": ["see"], "survive": ["grow", "thrive"], "thrive": ["grow"],
    "dislike": ["hate"], "adore": ["love"], "raise": ["keep"], "breed": ["raise", "keep"], "train": ["practise"],
    "specialise": ["focus on", "specialize"], "specialize": ["focus on", "specialise"], "focus": ["specialise"],
}

PLACE_WORDS = ["town", "city", "place"]
# The last word of a place's name, which the small parser may take for a person's: "Cass Lake".
PLACE_NAME_ENDS = {"lake", "river", "street", "road", "avenue", "lane", "hill", "hills", "bay", "park", "mountain",
                   "island", "beach", "valley", "square", "bridge", "harbour", "harbor", "falls", "creek", "point"}
_JOB_SUFFIXES = ("er", "or", "ist", "ian", "ant", "ent", "eer", "man", "woman", "wright", "smith")
JOB_NOUNS = {"nurse", "chef", "pilot", "vet", "doctor", "dentist", "engineer", "student", "assistant", "clerk",
             "cook", "judge", "guide", "driver", "teacher", "officer", "professor", "surgeon", "lawyer", "barista",
             "architect", "plumber", "electrician", "farmer", "fisherman", "nanny", "tutor", "coach", "midwife",
             "medic", "paramedic", "mechanic", "cleric", "detective", "executive", "representative", "chief"}
NOT_JOBS = set(GENDER) | KIN | PETS | {"supporter", "member", "fan", "lover", "person", "one", "number", "river",
                                       "winter", "summer", "water", "ever", "order", "letter", "matter", "other",
                                       "restaurant", "plant", "elephant", "giant", "event", "talent", "present",
                                       "computer", "tower", "flower", "paper", "dinner", "colour", "color",
                                       "weather", "floor", "door", "corner", "center", "border", "error", "chapter"}


def is_job(noun_lemma: str) -> bool:
    """Does a noun name an occupation? ("tuner", "engineer", "paramedic" yes; "sister", "supporter" no)."""
    word = noun_lemma.lower()
    if word in NOT_JOBS:
        return False
    return word in JOB_NOUNS or (len(word) > 4 and word.endswith(_JOB_SUFFIXES) and not word.endswith("ment"))


def noun_variants(phrase: str) -> list[str]:
    """`phrase` and its common synonyms ("my mum" → "my mother", "my mom")."""
    out = [phrase]
    for key, alts in NOUN_SYNONYMS.items():
        if phrase == key or phrase.endswith(" " + key):
            out += [phrase[: len(phrase) - len(key)] + alt for alt in alts]
            break
    return out


def role_variants(role: str) -> list[str]:
    """How the user may ask after someone by role: "my older sister", "my sister" (and synonyms),
    "my brother's son" also "my nephew"."""
    if not role:
        return []
    out = noun_variants(f"my {role}")
    *mods, last = role.split()
    if last in UNGENDERED:
        out += noun_variants(" ".join(["my", *mods, UNGENDERED[last]]))
    kin = composed_kin(role)
    if kin and "baby" in role.split():   # "my son's baby girl" is the granddaughter on her way, or just come
        out += [f"my {when} {kin}" for when in ("baby", "future", "new")]
    elif kin:
        out += noun_variants(f"my {kin}")
    if kin == "nieces and nephews" and last == "twins":   # two of them: as likely asked "my niece and nephew"
        out += noun_variants("my niece and nephew")
    words = role.split()
    if len(words) > 1 and words[0] in ROLE_ADJ - {"best", "closest"}:
        out += noun_variants(f"my {' '.join(words[1:])}")
    return list(dict.fromkeys(out))


# Words and phrases a question may use for one another, as they stand in a question (the verb
# after do-support is in its base form). A fact learned under one wording is asked under
# another: "What am I terrified of?" is also "What am I scared of?". Keys are matched as whole
# words; each variant swaps one of them. Words whose other senses would read wrong ("drink" the
# verb is no "beverage", "present" the adjective no "gift") are left out.
THESAURUS = {
    # feelings
    "terrified of": ["scared of", "afraid of", "frightened of"], "scared of": ["afraid of", "terrified of"],
    "afraid of": ["scared of", "terrified of"], "frightened of": ["scared of", "afraid of"],
    "obsessed with": ["crazy about", "really into"], "keen on": ["into", "fond of"], "fond of": ["keen on"],
    "crazy about": ["passionate about", "mad about", "obsessed with"], "mad about": ["crazy about", "passionate about"],
    "passionate about": ["crazy about", "really into"],
    "interested in": ["into", "curious about"], "am I into": ["am I keen on", "do I enjoy", "am I interested in"],
    "worried about": ["anxious about", "nervous about"],
    "good at": ["great at", "skilled at"], "bad at": ["hopeless at", "terrible at"],
    "proud of": ["pleased with"], "allergic to": ["sensitive to"],
    # liking
    "love": ["adore", "really like"], "adore": ["love"], "like": ["enjoy", "love"], "enjoy": ["like", "love"],
    "like best": ["like most", "love most", "prefer"], "love most": ["like best", "enjoy most"],
    "prefer": ["like best"], "hate": ["can't stand", "dislike", "loathe"], "dislike": ["hate", "can't stand"],
    "favourite": ["favorite", "top"], "favorite": ["favourite"],
    # wanting and planning
    "want to": ["plan to", "hope to", "wish to"], "plan to": ["want to", "intend to"],
    "hope to": ["want to", "plan to"], "do I want to": ["am I planning to", "would I like to"],
    "do I plan to": ["am I planning to"], "do I hope to": ["am I hoping to"],
    # doing
    "adopt": ["take in", "give a home to"], "relax": ["unwind", "switch off"], "unwind": ["relax"],
    "buy": ["get", "purchase"], "own": ["have"], "watch": ["see"], "support": ["root for", "cheer for"],
    "volunteer": ["help out"], "help out": ["volunteer"],
    "investigate": ["research", "look into"], "learn": ["study"], "learning": ["studying"],
    "do for a living": ["do for work", "work as"],
    "grow up": ["get raised"], "live": ["reside", "stay"], "travel": ["go"],
    "move": ["relocate"], "bike": ["cycle", "ride"], "cycle": ["bike", "ride"],
    "ride": ["cycle"], "listen to": ["put on"],
}
# Things, by the nouns that name them. A noun before another noun only describes it ("my flat cap",
# "the town hall"), and is then left as it is.
THING_NOUNS = {
    "film": ["movie"], "movie": ["film"], "show": ["series", "programme"], "series": ["show"],
    "programme": ["show"], "book": ["novel"], "novel": ["book"], "song": ["track", "tune"], "band": ["group"],
    "course": ["subject", "class", "module"], "subject": ["course", "class"], "class": ["course", "subject"],
    "module": ["course"], "job": ["work", "occupation", "profession"], "profession": ["job", "occupation"],
    "occupation": ["job", "profession"], "career": ["job"], "car": ["vehicle"],
    "hometown": ["home town"], "trip": ["journey", "holiday"], "holiday": ["vacation", "trip"],
    "vacation": ["holiday", "trip"], "centre": ["center"], "center": ["centre"], "tyre": ["tire"],
    "tire": ["tyre"], "tyres": ["tires"], "tires": ["tyres"], "colour": ["color"], "color": ["colour"],
    "gift": ["present"], "dish": ["meal"], "meal": ["dish"],
    "shop": ["store"], "store": ["shop"], "hobby": ["pastime"], "pastime": ["hobby"], "team": ["club", "side"],
    "club": ["team"], "kids": ["children"], "children": ["kids"], "dessert": ["sweet", "treat"],
    "treat": ["dessert", "sweet"], "sweet": ["dessert", "treat"], "snack": ["nibble"],
    "animal": ["creature", "pet"], "creature": ["animal"], "doctor": ["GP", "physician"], "garden": ["yard"],
    "flat": ["apartment"], "apartment": ["flat"], "house": ["home"], "partner": ["other half"],
    "university": ["college", "uni"], "college": ["university"], "board game": ["game"],
    "city": ["town"], "town": ["city"],
}
THESAURUS |= THING_NOUNS

# The same feeling said the other way round: "I'm terrified of moths" is also "moths terrify me",
# so "What am I terrified of?" is also asked "What terrifies me?".
CONVERSE = {
    "terrified of": ["terrifies me", "frightens me"], "scared of": ["scares me", "frightens me"],
    "frightened of": ["frightens me", "scares me"], "afraid of": ["frightens me", "scares me"],
    "annoyed by": ["annoys me", "irritates me"], "irritated by": ["irritates me", "annoys me"], "bored by": ["bores me"],
    "interested in": ["interests me", "fascinates me"], "fascinated by": ["fascinates me"],
    "worried about": ["worries me"], "excited about": ["excites me"], "inspired by": ["inspires me"],
    "amused by": ["amuses me"], "disgusted by": ["disgusts me"], "allergic to": ["gives me an allergic reaction"],
    "work for": ["employs me"],
}
FEARS = {"terrified of", "scared of", "frightened of", "afraid of"}

# What one likes or dislikes a thing for, said of it: "the texture of cottage cheese" is
# asked "Which food's texture can't I stand?"; "I can't stand cottage cheese. The texture
# is a crime." is what the texture is of.
QUALITIES = {"texture", "taste", "flavour", "flavor", "aftertaste", "smell", "scent", "aroma", "odour", "odor",
             "consistency", "sound", "colour", "color", "look", "feel", "crunch", "sweetness", "bitterness",
             "sourness", "saltiness", "mouthfeel", "noise", "shape", "design", "price", "cost", "vibe"}
LIKING = {"love", "like", "adore", "enjoy", "prefer", "fancy", "relish", "appreciate"}
DISLIKING = {"hate", "dislike", "loathe", "detest", "despise", "abhor"}
ENDURING = {"stand", "bear", "abide"}   # disliking only when denied: "I can't stand marzipan"
# Verbs the small pipeline's lemmatizer cuts to another word: "hates" is not "hat".
MISLEMMATISED = {"hat": "hate", "rid": "ride", "hop": "hope"}

# Groups one belongs to, and those who teach or look after one, asked by what they do:
# "a swimming club called Frostbitt" is "Which club do I belong to?"; "my fiddle teacher
# Sigvald", "Who teaches me the fiddle?".
GROUPS = {"club", "band", "choir", "team", "group", "society", "orchestra", "association", "league", "crew",
          "ensemble", "troupe", "circle", "guild", "chorus", "collective"}
RUNNING_VERBS = {"run", "own", "manage", "open", "operate"}   # "my mom runs a bakery": a business
EMPLOYERS = {"company", "firm", "employer", "agency", "studio", "organisation", "organization"}
POSTS = {"partner", "associate", "fellow", "principal"}   # a job only at a firm: "a partner at a law firm"
GUIDES = {"teacher": "teaches", "tutor": "tutors", "coach": "coaches", "instructor": "instructs",
          "trainer": "trains", "supervisor": "supervises", "mentor": "mentors"}
LESSONS = {"teacher", "tutor", "instructor"}   # "my fiddle teacher": "Who gives me fiddle lessons?"

# Pastimes by their verb, and what kind of pastime each is: "In the evenings I knit" is "my evening craft".
PASTIMES = {**dict.fromkeys(["knit", "crochet", "sew", "quilt", "embroider", "weave", "spin", "whittle", "carve",
                             "pot", "felt", "stitch"], "craft"),
            **dict.fromkeys(["paint", "draw", "sketch", "garden", "bake", "hike", "sail", "fish", "birdwatch",
                             "photograph", "sing", "dance"], "hobby"),
            **dict.fromkeys(["run", "jog", "swim", "cycle", "row", "climb", "boulder", "ski", "surf", "skate",
                             "box", "fence", "paddle", "kayak", "golf"], "sport")}   # a sport only without an object ("run a bakery")

# Work one carries out on a subject ("a research project on lameness", "my thesis on coral
# bleaching"): asked what it is on; those of them that are inquiry, also what one researches.
STUDIES = {"project", "thesis", "dissertation", "study", "research", "paper", "essay", "report", "phd", "survey",
           "review", "investigation", "experiment", "article", "book", "talk", "presentation", "course"}
OCCASIONS = {"birthday", "anniversary", "wedding", "graduation", "party", "gig", "concert", "exam", "interview",
             "appointment", "deadline", "race", "marathon", "match", "game", "recital", "surgery", "operation"}
DEGREES = {"phd", "doctorate", "degree", "masters", "master", "msc", "bsc", "mba", "diploma", "bachelor", "dphil",
           "postdoc"}   # "a PhD in glaciology": the field it is in
INQUIRY = {"research", "thesis", "dissertation", "phd", "study", "survey", "investigation", "experiment"}
INQUIRY_VERBS = ["research", "investigate", "look into"]

# Marks one has made on oneself or one's things: "a compass rose tattooed on my forearm" is a tattoo.
MARKS = {"tattooed": "tattoo", "inked": "tattoo", "engraved": "engraving", "embroidered": "embroidery",
         "pierced": "piercing", "carved": "carving", "painted": "painting", "printed": "print"}

# Opinions: "I think daylight saving time should be abolished" is what one would like to be rid of.
OPINION_VERBS = {"think", "believe", "feel", "reckon", "suppose"}
RID_OF = {"abolish", "ban", "scrap", "outlaw", "end", "stop", "eliminate", "remove", "cancel", "forbid", "prohibit",
          "close", "shut", "drop", "axe", "kill"}

# Adverbs that put a statement in a field: "Musically I prefer bossa nova" is about music.
DOMAIN_ADVERBS = {"musically": "music", "politically": "politics", "artistically": "art", "culinarily": "food",
                  "gastronomically": "food", "literarily": "literature", "cinematically": "film",
                  "athletically": "sport", "professionally": "work", "academically": "study"}

# What a verb's object is, whatever its name: one drives a car, speaks a language.
VERB_KINDS = {"drive": ["car", "model of car"], "ride": ["bike"], "speak": ["language"],
              "support": ["team"], "fly": ["plane"], "sail": ["boat"]}
