"""Shared fixtures: the embedded model (converted once per machine) and a tiny real Llama.

The tiny model is a 2-layer Llama built from a config with SmolLM2's tokenizer: real
weights, real generation, real LoRA, in well under a second per step on a CPU.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def models_dir() -> Path:
    path = Path(os.environ.get("REVERIE_MODELS_DIR") or REPO / ".cache" / "models")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def embedded(models_dir):
    """The converted SmolLM2-135M-Instruct (converted here if `make setup` has not)."""
    from cognition.config import DEFAULT_MODEL
    from cognition.models import resolve

    return resolve(DEFAULT_MODEL, models_dir)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, embedded) -> Path:
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(embedded.path)
    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         tie_word_embeddings=True, bos_token_id=tokenizer.bos_token_id,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    out = tmp_path_factory.mktemp("tiny-llama")
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_source(tiny_model_dir):
    from cognition.models import ModelSource

    return ModelSource("tiny-llama", tiny_model_dir)


@pytest.fixture()
def tiny_runtime(tiny_source):
    """A fresh runtime per test (adapters loaded by one test never leak into another)."""
    from cognition.runtime import LocalRuntime

    return LocalRuntime(tiny_source, dtype="float32", context_tokens=256)


@pytest.fixture()
def home(tmp_path, monkeypatch, models_dir):
    """An empty REVERIE_HOME that shares the converted models."""
    monkeypatch.setenv("REVERIE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REVERIE_MODELS_DIR", str(models_dir))
    return tmp_path / "home"


def make_adapter(store, base_dir: Path, seed: int = 1, scale: float = 0.5, parent: str | None = None) -> str:
    """Save a real LoRA adapter for the tiny model, with B non-zero so it changes the output."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "up_proj"], task_type="CAUSAL_LM")
    model = get_peft_model(base, config)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "lora_B" in name:
                param.copy_(torch.randn(param.shape, generator=generator) * scale)
    return store.save(lambda folder: model.save_pretrained(folder), {"parent": parent, "base": str(base_dir)})


@pytest.fixture()
def adapter_factory(tiny_model_dir):
    def factory(store, **kwargs):
        return make_adapter(store, tiny_model_dir, **kwargs)

    return factory


class ScriptedEndpoint:
    """A minimal OpenAI-compatible chat endpoint served for real on a socket: the network boundary
    of a capable System 2. `reply(body) -> str` says what it answers (set it per test)."""

    def __init__(self):
        import threading
        from http.server import ThreadingHTTPServer

        self.seen: list[dict] = []
        self.reply = lambda body: "OK"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        import json
        from http.server import BaseHTTPRequestHandler

        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.seen.append(body)
                text = endpoint.reply(body)
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for piece in (text[:10], text[10:]):
                        chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                                 "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                payload = {"id": "c", "object": "chat.completion", "created": 0, "model": body["model"],
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                        "finish_reason": "stop"}],
                           "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    def close(self):
        self.server.shutdown()


@pytest.fixture()
def endpoint():
    served = ScriptedEndpoint()
    yield served
    served.close()


@pytest.fixture()
def live_server():
    """Serve ASGI apps on real sockets for a test: `live_server(app).url`; all closed after it."""
    from reverie.server import ServerThread

    started: list[ServerThread] = []

    def serve(app) -> ServerThread:
        started.append(ServerThread(app))
        return started[-1]

    yield serve
    for server in started:
        server.close()
