#!/usr/bin/python3
"""Writes corpus.txt: the plain-English training text of the tiny demo model.

The text is composed here from hand-written templates with a fixed seed, so the corpus is ours, holds no
downloaded material and regenerates byte for byte: /usr/bin/python3 tools/tiny-gpt/make_corpus.py
Part of it is short dialogues in the ChatML format, so that Chat on the shipped model answers in turn.
"""
import pathlib
import random

rng = random.Random(20261128)

ANIMALS = {
    "cat": ("sleeps in the sun", "drinks milk", "chases a small mouse", "purrs when it is happy"),
    "dog": ("runs in the park", "barks at the mail carrier", "fetches a red ball", "wags its tail"),
    "bird": ("sings in the morning", "builds a nest of twigs", "flies over the river", "eats seeds"),
    "horse": ("runs across the field", "eats hay and oats", "pulls a wooden cart", "sleeps standing up"),
    "fish": ("swims in the lake", "hides under a rock", "eats tiny bugs", "has shiny scales"),
    "rabbit": ("digs a burrow", "eats fresh carrots", "hops across the garden", "has long ears"),
    "owl": ("hunts at night", "sees in the dark", "sits in an old oak tree", "hoots at the moon"),
    "bee": ("makes sweet honey", "visits every flower", "lives in a busy hive", "dances to show the way"),
}
COLORS = ["red", "blue", "green", "yellow", "white", "black", "brown", "gray", "orange", "purple"]
PLACES = ["the village", "the old town", "the harbor", "the valley", "the forest", "the market",
          "the mountain road", "the quiet farm", "the river bank", "the small school"]
NAMES = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Grace", "Henry", "Ida", "Jack", "Lena", "Max",
         "Nora", "Oscar", "Paula", "Sam", "Tom", "Vera"]
WEATHER = ["sunny", "rainy", "cold", "warm", "windy", "cloudy", "foggy", "bright"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
FOODS = ["bread", "soup", "apples", "cheese", "rice", "fresh fish", "honey cake", "potatoes", "tea"]
TOOLS = ["a hammer", "a shovel", "a basket", "a lamp", "a rope", "a map", "a pencil", "a ladder"]
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve"]
FACTS = [
    "The sun rises in the east and sets in the west.",
    "Water freezes when it is very cold and boils when it is very hot.",
    "A week has seven days and a year has twelve months.",
    "Plants need light, water and soil to grow.",
    "The moon goes around the earth about once a month.",
    "Rain falls from clouds and fills the rivers and lakes.",
    "Trees lose their leaves in autumn and grow new ones in spring.",
    "A clock shows the time with two hands and twelve numbers.",
    "Bread is made from flour, water, salt and yeast.",
    "Bees carry pollen from one flower to the next.",
    "Snow is made of tiny crystals of ice.",
    "The sea is salty, but the water in most lakes is fresh.",
]


def animal_paragraph():
    animal = rng.choice(list(ANIMALS))
    acts = list(ANIMALS[animal])
    rng.shuffle(acts)
    color = rng.choice(COLORS)
    name = rng.choice(NAMES)
    place = rng.choice(PLACES)
    article = "an" if color[0] in "aeiou" else "a"
    return (f"{name} has {article} {color} {animal}. The {animal} {acts[0]}. Every day the {animal} {acts[1]}, "
            f"and in the evening it {acts[2]}. {name} lives near {place}, and the {animal} {acts[3]}.")


def weather_paragraph():
    day = rng.choice(DAYS)
    w1, w2 = rng.sample(WEATHER, 2)
    name = rng.choice(NAMES)
    place = rng.choice(PLACES)
    food = rng.choice(FOODS)
    return (f"On {day} the weather was {w1}. {name} walked to {place} and bought {food}. "
            f"In the afternoon it became {w2}, so {name} went home and made a cup of tea.")


def story_paragraph():
    a, b = rng.sample(NAMES, 2)
    tool = rng.choice(TOOLS)
    place = rng.choice(PLACES)
    animal = rng.choice(list(ANIMALS))
    return (f"Once upon a time, {a} and {b} went to {place}. {a} carried {tool}. "
            f"On the way they met a {animal}. \"Hello,\" said {b}, \"where are you going?\" "
            f"The {animal} did not answer, but it followed them all the way home. "
            f"From that day on, {a} and {b} and the {animal} were good friends.")


def counting_paragraph():
    n = rng.randint(1, 6)
    m = rng.randint(1, 6)
    thing = rng.choice(["apples", "books", "stones", "cups", "birds", "boats"])
    name = rng.choice(NAMES)
    return (f"{name} had {NUMBER_WORDS[n]} {thing}. Then {name} found {NUMBER_WORDS[m]} more. "
            f"Now {name} has {NUMBER_WORDS[n + m]} {thing}. {n} and {m} make {n + m}.")


def fact_paragraph():
    return " ".join(rng.sample(FACTS, 3))


QUESTIONS = [
    (lambda a: f"What does a {a} do?", lambda a: f"A {a} {ANIMALS[a][0]} and {ANIMALS[a][1]}."),
    (lambda a: f"Tell me about the {a}.", lambda a: f"The {a} {ANIMALS[a][2]}. It also {ANIMALS[a][3]}."),
]


def dialogue():
    turns = []
    if rng.random() < 0.5:
        turns.append(("system", "You are a helpful assistant."))
    for _ in range(rng.randint(1, 2)):
        kind = rng.random()
        if kind < 0.5:
            animal = rng.choice(list(ANIMALS))
            q, a = rng.choice(QUESTIONS)
            turns += [("user", q(animal)), ("assistant", a(animal))]
        elif kind < 0.75:
            n, m = rng.randint(1, 6), rng.randint(1, 6)
            turns += [("user", f"What is {n} plus {m}?"), ("assistant", f"{n} plus {m} is {n + m}.")]
        else:
            name = rng.choice(NAMES)
            turns += [("user", f"Hello, my name is {name}."),
                      ("assistant", f"Hello {name}! How can I help you today?")]
    return "".join(f"<|im_start|>{role}\n{text}<|im_end|>\n" for role, text in turns)


def main():
    makers = [animal_paragraph, weather_paragraph, story_paragraph, counting_paragraph, fact_paragraph]
    parts = []
    size = 0
    while size < 320_000:
        text = dialogue() if rng.random() < 0.2 else rng.choice(makers)() + "\n\n"
        parts.append(text + "<|endoftext|>")
        size += len(text)
    out = pathlib.Path(__file__).with_name("corpus.txt")
    out.write_text("".join(parts), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
