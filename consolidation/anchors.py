"""Anchors: what keeps the adapter the base everywhere but in the memories.

Measured on the embedded base: every learning rate that teaches personal facts also
teaches the model to answer everything as one ("The capital of France is Porto"), and
the reference perplexity drifted 1.2-2.0x after a single night. Two anchors, both the
base's own output (self-distillation, no external data), generated once per base and
cached beside the user's adapters:

- answers: the base's greedy answers to general questions, a fixed share of the replay in
  every batch (`sleep.anchor_share`), however large the memory grows (the assistant's frame
  stays general);
- passages: the base's own short essays on general topics; every training step takes
  the KL divergence from the bare base's next-token distributions on one of them
  (`consolidation.train.anchor_loss`), so the language itself does not bend.

The base's own essays are its likeliest paths, where it is sure of the next word; a night
bends it most where it is not, in plain written prose outside the chat frame. So the
passages also hold `PROSE`, plain paragraphs written for this project. Measured on the
embedded base (one REM cycle from a four-night adapter, at the peak rate): the reference
drift rose from 1.065x to 1.098x with the essays alone and to 1.071x with the prose beside
them, for the same training loss.
"""

from __future__ import annotations

import json
from pathlib import Path

from cognition.home import atomic_write_text
from consolidation.examples import Example
from system1.prompts import answer_messages

# Written for this project: everyday knowledge, nothing personal.
QUESTIONS = (
    "What is the capital of France?", "How many days are there in a week?", "What colour is the sky on a clear day?",
    "What do bees make?", "What is the boiling point of water at sea level?", "Which planet is closest to the sun?",
    "What is the largest ocean on Earth?", "How many legs does a spider have?", "What is frozen water called?",
    "What gas do plants take in from the air?", "Who wrote Romeo and Juliet?", "What is the opposite of hot?",
    "What is two plus three?", "Which animal is known as the king of the jungle?", "What do you call a baby cat?",
    "What language is spoken in Spain?", "How many hours are in a day?", "What is the main ingredient of bread?",
    "What instrument has black and white keys?", "What is the tallest mountain in the world?",
    "Which season comes after winter?", "What do cows drink?", "What is the chemical symbol for gold?",
    "How many continents are there?", "What is the currency of Japan?", "What does a thermometer measure?",
    "Which organ pumps blood through the body?", "What shape has three sides?", "What is the capital of Italy?",
    "What do caterpillars turn into?", "What is the largest planet in the solar system?",
    "Which direction does the sun rise in?", "What is the capital of Canada?", "What is the capital of Australia?",
    "What is the capital of Egypt?", "What is the capital of Russia?", "How many seconds are in a minute?",
    "How many weeks are in a year?", "How many players are on a football team?", "How many strings does a violin have?",
    "How many sides does a hexagon have?", "What colour is a ripe tomato?",
    "What colour do you get by mixing blue and yellow?", "What is the largest desert in the world?",
    "Which ocean lies between Europe and America?", "What is the longest river in South America?",
    "Which animal has a trunk?", "Which bird cannot fly and lives in Antarctica?", "What do pandas mainly eat?",
    "What do you call a baby sheep?", "Where do polar bears live?", "What is the largest bone in the human body?",
    "What do we use our nose for?", "What do lungs do?", "Who was the first person to walk on the moon?",
    "Who wrote Hamlet?", "Who invented the light bulb?", "What is the chemical symbol for iron?",
    "What is five plus seven?", "What is twelve divided by three?", "What is the square root of sixteen?",
    "What is a hundred minus one?", "Which metal is liquid at room temperature?", "What language is spoken in Italy?",
    "What is the main language of Germany?", "Which country is famous for the Eiffel Tower?",
    "In which country are the pyramids of Giza?", "Which country has a maple leaf on its flag?",
    "What do we call a person who flies a plane?", "What tool do you use to cut paper?",
    "What do you wear on your feet?", "Which meal is eaten in the morning?", "What is the opposite of big?",
    "What is the opposite of wet?", "Which month comes after March?", "How many days are in a leap year?",
    "What falls from clouds when it rains?", "What do plants need from the sun?", "What is the largest continent?",
)


# Written for this project: everyday subjects, none of them the reference text's (water, libraries).
TOPICS = (
    "how bread is baked", "the rules of chess", "why leaves change colour in autumn", "how a bicycle works",
    "the life of honeybees", "how trains run on time", "what volcanoes are", "how to plant a tomato",
    "the history of the printing press", "why the moon has phases", "how a refrigerator keeps food cold",
    "what makes a good cup of tea", "how birds migrate", "the game of football", "how paper is made",
    "what a rainbow is", "how bridges carry weight", "the planets of the solar system", "how cheese is made",
    "why we sleep", "how a piano makes sound", "what the desert is like at night", "how ships float",
    "the invention of the telephone",
)
PASSAGE_PROMPT = "Write a short paragraph about {}."

# Written for this project: plain paragraphs on the same everyday subjects, none of them the
# reference text's, read as plain text (no chat frame).
PROSE = (
    "A bicycle turns the push of a rider's legs into forward motion. The pedals drive a chain that runs over a "
    "toothed wheel at the back, and the gears change how far the bike travels for each turn of the pedals. Low "
    "gears make hills easier; high gears are faster on flat roads. Brakes press rubber pads against the rim or a "
    "disc, and a good rider checks the tyres, the chain and the brakes before a long ride.",
    "Bread is made from flour, water, salt and yeast. The yeast feeds on the sugars in the flour and releases gas, "
    "which the stretchy gluten traps in small bubbles, so the dough rises. Bakers knead the dough to build that "
    "structure, leave it to prove in a warm place, shape it and bake it in a hot oven. The crust browns as the "
    "surface dries, while the inside sets into a soft crumb.",
    "Chess is played on a board of sixty-four squares by two players, one with the white pieces and one with the "
    "black. Each side has a king, a queen, two rooks, two bishops, two knights and eight pawns, and every piece "
    "moves in its own way. The aim is to trap the other player's king so that it cannot escape capture, which is "
    "called checkmate. Games can last a few minutes or several hours.",
    "Honeybees live in colonies of many thousands, with a single queen that lays the eggs. Worker bees collect "
    "nectar and pollen from flowers, build wax combs and feed the young. A returning forager can tell the others "
    "where food is by dancing on the comb: the angle of the dance points towards the flowers and its length tells "
    "how far away they are. In winter the bees cluster together to keep warm.",
    "Volcanoes form where molten rock from deep inside the earth reaches the surface. Some erupt quietly, sending "
    "rivers of lava down their slopes, while others explode and throw ash high into the sky. The ash can fall on "
    "towns many miles away and disturb flights for days. Over time the soil around a volcano often becomes very "
    "fertile, which is one reason why farmers have always lived close to them.",
    "The moon seems to change shape over a month because we see different parts of its sunlit side. When it lies "
    "between the earth and the sun, the lit half faces away from us and we hardly see it at all. As it moves along "
    "its orbit, more of the bright side comes into view until the full moon, and then the light shrinks again. "
    "The whole cycle takes about twenty-nine and a half days.",
    "Trains run on steel rails that guide their wheels, so a driver controls the speed but not the direction. "
    "Signals along the line tell the driver whether the track ahead is clear, and points allow a train to move "
    "from one track to another. Timetables are planned months in advance, and a delay in one place can spread "
    "across a whole network, because many trains share the same busy stretches of line.",
    "Paper was first made from plant fibres soaked in water and beaten into a pulp. The pulp is spread thinly over "
    "a fine screen, the water drains away, and the wet sheet is pressed and dried. Today most paper comes from "
    "wood, although old cloth, cotton and recycled paper are also used. Thicker sheets become card and boxes, "
    "while the thinnest are used for tissues and for printing dictionaries.",
    "Football is played by two teams of eleven players on a rectangular field with a goal at each end. Only the "
    "goalkeepers may touch the ball with their hands, and then only inside their own area. A match lasts ninety "
    "minutes, split into two halves, and the team that scores more goals wins. A referee enforces the rules, "
    "awarding free kicks for fouls and showing cards to players who go too far.",
    "Birds that migrate fly long distances between the places where they breed and the places where they spend the "
    "winter. Many travel at night and find their way using the stars, the position of the sun and the earth's "
    "magnetic field. Before the journey they eat a great deal and store the energy as fat. Some small songbirds "
    "cross deserts and seas without stopping, losing almost half their weight on the way.",
    "A refrigerator keeps food cold by moving heat out of the cabinet and into the kitchen. A liquid with a low "
    "boiling point circulates through pipes; as it evaporates inside the fridge it absorbs heat, and a compressor "
    "then squeezes the vapour so that it releases that heat through the coils at the back. Cold slows the growth "
    "of bacteria, which is why milk and meat last longer in the fridge than on a shelf.",
    "Cheese begins as milk. A little acid and an enzyme called rennet make the milk separate into solid curds and "
    "liquid whey. The curds are cut, drained, salted and pressed into moulds, and many cheeses are then left to "
    "ripen in cool rooms for weeks or years. The kind of milk, the bacteria and the time spent ageing decide "
    "whether a cheese ends up soft and mild or hard and sharp.",
    "A piano makes sound when a key lifts a small felt hammer that strikes a set of tightly stretched strings. The "
    "strings vibrate, and a large wooden soundboard makes the vibration loud enough to fill a room. Longer, "
    "heavier strings give the low notes and shorter ones the high notes. The pedals can hold the notes after the "
    "keys are released or make the whole instrument play more softly.",
    "A bridge has to carry its own weight as well as the traffic that crosses it. A beam bridge rests on piers, "
    "an arch bridge pushes its load outwards into the banks, and a suspension bridge hangs the road from cables "
    "slung between tall towers. Engineers also plan for wind, temperature and the slow wear of years, so steel "
    "bridges have joints that let them grow and shrink between summer and winter.",
    "Tea comes from the leaves of a shrub grown in warm, wet hills. After picking, the leaves are withered, rolled "
    "and dried; letting them darken in the air before drying gives black tea, while green tea is heated early to "
    "keep its colour. A good cup depends on fresh water, the right temperature and the right time: too long in "
    "the pot and the tea turns bitter.",
    "The telephone carries the voice as an electrical signal. In early telephones a thin plate in the mouthpiece "
    "moved with the sound of speech and changed the current flowing along a wire, and at the other end a similar "
    "plate turned the changing current back into sound. Operators once connected calls by hand at a switchboard; "
    "later, automatic exchanges did the work, and today most calls travel as digital data.",
)


def anchor_passages(runtime, cache: Path, base_hash: str, max_new_tokens: int = 96, seed: int = 0) -> list[list[int]]:
    """Token ids of the base's own paragraphs (adapter off, sampled) rendered in the chat frame, cached
    per base, and of `PROSE` as plain text."""
    prose = [runtime.tokenizer(p, add_special_tokens=False)["input_ids"] for p in PROSE]
    return _essays(runtime, Path(cache), base_hash, max_new_tokens, seed) + prose


def _essays(runtime, cache: Path, base_hash: str, max_new_tokens: int, seed: int) -> list[list[int]]:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("base") == base_hash and len(data.get("passages", [])) == len(TOPICS):
            return data["passages"]
    except (FileNotFoundError, ValueError):
        pass
    asks = [[{"role": "user", "content": PASSAGE_PROMPT.format(t)}] for t in TOPICS]
    outs = runtime.generate(asks, adapter=False, max_new_tokens=max_new_tokens, temperature=0.7, seed=seed)
    passages = []
    for ask, out in zip(asks, outs):
        text = runtime.render(ask + [{"role": "assistant", "content": out.text}], add_generation_prompt=False)
        passages.append(runtime.tokenizer(text, add_special_tokens=False)["input_ids"])
    atomic_write_text(cache, json.dumps({"base": base_hash, "passages": passages}))
    return passages


def anchor_examples(runtime, cache: Path, base_hash: str, max_new_tokens: int = 40) -> list[Example]:
    """The base's greedy answers (adapter off), cached per base."""
    cache = Path(cache)
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("base") == base_hash and len(data.get("answers", [])) == len(QUESTIONS):
            return _examples(data["answers"])
    except (FileNotFoundError, ValueError):
        pass
    outs = runtime.generate([answer_messages(q) for q in QUESTIONS], adapter=False, max_new_tokens=max_new_tokens)
    answers = [g.text for g in outs]
    atomic_write_text(cache, json.dumps({"base": base_hash, "answers": answers}, ensure_ascii=False))
    return _examples(answers)


def _examples(answers: list[str]) -> list[Example]:
    return [Example(q, a, "anchor", ("anchor",)) for q, a in zip(QUESTIONS, answers) if a.strip()]
