"""The MCP surface as hosts use it: the official SDK's client against a real `reverie mcp`
subprocess over stdio, and against the streamable-HTTP transport mounted in a FastAPI app
on a real socket. The model is the tiny real Llama of the fixtures, its sampling seeded by
the settings (`seed`, 0), so nothing depends on chance; nothing here waits on a clock.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

REPO = Path(__file__).resolve().parents[2]
TOOLS = {"associate", "recall", "remember", "ask_closed_book", "status", "forget"}
# Generous: the first model call loads the model, and the machine may be busy.
TIMEOUT_S = 600


def stdio_server(home: Path, tiny_model_dir: Path, models_dir: Path) -> StdioServerParameters:
    # The SDK starts the server with only a few safe variables (PATH, HOME…) of ours: name the rest.
    env = {"REVERIE_MODELS_DIR": str(models_dir), "REVERIE_MODEL__ID": str(tiny_model_dir),
           "REVERIE_MODEL__DTYPE": "float32", "HF_HUB_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false"}
    return StdioServerParameters(command=sys.executable, args=["-m", "reverie", "mcp", "--home", str(home)],
                                 env=env, cwd=str(REPO))


def run_client(server, script, **client_kwargs):
    """Run `await script(client)` against `server` with the SDK's own client; its result."""
    async def main():
        with anyio.fail_after(TIMEOUT_S):
            async with Client(server, read_timeout_seconds=TIMEOUT_S, **client_kwargs) as client:
                return await script(client)

    return anyio.run(main)


def diary_files(home: Path, user: str = "default") -> list[Path]:
    return sorted((home / "users" / user / "memory").glob("*.md"))


def in_process(home: Path, tiny_model_dir: Path, message: str, question: str) -> tuple[str, str]:
    """What an agent of the same settings, built here in a home of its own, associates on `message`
    and answers closed-book to `question`: what the MCP tools must hand over unchanged."""
    from cognition.config import load_settings
    from graphs.agent import Agent

    agent = Agent(load_settings(home=str(home), model={"id": str(tiny_model_dir), "dtype": "float32"}))
    try:
        thought = agent.brain.associate(message, seed=agent.settings.seed)
        return thought.text, agent.ask_closed_book(question)["answer"]
    finally:
        agent.close()


def test_stdio_tools_associate_remember_recall_ask_and_status(home, tiny_model_dir, models_dir, tmp_path):
    async def script(client):
        listed = await client.list_tools()
        out = {"tools": {t.name: t for t in listed.tools}}
        for name, args in [("associate", {"message": "My sister Ilse lives in Ghent."}),
                           ("remember", {"text": "The spare key is under the blue flowerpot."}),
                           ("ask_closed_book", {"question": "Where does my sister live?"}),
                           ("status", {})]:
            out[name] = await client.call_tool(name, args)
        out["recall"] = await client.call_tool("recall", {"query": "Where is the spare key?", "k": 3})
        note_id = out["remember"].structured_content["id"]
        out["forget"] = await client.call_tool("forget", {"entry_id": note_id})
        out["forget_again"] = await client.call_tool("forget", {"entry_id": note_id})
        out["recall_after"] = await client.call_tool("recall", {"query": "Where is the spare key?", "k": 3})
        return out

    out = run_client(stdio_server(home, tiny_model_dir, models_dir), script)

    assert set(out["tools"]) == TOOLS
    for tool in out["tools"].values():
        assert tool.description and tool.output_schema, tool.name
    assert out["tools"]["remember"].annotations.read_only_hint is False
    assert out["tools"]["recall"].annotations.read_only_hint is True

    for name in ("associate", "remember", "ask_closed_book", "status", "recall"):
        assert not out[name].is_error, (name, out[name].content)

    # The tools' payloads are System 1's own: the same text an agent built here gives (they used to be
    # checked only for a non-empty text, a string answer and seconds >= 0).
    associated, answered = in_process(tmp_path / "in-process", tiny_model_dir, "My sister Ilse lives in Ghent.",
                                      "Where does my sister live?")
    provocation = out["associate"].structured_content
    assert provocation["text"].strip() and provocation["text"] == associated
    assert provocation["adapter"] is None and provocation["seconds"] > 0

    note = out["remember"].structured_content
    assert note["kind"] == "note" and note["id"]
    hits = out["recall"].structured_content["memories"]
    assert hits[0]["id"] == note["id"] and hits[0]["kind"] == "note"
    assert "The spare key is under the blue flowerpot." in hits[0]["text"]
    assert hits[0]["date"] == note["time"][:10]

    closed = out["ask_closed_book"].structured_content
    # The tiny model's weights are random and its greedy answer is blank lines: blank here too.
    assert closed["answer"] == answered and closed["adapter"] is None and closed["seconds"] > 0

    status = out["status"].structured_content
    assert status["user"] == "default" and status["diary"]["note"] == 1 and status["diary"]["exchange"] == 0
    # Forgotten, the note leaves recall and the diary keeps only its tombstone.
    assert not out["forget"].is_error and out["forget"].structured_content["id"] == note["id"]
    assert out["forget_again"].is_error and "no diary entry" in out["forget_again"].content[0].text
    assert out["recall_after"].structured_content["memories"] == []
    day = diary_files(home)[0].read_text()
    assert "flowerpot" not in day and note["id"] in day and "forgotten" in day


def test_stdio_errors_a_user_can_fix_are_tool_errors_and_write_nothing(home, tiny_model_dir, models_dir):
    # System 1 on a vLLM endpoint where nothing listens: the network boundary, refused at once.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    params = stdio_server(home, tiny_model_dir, models_dir)
    params.env.update({"REVERIE_SYSTEM1__BACKEND": "vllm",
                       "REVERIE_SYSTEM1__BASE_URL": f"http://127.0.0.1:{closed_port}/v1"})

    async def script(client):
        return {"empty_note": await client.call_tool("remember", {"text": "   \n"}),
                "empty_question": await client.call_tool("ask_closed_book", {"question": ""}),
                "unreachable": await client.call_tool("associate", {"message": "Hello there."}),
                "k_zero": await client.call_tool("recall", {"query": "anything", "k": 0}),
                "status": await client.call_tool("status", {})}

    out = run_client(params, script)

    text = {name: result.content[0].text for name, result in out.items()}
    assert out["empty_note"].is_error and "empty" in text["empty_note"] and "nothing was written" in text["empty_note"]
    assert out["empty_question"].is_error and "empty" in text["empty_question"]
    assert out["unreachable"].is_error and "unreachable" in text["unreachable"] and str(closed_port) in text["unreachable"]
    assert out["k_zero"].is_error and "greater than or equal to 1" in text["k_zero"]
    assert not out["status"].is_error and out["status"].structured_content["diary"]["note"] == 0
    assert diary_files(home) == []


def test_stdio_stdout_carries_only_protocol_messages(home, tiny_model_dir, models_dir):
    """stdout is the protocol channel: loading the model (progress bars, warnings) must not write to it."""
    params = stdio_server(home, tiny_model_dir, models_dir)
    requests = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "associate", "arguments": {"message": "My sister Ilse lives in Ghent."}}},
    ]
    proc = subprocess.Popen([params.command, *params.args], cwd=params.cwd, env={**os.environ, **params.env},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: list[bytes] = []

    def read_until_the_call_is_answered():
        for line in proc.stdout:
            lines.append(line)
            if json.loads(line).get("id") == 2:
                return

    reader = threading.Thread(target=read_until_the_call_is_answered, daemon=True)
    reader.start()
    proc.stdin.write(b"".join(json.dumps(r).encode() + b"\n" for r in requests))
    proc.stdin.flush()
    reader.join(TIMEOUT_S)
    proc.stdin.close()  # the host hangs up: the server ends on its own
    rc = proc.wait(TIMEOUT_S)
    stderr = proc.stderr.read().decode(errors="replace")
    assert not reader.is_alive(), f"no answer to the call; stdout {lines!r}, stderr {stderr[-2000:]}"
    messages = [json.loads(line) for line in lines]  # every line is JSON …
    assert all(m["jsonrpc"] == "2.0" for m in messages)  # … and JSON-RPC
    assert messages[-1]["result"]["structuredContent"]["text"].strip()
    assert rc == 0, stderr[-2000:]


# -- streamable HTTP, as the multi-user server mounts it -----------------------------------


@contextmanager
def Served(app):
    """The app on a real loopback socket for the block (its lifespan, and so MCP's session manager, running)."""
    from reverie.server import ServerThread

    server = ServerThread(app)
    try:
        yield server
    finally:
        server.close()


def test_http_transport_mounted_in_fastapi_routes_each_bearer_key_to_its_user(home):
    """The HTTP server's contract: a tool reaches the request's headers through its context."""
    import httpx2
    from fastapi import FastAPI
    from mcp.client.streamable_http import streamable_http_client

    from cognition.config import load_settings
    from graphs.agent import Agent
    from reverie.mcp import bearer_key, http_transport

    agents = {"key-alice": Agent(load_settings(user="alice")), "key-bob": Agent(load_settings(user="bob"))}

    def agent_for(ctx):
        key = bearer_key(ctx)
        if key not in agents:
            raise PermissionError("unknown API key; send Authorization: Bearer KEY")
        return agents[key]

    mcp = http_transport(agent_for)

    @asynccontextmanager
    async def lifespan(app):
        async with mcp.lifespan():
            yield

    app = FastAPI(lifespan=lifespan)
    app.add_route("/mcp", mcp.app, methods=["GET", "POST", "DELETE"])
    app.mount("/mounted", mcp.app)

    def call(url: str, key: str | None):
        async def main():
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            with anyio.fail_after(TIMEOUT_S):
                async with httpx2.AsyncClient(headers=headers) as http:
                    async with Client(streamable_http_client(url, http_client=http), read_timeout_seconds=60) as c:
                        return [t.name for t in (await c.list_tools()).tools], await c.call_tool("status", {})

        return anyio.run(main)

    with Served(app) as served:
        names, alice = call(f"{served.url}/mcp", "key-alice")
        _, bob = call(f"{served.url}/mounted/", "key-bob")
        _, redirected = call(f"{served.url}/mounted", "key-bob")  # the mount's 307 to /mounted/ is followed
        _, stranger = call(f"{served.url}/mcp", "key-eve")
        _, anonymous = call(f"{served.url}/mcp", None)

    assert set(names) == TOOLS
    assert alice.structured_content["user"] == "alice"
    assert bob.structured_content["user"] == "bob" and redirected.structured_content["user"] == "bob"
    for refused in (stranger, anonymous):
        assert refused.is_error and "unknown API key" in refused.content[0].text


@pytest.mark.parametrize("header, key", [("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("Basic abc", None),
                                         ("Bearer", None), ("", None)])
def test_bearer_key_reads_only_a_bearer_authorization(header, key):
    from mcp.server.context import ServerRequestContext
    from mcp.server.mcpserver import Context
    from starlette.requests import Request

    from reverie.mcp import bearer_key

    scope = {"type": "http", "method": "POST", "path": "/mcp", "headers": [(b"authorization", header.encode())]}
    request_context = ServerRequestContext(session=None, lifespan_context={}, protocol_version="2025-11-25",
                                           method="tools/call", request=Request(scope))
    assert bearer_key(Context(request_context=request_context)) == key
    assert bearer_key(Context(request_context=ServerRequestContext(
        session=None, lifespan_context={}, protocol_version="2025-11-25", method="tools/call"))) is None


def test_serve_mounts_mcp_behind_the_servers_keys(home):
    """`reverie serve`'s hook: each key acts as its user; a key the server does not know gets its 401."""
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    from cognition.config import load_settings
    from cognition.keys import KeyStore
    from reverie.mcp import mount
    from reverie.server import ServeOptions, create_app

    settings = load_settings(home=str(home))
    keys = {user: KeyStore(home).add(user)[1] for user in ("alice", "bob")}
    app = create_app(settings, ServeOptions(), extra_routes=mount)

    def status_of(url: str, key: str):
        async def main():
            with anyio.fail_after(TIMEOUT_S):
                async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as http:
                    async with Client(streamable_http_client(url, http_client=http), read_timeout_seconds=60) as c:
                        return await c.call_tool("status", {})

        return anyio.run(main)

    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}
    with Served(app) as served:
        url = f"{served.url}/mcp"
        alice, bob = status_of(url, keys["alice"]), status_of(url, keys["bob"])
        stranger = httpx2.post(url, json=initialize, headers={"Authorization": "Bearer rv-not-a-key",
                                                              "Accept": "application/json, text/event-stream"})
        anonymous = httpx2.post(url, json=initialize, headers={"Accept": "application/json, text/event-stream"})

    assert alice.structured_content["user"] == "alice" and bob.structured_content["user"] == "bob"
    for refused in (stranger, anonymous):
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_api_key"


def test_serve_without_keys_answers_only_requests_that_name_a_loopback_host(home):
    """Keyless means loopback only: a page that rebinds its own name to 127.0.0.1 must not reach the diary."""
    import httpx2

    from cognition.config import load_settings
    from reverie.mcp import mount
    from reverie.server import ServeOptions, create_app

    app = create_app(load_settings(home=str(home)), ServeOptions(user="carol"), extra_routes=mount)
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "status", "arguments": {}}}
    headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}
    with Served(app) as served:
        honest = httpx2.post(f"{served.url}/mcp", json=call, headers=headers)
        rebound = httpx2.post(f"{served.url}/mcp", json=call, headers={**headers, "Host": "evil.example:8000"})

    assert honest.status_code == 200, honest.text
    assert honest.json()["result"]["structuredContent"]["user"] == "carol"
    assert rebound.status_code == 403 and rebound.json()["error"]["code"] == "host_refused"
