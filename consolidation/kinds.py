"""What kind of thing a noun names, so a fact can be asked by its kind.

"I'm terrified of moths" will be asked "What kind of insect frightens me?"; "I have
celiac disease", "Which condition do I have?". The kind comes from the sentence
embedder the memory index already uses: the category whose "a kind of …" phrase is
nearest to the noun phrase, when it is near enough (0.42 cosine: on common nouns that
keeps moths → insect at 0.63, geese → bird 0.51, octopus → seafood 0.44, left knee →
joint 0.44, celiac disease → allergy 0.41 [kept by its parent], and drops what the
embedder cannot place, such as a dish or an instrument's own name, at 0.2-0.3). Names
(proper nouns) are never classified: a band or a game called "Wingspan" is not a bird.
"""

from __future__ import annotations

from functools import lru_cache

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
}
THRESHOLD = 0.42


@lru_cache(maxsize=1)
def _category_vectors():
    import numpy as np

    from cognition.index import embed

    names = list(CATEGORIES)
    return names, np.array(embed([f"a kind of {name}" for name in names]))


@lru_cache(maxsize=4096)
def kinds_of(phrase: str) -> tuple[str, ...]:
    """The kind of thing `phrase` names and its broader kinds, most specific first; () when unsure."""
    import numpy as np

    from cognition.index import embed

    phrase = phrase.strip()
    if not phrase:
        return ()
    names, vectors = _category_vectors()
    sims = vectors @ np.array(embed([phrase])[0])
    best = int(np.argmax(sims))
    if sims[best] < THRESHOLD:
        return ()
    name = names[best]
    return (name, *CATEGORIES[name])
