"""System 2 on any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp's server, Ollama…)."""

from __future__ import annotations

import os
import time

from cognition.config import System2Settings
from system2.prompts import deliberation_messages
from system2.reasoner import Deliberation, conclude


class EndpointError(ConnectionError):
    pass


class OpenAIReasoner:
    def __init__(self, settings: System2Settings, embedder: str = "all-MiniLM-L6-v2"):
        from openai import OpenAI

        if not settings.base_url:
            raise EndpointError("System 2 has no endpoint: set system2.base_url in config.toml or "
                                "REVERIE_SYSTEM2__BASE_URL (and system2.model)")
        self.settings = settings
        self.embedder = embedder
        self.base_url = settings.base_url
        self.model = settings.model or "default"
        key = settings.api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        self.client = OpenAI(base_url=settings.base_url, api_key=key, timeout=settings.timeout_s, max_retries=1)
        self.name = f"openai:{self.model}@{settings.base_url}"

    def _create(self, messages, max_tokens, temperature, stream=False):
        import openai

        extra = {"stream_options": {"include_usage": True}} if stream else {}
        try:
            return self.client.chat.completions.create(model=self.model, messages=messages, max_tokens=max_tokens,
                                                       temperature=temperature, stream=stream, **extra)
        except openai.APIConnectionError as exc:
            raise EndpointError(
                f"System 2's endpoint {self.base_url} is unreachable ({exc.__class__.__name__}). Start it, or fix "
                "system2.base_url / REVERIE_SYSTEM2__BASE_URL, or use the embedded model: "
                "REVERIE_SYSTEM2__BACKEND=embedded") from exc
        except openai.AuthenticationError as exc:
            raise EndpointError(f"System 2's endpoint {self.base_url} refused the key; set system2.api_key or "
                                "OPENAI_API_KEY") from exc
        except openai.NotFoundError as exc:
            raise EndpointError(f"System 2's endpoint {self.base_url} has no model {self.model!r}; "
                                "set system2.model / REVERIE_SYSTEM2__MODEL") from exc

    def deliberate(self, message, memories, provocation, history=(), on_text=None, seed=None, max_tokens=None,
                   temperature=None) -> Deliberation:
        messages = deliberation_messages(message, memories, provocation, history, ask_verdict=True)
        max_tokens = max_tokens or self.settings.answer_tokens
        temperature = self.settings.temperature if temperature is None else temperature
        started = time.perf_counter()
        first = None
        if on_text is None:
            reply = self._create(messages, max_tokens, temperature)
            raw = reply.choices[0].message.content or ""
            usage = reply.usage
        else:
            parts, usage = [], None
            for chunk in self._create(messages, max_tokens, temperature, stream=True):
                usage = getattr(chunk, "usage", None) or usage
                delta = chunk.choices[0].delta.content if chunk.choices else None
                if delta:
                    first = first or time.perf_counter() - started
                    parts.append(delta)
                    on_text(delta)
            raw = "".join(parts)
        counted = (usage.prompt_tokens, usage.completion_tokens) if usage else None
        return conclude(raw, provocation, self.settings, self.embedder, time.perf_counter() - started, first,
                        usage=counted)

    def complete(self, messages, *, max_tokens, temperature=0.0) -> str:
        reply = self._create(messages, max_tokens, temperature)
        return (reply.choices[0].message.content or "").strip()

    def complete_many(self, batch, *, max_tokens, temperature=0.0) -> list[str]:
        return [self.complete(m, max_tokens=max_tokens, temperature=temperature) for m in batch]
