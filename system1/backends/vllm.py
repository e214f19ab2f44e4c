"""System 1 served by vLLM: every user's adapter is a LoRA module named `<user>-<version>`.

vLLM serves LoRA adapters as models of its OpenAI-compatible API, so asking System 1 is
a chat completion whose model is `<user>-<version>` (`alice-v0003`). One vLLM server
holds many users' adapters on one base; each user's backend registers only its own.

Registration uses vLLM's runtime LoRA routes, which exist only when the server was
started with them switched on:

    VLLM_ALLOW_RUNTIME_LORA_UPDATING=True vllm serve BASE --enable-lora --max-lora-rank 16 --max-loras N

`POST /v1/load_lora_adapter {"lora_name", "lora_path"}` answers 200 with a plain-text
"Success: ..." or a JSON error (400 when the name is already loaded or the adapter does
not fit, 404 when there is no adapter at the path); `POST /v1/unload_lora_adapter
{"lora_name"}` answers 404 for a name it does not hold; `GET /v1/models` lists the base
and every loaded adapter (vllm/entrypoints/openai/models/serving.py, `OpenAIServingModels`).
Without the environment variable the two POST routes are missing (FastAPI's plain 404).

`sync()` makes the server serve what the store promotes: it loads `<user>-<version>` if
the server lacks it, then unloads this user's other versions (the one it replaced, or
one a crashed process left behind), never a name of another user. It runs at
construction, from `reload()` after a night or a rollback, and before a completion when
`adapters/CURRENT` changed since the last sync (a night in another process promoted).
A completion that vLLM answers with 404 for the adapter (vLLM restarted and forgot the
adapters loaded at run time) re-syncs once and asks again.

The path sent is the absolute path of the version directory under the user's home
(`store.path(version)`): vLLM reads the weights itself, so it must see the same
filesystem at the same path (same machine, or the home mounted at the same place).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from pathlib import Path

from system1.adapters import AdapterStore
from system1.backends import Completion

log = logging.getLogger(__name__)

START_VLLM = "VLLM_ALLOW_RUNTIME_LORA_UPDATING=True vllm serve BASE --enable-lora --max-lora-rank 16 --max-loras N"
_NOT_SYNCED = object()


class VLLMError(ConnectionError):
    """vLLM answered but refused what System 1 needs from it; the message says what to do.

    A ConnectionError, so every surface that reports an unusable System 1 endpoint (the
    CLI's error line, the server's) reports this one the same way.
    """


class VLLMBackend:
    def __init__(self, base_url: str, store: AdapterStore, user: str, base_model: str,
                 api_key: str | None = None, timeout_s: float = 60.0):
        """`base_url` is vLLM's OpenAI URL, ending in /v1 (http://localhost:8000/v1)."""
        import httpx
        from openai import OpenAI

        self.base_url = base_url.rstrip("/")
        self.store = store
        self.user = user
        self.base_model = base_model
        self.client = OpenAI(base_url=self.base_url, api_key=api_key or "not-needed", timeout=timeout_s, max_retries=1)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.Client(base_url=self.base_url + "/", headers=headers, timeout=timeout_s)
        self.adapter: str | None = None
        self.refused: tuple[str, ...] = ()
        self._ours = re.compile(re.escape(user) + r"-v\d{4,}")  # versions are v0001…: no other user's name matches
        self._lock = threading.RLock()
        self._synced_current: object = _NOT_SYNCED
        self.sync()

    def name(self, version: str) -> str:
        return f"{self.user}-{version}"

    def model_name(self) -> str:
        return self.name(self.adapter) if self.adapter else self.base_model

    # -- registration ---------------------------------------------------------------

    def served(self) -> set[str]:
        """The model names vLLM serves now: the base and every loaded adapter."""
        reply = self._request("GET", "models")
        if reply.status_code != 200:
            raise VLLMError(f"vLLM at {self.base_url} answered GET /models with HTTP {reply.status_code}: "
                            f"{_error_message(reply)}")
        return {m["id"] for m in reply.json().get("data", [])}

    def sync(self) -> str | None:
        """Make vLLM serve the store's adapter as `<user>-<version>`; return the version (None: the bare base)."""
        with self._lock:
            current = self.store.current()  # read before resolving: a promotion in between syncs again
            resolved = self.store.resolve()
            served = self.served()
            keep = self.name(resolved.version) if resolved.version else None
            if keep and keep not in served:
                self._load(keep, resolved.path)
            self.adapter, self.refused, self._synced_current = resolved.version, resolved.refused, current
            for stale in sorted(n for n in served if n != keep and self._ours.fullmatch(n)):
                self._unload(stale)
            return self.adapter

    def reload(self) -> str | None:
        """Serve the promoted adapter (or its newest intact ancestor), as LocalBackend.reload does."""
        return self.sync()

    def _load(self, name: str, path: Path) -> None:
        path = Path(path).resolve()  # vLLM resolves a relative path against its own working directory
        reply = self._request("POST", "load_lora_adapter", {"lora_name": name, "lora_path": str(path)})
        if reply.status_code == 200:
            log.info("vLLM at %s serves %s from %s", self.base_url, name, path)
            return
        message = _error_message(reply)
        if reply.status_code == 400 and "already been loaded" in message:
            return  # another process of this user registered it between our GET and this POST
        if _route_missing(reply):
            raise VLLMError(f"vLLM at {self.base_url} has no runtime LoRA routes (POST /load_lora_adapter: "
                            f"HTTP 404), so System 1's adapter {name} cannot be registered. Start it with "
                            f"runtime LoRA updating on: {START_VLLM}")
        raise VLLMError(f"vLLM at {self.base_url} refused to load System 1's adapter {name} from {path} "
                        f"(HTTP {reply.status_code}: {message}). vLLM must read that same path on its own "
                        f"filesystem and run with LoRA on and a rank limit at least the adapter's "
                        f"(r={_rank(path)}): {START_VLLM}")

    def _unload(self, name: str) -> None:
        reply = self._request("POST", "unload_lora_adapter", {"lora_name": name})
        if reply.status_code == 200 or (reply.status_code == 404 and not _route_missing(reply)):
            return  # unloaded, or already gone
        # The right adapter is served already; a leftover only holds a slot, so say so and go on.
        log.warning("vLLM at %s did not unload %s (HTTP %s: %s)", self.base_url, name, reply.status_code,
                    _error_message(reply))

    def _request(self, method: str, path: str, body: dict | None = None):
        import httpx

        try:
            return self.http.request(method, path, json=body)
        except httpx.TransportError as exc:
            raise ConnectionError(
                f"System 1's vLLM server at {self.base_url} is unreachable ({exc!r}); start it with {START_VLLM} "
                "(it must see the adapters at the paths under REVERIE_HOME), or set system1.backend = 'local' "
                "(REVERIE_SYSTEM1__BACKEND=local)") from exc

    # -- completions ----------------------------------------------------------------

    def complete(self, messages, *, max_tokens, temperature, seed=None, stop=()) -> Completion:
        import openai

        if self.store.current() != self._synced_current:
            self.sync()  # promoted or rolled back by another process (a night run by cron, the CLI)
        started = time.perf_counter()
        try:
            adapter, reply = self._create(messages, max_tokens, temperature, seed, stop)
        except openai.NotFoundError:
            if self.adapter is None:
                raise
            self.sync()  # vLLM restarted (adapters loaded at run time are gone) or another process unloaded ours
            adapter, reply = self._create(messages, max_tokens, temperature, seed, stop)
        return Completion((reply.choices[0].message.content or "").strip(), time.perf_counter() - started, adapter)

    def _create(self, messages, max_tokens, temperature, seed, stop):
        import openai

        adapter = self.adapter
        try:
            reply = self.client.chat.completions.create(
                model=self.name(adapter) if adapter else self.base_model, messages=messages, max_tokens=max_tokens,
                temperature=temperature, seed=seed, stop=[x for x in stop if x.strip()] or None)
        except openai.APIConnectionError as exc:
            raise ConnectionError(f"System 1's vLLM server at {self.base_url} is unreachable ({exc}); start it or set "
                                  "system1.backend = 'local' (REVERIE_SYSTEM1__BACKEND=local)") from exc
        return adapter, reply

    def complete_many(self, batch, *, max_tokens, temperature, seed=None, stop=()) -> list[Completion]:
        return [self.complete(m, max_tokens=max_tokens, temperature=temperature, seed=seed, stop=stop) for m in batch]

    def close(self) -> None:
        self.http.close()
        self.client.close()


def _error_message(reply) -> str:
    """vLLM's error text: `{"error": {"message"}}` (recent), `{"message"}` (older), FastAPI's `{"detail"}`."""
    try:
        body = reply.json()
    except ValueError:
        return reply.text.strip()[:500]
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        return str(inner.get("message") or inner.get("detail") or body)[:500]
    return str(body)[:500]


def _route_missing(reply) -> bool:
    """FastAPI's 404 for a route that does not exist, as opposed to vLLM's own NotFoundError."""
    if reply.status_code != 404:
        return False
    try:
        body = reply.json()
    except ValueError:
        return True
    return not (isinstance(body, dict) and ("error" in body or body.get("object") == "error"))


def _rank(path: Path) -> str:
    try:
        return str(json.loads((path / "adapter_config.json").read_text(encoding="utf-8"))["r"])
    except (OSError, ValueError, KeyError):
        return "?"
