"""Where System 1 runs: the local runtime (transformers + peft) or a vLLM server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Completion:
    text: str
    seconds: float
    adapter: str | None
    note: str | None = None


class System1Backend(Protocol):
    """Completes System 1 prompts with the promoted adapter (or the bare base before one exists)."""

    adapter: str | None

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float,
                 seed: int | None = None, stop: tuple[str, ...] = ()) -> Completion: ...

    def complete_many(self, batch: list[list[dict[str, str]]], *, max_tokens: int, temperature: float,
                      seed: int | None = None) -> list[Completion]: ...
