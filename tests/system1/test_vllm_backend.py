"""System 1 on vLLM: each user's adapter registered by name, kept in step with the store.

vLLM is the network boundary here, so it is played by `FakeVLLM`: a real HTTP server on a
real socket that answers GET /v1/models, POST /v1/load_lora_adapter, POST
/v1/unload_lora_adapter and POST /v1/chat/completions with vLLM's shapes and error codes
(vllm/entrypoints/openai/models/serving.py). Like vLLM it reads the adapter from the path
it is sent; its completions name the adapter requested and a digest of the weights it
loaded, so a test can tell which adapter answered. The adapters are real (tiny Llama LoRA).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from system1.adapters import AdapterStore
from system1.backends.vllm import VLLMBackend, VLLMError
from system1.brain import LizardBrain

BASE = "base-model"


class FakeVLLM:
    """vLLM's runtime-LoRA surface, served for real on 127.0.0.1."""

    def __init__(self, runtime_lora: bool = True, max_lora_rank: int = 16):
        self.runtime_lora = runtime_lora  # VLLM_ALLOW_RUNTIME_LORA_UPDATING: without it the routes do not exist
        self.max_lora_rank = max_lora_rank
        self.loaded: dict[str, str] = {}  # name -> path, as vLLM's lora_requests
        self.weights: dict[str, str] = {}  # name -> sha256 of the weights read at load time
        self.calls: list[tuple[str, str, dict | None]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def posted(self, route: str) -> list[str]:
        return [body["lora_name"] for method, path, body in self.calls if path == f"/v1/{route}"]

    # -- vLLM's behaviour --------------------------------------------------------------

    def models(self):
        cards = [{"id": BASE, "object": "model", "owned_by": "vllm", "root": BASE, "parent": None}]
        cards += [{"id": name, "object": "model", "owned_by": "vllm", "root": path, "parent": BASE}
                  for name, path in self.loaded.items()]
        return 200, {"object": "list", "data": cards}

    def load(self, body):
        name, path = body.get("lora_name"), body.get("lora_path")
        if not name or not path:
            return _error("Both 'lora_name' and 'lora_path' must be provided.", "InvalidUserInput", 400)
        if name in self.loaded:
            return _error(f"The lora adapter '{name}' has already been loaded. If you want to load the adapter "
                          "in place, set 'load_inplace' to True.", "InvalidUserInput", 400)
        folder = Path(path)
        if not (folder / "adapter_config.json").is_file():
            return _error(f"Loading lora {name} failed: No adapter found for {path}", "NotFoundError", 404)
        rank = json.loads((folder / "adapter_config.json").read_text())["r"]
        if rank > self.max_lora_rank:
            return _error(f"LoRA rank {rank} is greater than max_lora_rank {self.max_lora_rank}.",
                          "BadRequestError", 400)
        self.loaded[name] = path
        self.weights[name] = hashlib.sha256((folder / "adapter_model.safetensors").read_bytes()).hexdigest()
        return 200, f"Success: LoRA adapter '{name}' added successfully."

    def unload(self, body):
        name = body.get("lora_name")
        if name not in self.loaded:
            return _error(f"The lora adapter '{name}' cannot be found.", "NotFoundError", 404)
        del self.loaded[name], self.weights[name]
        return 200, f"Success: LoRA adapter '{name}' removed successfully."

    def chat(self, body):
        model = body["model"]
        if model != BASE and model not in self.loaded:
            return _error(f"The model `{model}` does not exist.", "NotFoundError", 404)
        text = f"{model} {self.weights.get(model, 'base')[:12]}"
        return 200, {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": model,
                     "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                  "finish_reason": "stop"}],
                     "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}

    def _handler(self):
        fake = self
        routes = {("GET", "/v1/models"): lambda body: fake.models(),
                  ("POST", "/v1/chat/completions"): fake.chat}
        lora_routes = {("POST", "/v1/load_lora_adapter"): fake.load,
                       ("POST", "/v1/unload_lora_adapter"): fake.unload}

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                with fake.lock:
                    fake.calls.append((method, self.path, body))
                    handle = routes.get((method, self.path))
                    if handle is None and fake.runtime_lora:
                        handle = lora_routes.get((method, self.path))
                    status, payload = handle(body) if handle else (404, {"detail": "Not Found"})  # FastAPI's 404
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(payload, str) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def log_message(self, *args):
                pass

        return Handler


def _error(message: str, kind: str, code: int):
    return code, {"error": {"message": message, "type": kind, "param": None, "code": code}}


@pytest.fixture()
def vllm():
    served = FakeVLLM()
    yield served
    served.close()


def weights_sha(store: AdapterStore, version: str) -> str:
    return store.manifest(version)["files"]["adapter_model.safetensors"][:12]


def answered_by(backend: VLLMBackend) -> tuple[str, str | None]:
    thought = LizardBrain(backend).answer("Where does my sister live?")
    return thought.text, thought.adapter


def promoted(store: AdapterStore, factory, **kwargs) -> str:
    version = factory(store, **kwargs)
    store.promote(version)
    return version


def test_start_up_registers_the_current_adapter_by_user_and_version(vllm, tmp_path, adapter_factory):
    store = AdapterStore(tmp_path / "alice" / "adapters")
    v1 = promoted(store, adapter_factory, seed=1)

    backend = VLLMBackend(vllm.url, store, "alice", BASE)

    assert backend.adapter == v1
    assert vllm.loaded == {"alice-v0001": str(store.path(v1).resolve())}
    assert Path(vllm.loaded["alice-v0001"]).is_absolute()
    assert answered_by(backend) == (f"alice-v0001 {weights_sha(store, v1)}", v1)

    VLLMBackend(vllm.url, store, "alice", BASE)  # a second process: already served, so nothing is posted
    assert vllm.posted("load_lora_adapter") == ["alice-v0001"] and vllm.posted("unload_lora_adapter") == []


def test_a_relative_home_is_sent_as_an_absolute_path(vllm, tmp_path, adapter_factory, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = AdapterStore(Path("adapters"))  # vLLM would resolve this against its own working directory
    promoted(store, adapter_factory, seed=1)
    VLLMBackend(vllm.url, store, "alice", BASE)
    assert vllm.loaded["alice-v0001"] == str(tmp_path / "adapters" / "v0001")


def test_a_promotion_loads_the_new_adapter_switches_to_it_then_unloads_the_old(vllm, tmp_path, adapter_factory):
    store = AdapterStore(tmp_path / "adapters")
    v1 = promoted(store, adapter_factory, seed=1)
    backend = VLLMBackend(vllm.url, store, "alice", BASE)
    v2 = promoted(store, adapter_factory, seed=2, parent=v1)

    assert backend.reload() == v2  # what graphs/night.py calls after a night

    assert list(vllm.loaded) == ["alice-v0002"]
    assert [(m, p) for m, p, _ in vllm.calls if m == "POST" and "lora" in p][-2:] == [
        ("POST", "/v1/load_lora_adapter"), ("POST", "/v1/unload_lora_adapter")]  # never a moment without one
    text, adapter = answered_by(backend)
    assert (text, adapter) == (f"alice-v0002 {weights_sha(store, v2)}", v2)
    assert weights_sha(store, v1) != weights_sha(store, v2)


def test_a_promotion_by_another_process_is_served_at_the_next_completion(vllm, tmp_path, adapter_factory):
    store = AdapterStore(tmp_path / "adapters")
    v1 = promoted(store, adapter_factory, seed=1)
    backend = VLLMBackend(vllm.url, store, "alice", BASE)
    other_process = AdapterStore(tmp_path / "adapters")  # a night run by cron promotes; nobody calls reload here
    v2 = promoted(other_process, adapter_factory, seed=2, parent=v1)

    assert answered_by(backend) == (f"alice-v0002 {weights_sha(store, v2)}", v2)
    assert list(vllm.loaded) == ["alice-v0002"]


def test_a_rollback_re_registers_the_older_version(vllm, tmp_path, adapter_factory):
    store = AdapterStore(tmp_path / "adapters")
    v1 = promoted(store, adapter_factory, seed=1)
    v2 = promoted(store, adapter_factory, seed=2, parent=v1)
    backend = VLLMBackend(vllm.url, store, "alice", BASE)
    assert list(vllm.loaded) == ["alice-v0002"]

    store.rollback(v1)
    assert backend.reload() == v1

    assert list(vllm.loaded) == ["alice-v0001"]
    assert answered_by(backend) == (f"alice-v0001 {weights_sha(store, v1)}", v1)
    assert v2 in store.versions()


def test_after_a_vllm_restart_the_adapter_is_registered_again(vllm, tmp_path, adapter_factory):
    store = AdapterStore(tmp_path / "adapters")
    v1 = promoted(store, adapter_factory, seed=1)
    backend = VLLMBackend(vllm.url, store, "alice", BASE)
    vllm.loaded.clear()  # adapters loaded at run time do not survive a restart
    vllm.weights.clear()

    assert answered_by(backend) == (f"alice-v0001 {weights_sha(store, v1)}", v1)


def test_two_users_on_one_server_never_unload_each_others_adapters(vllm, tmp_path, adapter_factory):
    alice_store, bob_store = AdapterStore(tmp_path / "alice"), AdapterStore(tmp_path / "bob")
    a1 = promoted(alice_store, adapter_factory, seed=1)
    b1 = promoted(bob_store, adapter_factory, seed=3)
    alice = VLLMBackend(vllm.url, alice_store, "alice", BASE)
    bob = VLLMBackend(vllm.url, bob_store, "bob", BASE)
    assert sorted(vllm.loaded) == ["alice-v0001", "bob-v0001"]

    promoted(alice_store, adapter_factory, seed=2, parent=a1)
    alice.reload()
    bob.reload()

    assert sorted(vllm.loaded) == ["alice-v0002", "bob-v0001"]
    assert "bob-v0001" not in vllm.posted("unload_lora_adapter")
    assert answered_by(bob) == (f"bob-v0001 {weights_sha(bob_store, b1)}", b1)


def test_a_user_named_like_another_users_adapter_is_left_alone(vllm, tmp_path, adapter_factory):
    # User names may hold '-': "alice-v0001" is a user, and "alice-v0001-v0001" her adapter.
    store, lookalike_store = AdapterStore(tmp_path / "alice"), AdapterStore(tmp_path / "lookalike")
    promoted(lookalike_store, adapter_factory, seed=3)
    VLLMBackend(vllm.url, lookalike_store, "alice-v0001", BASE)
    a1 = promoted(store, adapter_factory, seed=1)
    alice = VLLMBackend(vllm.url, store, "alice", BASE)
    promoted(store, adapter_factory, seed=2, parent=a1)
    alice.reload()
    assert sorted(vllm.loaded) == ["alice-v0001-v0001", "alice-v0002"]


def test_without_an_adapter_the_base_answers_and_nothing_is_loaded(vllm, tmp_path):
    backend = VLLMBackend(vllm.url, AdapterStore(tmp_path / "adapters"), "alice", BASE)
    assert backend.adapter is None and vllm.loaded == {}
    assert answered_by(backend) == (f"{BASE} base", None)


def test_a_refused_load_names_the_adapter_the_reason_and_the_flags(tmp_path, adapter_factory):
    store = AdapterStore(tmp_path / "adapters")
    promoted(store, adapter_factory, seed=1)  # rank 4
    narrow = FakeVLLM(max_lora_rank=2)
    try:
        with pytest.raises(VLLMError) as caught:
            VLLMBackend(narrow.url, store, "alice", BASE)
    finally:
        narrow.close()
    message = str(caught.value)
    assert "refused to load" in message and "alice-v0001" in message and "HTTP 400" in message
    assert "LoRA rank 4 is greater than max_lora_rank 2" in message and "r=4" in message
    assert "--enable-lora --max-lora-rank 16" in message
    assert isinstance(caught.value, ConnectionError)  # the CLI and server report it as an unusable endpoint


def test_a_server_without_runtime_lora_updating_says_to_switch_it_on(tmp_path, adapter_factory):
    store = AdapterStore(tmp_path / "adapters")
    promoted(store, adapter_factory, seed=1)
    plain = FakeVLLM(runtime_lora=False)
    try:
        with pytest.raises(VLLMError, match="VLLM_ALLOW_RUNTIME_LORA_UPDATING=True vllm serve BASE --enable-lora"):
            VLLMBackend(plain.url, store, "alice", BASE)
    finally:
        plain.close()


def test_an_unreachable_server_says_how_to_start_vllm(tmp_path, adapter_factory):
    store = AdapterStore(tmp_path / "adapters")
    promoted(store, adapter_factory, seed=1)
    with socket.socket() as bound:  # bound, never listening: connecting is refused at once
        bound.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{bound.getsockname()[1]}/v1"
        with pytest.raises(ConnectionError) as caught:
            VLLMBackend(url, store, "alice", BASE)
    message = str(caught.value)
    assert url in message and "unreachable" in message
    assert "VLLM_ALLOW_RUNTIME_LORA_UPDATING=True vllm serve" in message and "REVERIE_SYSTEM1__BACKEND=local" in message


def test_the_cli_rollback_re_syncs_vllm(vllm, tmp_path, adapter_factory):
    # Here rather than in tests/reverie: it needs this module's vLLM. A real process, as a user runs it.
    home = tmp_path / "home"
    store = AdapterStore(home / "users" / "default" / "adapters")
    v1 = promoted(store, adapter_factory, seed=1)
    promoted(store, adapter_factory, seed=2, parent=v1)
    vllm.loaded["default-v0002"] = str(store.path("v0002"))
    vllm.weights["default-v0002"] = "v2"

    env = {**os.environ, "REVERIE_HOME": str(home), "REVERIE_SYSTEM1__BACKEND": "vllm",
           "REVERIE_SYSTEM1__BASE_URL": vllm.url, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-m", "reverie", "adapters", "rollback", v1, "--json"],
                          capture_output=True, env=env, timeout=300)

    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert json.loads(proc.stdout) == {"current": v1, "previous": "v0002"}
    assert list(vllm.loaded) == ["default-v0001"]
