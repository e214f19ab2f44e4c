"""The embedded System 2: the local base with the adapter switched off.

It shares the runtime (and so the loaded weights) with System 1, and cannot be trusted
to state a verdict, so its verdict is measured (see `system2.reasoner`).
"""

from __future__ import annotations

from typing import Sequence

from cognition.config import System2Settings
from cognition.runtime import LocalRuntime
from system2.prompts import deliberation_messages
from system2.reasoner import Deliberation, conclude


class EmbeddedReasoner:
    def __init__(self, runtime: LocalRuntime, settings: System2Settings | None = None,
                 embedder: str = "all-MiniLM-L6-v2"):
        self.runtime = runtime
        self.settings = settings or System2Settings()
        self.embedder = embedder
        self.name = f"embedded:{runtime.source.id}"

    def deliberate(self, message, memories, provocation, history=(), on_text=None, seed=None, max_tokens=None,
                   temperature=None) -> Deliberation:
        messages = deliberation_messages(message, memories, provocation, history, ask_verdict=False)
        # One paragraph: past it, a small model rambles (and a turn's cost is its length).
        g = self.runtime.chat(messages, adapter=False, max_new_tokens=max_tokens or self.settings.answer_tokens,
                              temperature=self.settings.temperature if temperature is None else temperature,
                              on_text=on_text, seed=seed, stop=("\n\n",), loops=True)
        return conclude(g.text, provocation, self.settings, self.embedder, g.seconds, g.first_token_s, g.note,
                        usage=(g.prompt_tokens, g.new_tokens))

    def complete(self, messages, *, max_tokens, temperature=0.0) -> str:
        return self.runtime.chat(messages, adapter=False, max_new_tokens=max_tokens, temperature=temperature).text

    def complete_many(self, batch: Sequence[list[dict[str, str]]], *, max_tokens: int, temperature: float = 0.0) -> list[str]:
        return [g.text for g in self.runtime.generate(list(batch), adapter=False, max_new_tokens=max_tokens,
                                                      temperature=temperature)]
