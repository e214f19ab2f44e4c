"""System 1 on the local runtime: the promoted adapter loaded onto the shared base.

One runtime may serve several users (the server): each user's adapter is loaded under
its own name (`runtime_name`), so two users' `v0001` never meet, and a user without an
adapter is answered by the bare base, never by whichever adapter happens to be active.
"""

from __future__ import annotations

import logging

from cognition.runtime import LocalRuntime
from system1.adapters import AdapterStore, runtime_name
from system1.backends import Completion

log = logging.getLogger(__name__)


class LocalBackend:
    def __init__(self, runtime: LocalRuntime, store: AdapterStore, user: str = "default", batched: bool = False):
        self.runtime = runtime
        self.store = store
        self.user = user
        self.batched = batched   # concurrent callers (the server) share generation passes
        self.refused: tuple[str, ...] = ()
        self.adapter: str | None = None
        self.reload()

    @property
    def name(self) -> str | None:
        return runtime_name(self.user, self.adapter) if self.adapter else None

    def reload(self) -> str | None:
        """Serve the promoted adapter (or its newest intact ancestor); None is the bare base."""
        resolved = self.store.resolve()
        self.refused = resolved.refused
        previous = self.name
        self.adapter = resolved.version
        if self.adapter is not None:
            self.runtime.load_adapter(self.name, resolved.path)
        if previous is not None and previous != self.name:
            self.runtime.unload_adapter(previous)
        return self.adapter

    def complete(self, messages, *, max_tokens, temperature, seed=None, stop=()) -> Completion:
        if self.batched:
            weights = (self.name, self.store.path(self.adapter)) if self.adapter else None
            g = self.runtime.batcher.submit(messages, weights, max_new_tokens=max_tokens, temperature=temperature,
                                            stop=stop, seed=seed)
            return Completion(g.text, g.seconds, self.adapter, g.note)
        return self.complete_many([messages], max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop)[0]

    def complete_many(self, batch, *, max_tokens, temperature, seed=None, stop=()) -> list[Completion]:
        with self.runtime.lock:
            if self.adapter is not None and self.runtime.adapter != self.name:
                self.runtime.load_adapter(self.name, self.store.path(self.adapter))  # or makes it active
            out = self.runtime.generate(batch, adapter=self.adapter is not None, max_new_tokens=max_tokens,
                                        temperature=temperature, seed=seed, stop=stop)
        return [Completion(g.text, g.seconds, self.adapter, g.note) for g in out]
