"""System 1's prompts. Training (the sleep cycle) uses these same builders, so the
adapter learns in exactly the frame it is asked in."""

from __future__ import annotations

ASSOCIATE = ("You are the user's intuition. Reply with the first association that comes to mind "
             "about what they said, in one short sentence. Do not explain.")
# What System 1 and the turn say of the user's life where nothing was said (never an invention).
NOT_TOLD = "You haven't told me that."
ANSWER = "You are a personal assistant who knows the user well. Answer in one short sentence."


def associate_messages(message: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": ASSOCIATE}, {"role": "user", "content": message}]


def answer_messages(question: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": ANSWER}, {"role": "user", "content": question}]
