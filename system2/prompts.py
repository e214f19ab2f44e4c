"""System 2's prompts, shared by every backend."""

from __future__ import annotations

from typing import Sequence

PERSONA = ("You are Reverie, a personal assistant who remembers past conversations with this user. "
           "Use what you remember when it is relevant, and answer briefly and directly.")
MEMORIES = "What you remember from earlier conversations:\n{items}"
PROVOCATION = "A first intuition came to mind (it may be wrong or beside the point): \"{text}\""
ASK_VERDICT = ("After your answer, add one last line: 'Verdict: accept' if you used the intuition as it was, "
               "'Verdict: refine' if you corrected or built on it, or 'Verdict: discard' if you set it aside.")


def deliberation_messages(message: str, memories: Sequence[str], provocation: str | None,
                          history: Sequence[tuple[str, str]] = (), ask_verdict: bool = False) -> list[dict[str, str]]:
    system = [PERSONA]
    if memories:
        system.append(MEMORIES.format(items="\n".join(f"- {m}" for m in memories)))
    if provocation:
        system.append(PROVOCATION.format(text=provocation))
        if ask_verdict:
            system.append(ASK_VERDICT)
    messages = [{"role": "system", "content": "\n\n".join(system)}]
    for user, reply in history:
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": reply}]
    messages.append({"role": "user", "content": message})
    return messages
