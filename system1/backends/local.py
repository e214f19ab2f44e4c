"""System 1 on the local runtime: the promoted adapter loaded onto the shared base."""

from __future__ import annotations

import logging

from cognition.runtime import LocalRuntime
from system1.adapters import AdapterStore
from system1.backends import Completion

log = logging.getLogger(__name__)


class LocalBackend:
    def __init__(self, runtime: LocalRuntime, store: AdapterStore):
        self.runtime = runtime
        self.store = store
        self.refused: tuple[str, ...] = ()
        self.reload()

    def reload(self) -> str | None:
        """Serve the promoted adapter (or its newest intact ancestor); None is the bare base."""
        resolved = self.store.resolve()
        self.refused = resolved.refused
        if resolved.version is not None:
            self.runtime.load_adapter(resolved.version, resolved.path)
        elif self.runtime.adapter is not None:
            self.runtime.unload_adapter(self.runtime.adapter)
        self.adapter = resolved.version
        return self.adapter

    def complete(self, messages, *, max_tokens, temperature, seed=None, stop=()) -> Completion:
        return self.complete_many([messages], max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop)[0]

    def complete_many(self, batch, *, max_tokens, temperature, seed=None, stop=()) -> list[Completion]:
        with self.runtime.lock:
            if self.adapter is not None and self.runtime.adapter != self.adapter:
                self.runtime.load_adapter(self.adapter, self.store.path(self.adapter))
            out = self.runtime.generate(batch, adapter=True, max_new_tokens=max_tokens,
                                        temperature=temperature, seed=seed, stop=stop)
        return [Completion(g.text, g.seconds, self.adapter, g.note) for g in out]
