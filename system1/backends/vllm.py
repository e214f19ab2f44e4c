"""System 1 served by vLLM: every user's adapter is a LoRA module named by its version.

vLLM exposes adapters loaded with `--lora-modules name=path` (or at run time through
`/v1/load_lora_adapter`) as models of the OpenAI-compatible API, so asking System 1 is
a chat completion whose model is `<user>-<version>`.
"""

from __future__ import annotations

import time

from system1.adapters import AdapterStore
from system1.backends import Completion


class VLLMBackend:
    def __init__(self, base_url: str, store: AdapterStore, user: str, base_model: str,
                 api_key: str | None = None, timeout_s: float = 60.0):
        from openai import OpenAI

        self.base_url = base_url
        self.store = store
        self.user = user
        self.base_model = base_model
        self.client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=1)
        self.adapter = store.resolve().version

    def model_name(self) -> str:
        return f"{self.user}-{self.adapter}" if self.adapter else self.base_model

    def complete(self, messages, *, max_tokens, temperature, seed=None, stop=()) -> Completion:
        import openai

        started = time.perf_counter()
        try:
            reply = self.client.chat.completions.create(
                model=self.model_name(), messages=messages, max_tokens=max_tokens, temperature=temperature, seed=seed,
                stop=[x for x in stop if x.strip()] or None)
        except openai.APIConnectionError as exc:
            raise ConnectionError(f"System 1's vLLM server at {self.base_url} is unreachable ({exc}); start it or set "
                                  "system1.backend = 'local' (REVERIE_SYSTEM1__BACKEND=local)") from exc
        return Completion((reply.choices[0].message.content or "").strip(), time.perf_counter() - started, self.adapter)

    def complete_many(self, batch, *, max_tokens, temperature, seed=None, stop=()) -> list[Completion]:
        return [self.complete(m, max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop) for m in batch]
