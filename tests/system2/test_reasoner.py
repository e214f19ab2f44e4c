"""System 2: verdicts stated and measured, and the OpenAI-compatible backend over a real socket."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cognition.config import System2Settings
from system2.openai_backend import EndpointError, OpenAIReasoner
from system2.prompts import deliberation_messages
from system2.reasoner import conclude, measure_verdict, split_stated_verdict


def test_a_stated_verdict_is_split_from_the_answer():
    answer, verdict = split_stated_verdict("Your sister lives in Ghent.\nVerdict: Refine")
    assert (answer, verdict) == ("Your sister lives in Ghent.", "refine")
    assert split_stated_verdict("No verdict here.") == ("No verdict here.", None)


def test_measured_verdicts_follow_similarity():
    settings = System2Settings()
    verdict, sim = measure_verdict("Ilse lives in Ghent.", "Ilse lives in Ghent.", settings)
    assert verdict == "accept" and sim > 0.99
    verdict, sim = measure_verdict("The stock market fell sharply today.", "Your sister lives in Ghent.", settings)
    assert verdict == "discard" and sim < settings.refine_at


def test_conclude_prefers_a_stated_verdict_and_reports_the_measured_similarity():
    d = conclude("She lives in Ghent.\nverdict: discard", "Ilse lives in Ghent.", System2Settings(),
                 "all-MiniLM-L6-v2", 0.1)
    assert d.verdict == "discard" and d.verdict_source == "stated" and d.similarity > 0.5
    assert d.answer == "She lives in Ghent."


def test_an_empty_answer_falls_back_to_the_provocation():
    d = conclude("   ", "Ghent, probably.", System2Settings(), "all-MiniLM-L6-v2", 0.1)
    assert d.answer == "Ghent, probably." and d.verdict == "accept" and d.verdict_source == "fallback"


def test_the_prompt_carries_memories_provocation_and_history():
    msgs = deliberation_messages("Where does she live?", ["ilse lives in ghent"], "Ghent?", [("hi", "hello")],
                                 ask_verdict=True)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
    assert "ilse lives in ghent" in msgs[0]["content"] and "Ghent?" in msgs[0]["content"]
    assert "Verdict:" in msgs[0]["content"]


class _Endpoint(BaseHTTPRequestHandler):
    """A minimal OpenAI-compatible chat endpoint: the true network boundary, served for real."""

    seen: list[dict] = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(body)
        text = "Your sister Ilse lives in Ghent.\nVerdict: accept"
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
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                   "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def endpoint():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Endpoint.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_backend_deliberates_with_a_stated_verdict(endpoint):
    reasoner = OpenAIReasoner(System2Settings(backend="openai", base_url=endpoint, model="big"))
    d = reasoner.deliberate("Where does my sister live?", ["Ilse lives in Ghent"], "Ghent?")
    assert d.answer == "Your sister Ilse lives in Ghent." and d.verdict == "accept" and d.verdict_source == "stated"
    assert _Endpoint.seen[0]["model"] == "big"
    streamed: list[str] = []
    d = reasoner.deliberate("Where does my sister live?", [], "Ghent?", on_text=streamed.append)
    assert "".join(streamed).startswith("Your sister") and d.first_token_s is not None


def test_an_unreachable_endpoint_names_the_url_and_what_to_set():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    reasoner = OpenAIReasoner(System2Settings(backend="openai", base_url=url, model="m", timeout_s=2))
    with pytest.raises(EndpointError) as err:
        reasoner.deliberate("Hello", [], None)
    assert url in str(err.value) and "REVERIE_SYSTEM2__BASE_URL" in str(err.value)
