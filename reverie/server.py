"""reverie over HTTP: the OpenAI chat-completions protocol, and reverie's own routes.

Any OpenAI client, or a coordinating model's tool layer, talks to reverie as to a model:

- `reverie` is one coordinated turn: the last user message is the turn, the messages
  before it its history (the client carries the conversation, as OpenAI clients do);
  the reply is System 2's answer;
- `reverie-system1` is System 1 alone, no retrieval: its provocation on the last
  message, or with `"reverie": {"mode": "closed_book"}` its closed-book answer;
- `reverie-no-system1` is the turn with System 1 off (the ablation).

What a plain client would not expect (System 1's provocation, the verdict, the memory
ids, the diary entry) travels in an extra `reverie` object: on the response, or on a
last chunk with no choices when streaming. `"reverie": {"record": false}` in the body
answers without writing anything.

Each request acts as one user: the owner of its `Authorization: Bearer` key, or, when
the home has no keys, the server's one user (and then the command binds to loopback
only). Agents are opened per user on first use and share the process's one base model;
System 1 calls of concurrent turns are generated together (`cognition.runtime.Batcher`),
and model work is granted in arrival order. The app comes from `create_app`, so tests
run it over a real socket with uvicorn.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import threading
import time
import uuid
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Literal

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from cognition.config import Settings
from cognition.keys import KeyStore
from graphs.agent import Agent, EmptyMessage, validate_message

log = logging.getLogger("reverie.server")

MODELS = {
    "reverie": "one coordinated turn: recall and System 1's provocation, then System 2's answer",
    "reverie-system1": "System 1 alone, no retrieval: its provocation, or its closed-book answer",
    "reverie-no-system1": "the coordinated turn with System 1 off (the ablation)",
}
MAX_TOKENS = 4096
LOOPBACK = ("127.0.0.1", "::1", "localhost")


# -- errors, as OpenAI shapes them ------------------------------------------------------


class APIError(Exception):
    def __init__(self, status: int, message: str, type_: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type_, param, code

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status)


def _internal(exc: BaseException, what: str) -> APIError:
    """A crash: logged with an id the client is given, never its traceback."""
    error_id = "err-" + secrets.token_hex(6)
    log.error("%s failed (%s)", what, error_id, exc_info=exc)
    return APIError(500, f"reverie failed inside {what}; the server log names this error {error_id}. "
                         "What the user said is already in the diary.", "server_error", code=error_id)


# -- the request ---------------------------------------------------------------------------


class _Loose(BaseModel):
    # OpenAI clients send fields reverie has no use for (top_p, logprobs, …): accepted, ignored.
    model_config = ConfigDict(extra="allow")


class ContentPart(_Loose):
    type: str
    text: str | None = None


class Message(_Loose):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(p.text or "" for p in self.content if p.type in ("text", "input_text"))
        return self.content or ""


class StreamOptions(_Loose):
    include_usage: bool = False


class ReverieOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    record: bool = Field(True, description="Write the exchange to the diary (false: answer and forget).")
    mode: Literal["provocation", "closed_book"] = Field(
        "provocation", description="reverie-system1 only: its provocation, or its closed-book answer.")


class ChatRequest(_Loose):
    # Any string is read (an unknown model is a 404 that names the served ones); the schema lists them.
    model: str = Field(json_schema_extra={"enum": list(MODELS)})
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(None, ge=1, le=MAX_TOKENS)
    max_completion_tokens: int | None = Field(None, ge=1, le=MAX_TOKENS)
    n: int | None = Field(None, ge=1, le=1, description="reverie gives one answer.")
    reverie: ReverieOptions = Field(default_factory=ReverieOptions)

    def limit(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens

    def turn(self) -> tuple[str, list[tuple[str, str]]]:
        """The last user message, and the user/assistant pairs before it."""
        last = max((i for i, m in enumerate(self.messages) if m.role == "user"), default=None)
        if last is None:
            raise APIError(400, "messages hold no user message; the last user message is the turn", param="messages")
        text = self.messages[last].text()
        if not text.strip():
            raise APIError(400, "the last user message is empty; say something", param="messages")
        history, pending = [], None
        for m in self.messages[:last]:
            if m.role == "user":
                pending = m.text()
            elif m.role == "assistant" and pending is not None:
                history.append((pending, m.text()))
                pending = None
        return text, history


class NoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description="A note for the diary, indexed for recall.")


# -- users, their agents and their nights ---------------------------------------------------


@dataclass
class SleepJob:
    id: str
    user: str
    status: Literal["running", "done", "failed"] = "running"
    started: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    finished: str | None = None
    summary: dict | None = None
    error: str | None = None
    phase: str | None = None
    step: list[int] | None = None


class Users:
    """One agent per user, opened on first use; all share the process's one base model."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._agents: dict[str, Agent] = {}
        self._lock = threading.Lock()
        self.jobs: dict[str, SleepJob] = {}
        self._night = threading.Lock()   # one night at a time in a process: training takes every core

    def agent(self, user: str) -> Agent:
        with self._lock:
            if user not in self._agents:
                settings = self.settings.model_copy(deep=True)
                settings.user = user   # validated on assignment: no separators, no '..'
                self._agents[user] = Agent(settings, serving=True)
            return self._agents[user]

    def sleep(self, user: str) -> SleepJob:
        """Start a night for `user` in a thread; one per user at a time (409 otherwise)."""
        with self._lock:
            running = next((j for j in self.jobs.values() if j.user == user and j.status == "running"), None)
            if running is not None:
                raise APIError(409, f"a night is already running for this user (job {running.id}); "
                               f"follow it at /v1/reverie/sleep/{running.id}", code="sleep_running")
            job = SleepJob("sleep-" + uuid.uuid4().hex[:12], user)
            self.jobs[job.id] = job
        threading.Thread(target=self._night_of, args=(job,), name=f"night-{user}", daemon=True).start()
        return job

    def _night_of(self, job: SleepJob) -> None:
        from graphs.night import Night, summary

        def event(e: dict) -> None:
            if "phase" in e and not e.get("done"):
                job.phase = e["phase"]
            if "step" in e:
                job.step = [e["step"], e["of"]]

        try:
            with self._night:
                job.summary = summary(Night(self.agent(job.user), on_event=event).run(priority=False))
            job.status = "done"
        except Exception as exc:
            log.error("the night of %s failed (job %s)", job.user, job.id, exc_info=exc)
            job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
        job.finished = datetime.now(timezone.utc).isoformat(timespec="seconds")

    def close(self) -> None:
        with self._lock:
            for agent in self._agents.values():
                agent.close()
            self._agents.clear()


# -- the app ---------------------------------------------------------------------------------


@dataclass
class ServeOptions:
    user: str = "default"                 # who the server acts for when the home has no keys
    max_body_bytes: int = 1024 * 1024


def create_app(settings: Settings, options: ServeOptions | None = None,
               extra_routes: Callable[[FastAPI, Callable[[Request], str], Users], None] | None = None) -> FastAPI:
    """The server's app. `extra_routes(app, user_of, users)` mounts more surfaces (MCP) behind the same
    keys; what they must run while the server runs goes into `app.state.lifespans`."""
    options = options or ServeOptions()
    keys = KeyStore(settings.home)
    users = Users(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with AsyncExitStack() as stack:
            for enter in app.state.lifespans:   # what mounted surfaces must run while serving
                await stack.enter_async_context(enter())
            try:
                yield
            finally:
                users.close()

    app = FastAPI(title="reverie", version=_version(), lifespan=lifespan,
                  description="A local language model that learns in its sleep, served with the OpenAI "
                              "chat-completions protocol. Models: " + "; ".join(f"`{k}`: {v}" for k, v in MODELS.items()))
    app.state.users = users
    app.state.lifespans = []
    app.add_middleware(BodyLimit, limit=options.max_body_bytes)

    def user_of(request: Request) -> str:
        """Who this request acts for: the key's owner, or the server's user when the home has no keys."""
        if not keys.any():
            # Keyless, the server listens on loopback only; a web page that rebinds its own
            # name to 127.0.0.1 still sends its own Host, and is refused here.
            host = (request.url.hostname or "").strip("[]")
            if host not in LOOPBACK:
                raise APIError(403, f"a server without keys answers only to loopback names, not {host!r}; "
                                    "add a key (`reverie keys add USER`) to serve other names", code="host_refused")
            return options.user
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise APIError(401, "this server needs an API key: send 'Authorization: Bearer KEY' "
                                "(make one with `reverie keys add USER`)", code="invalid_api_key")
        user = keys.user_for(token.strip())
        if user is None:
            raise APIError(401, "the API key is not known here (revoked, or from another home)",
                           code="invalid_api_key")
        return user

    @app.exception_handler(APIError)
    async def _api_error(request: Request, exc: APIError):
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = "the body is not valid JSON" if first.get("type") == "json_invalid" else \
            f"{where or 'body'}: {first.get('msg')}"
        return APIError(400, message, param=where or None).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return APIError(exc.status_code, str(exc.detail), "invalid_request_error").response()

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict:
        """Alive, and what it serves (no key needed)."""
        return {"status": "ok", "version": _version(), "models": list(MODELS)}

    @app.get("/v1/models", tags=["openai"])
    async def list_models(user: str = Depends(user_of)) -> dict:
        """The three models, in OpenAI's list shape."""
        return {"object": "list", "data": [{"id": m, "object": "model", "created": 0, "owned_by": "reverie",
                                            "description": d} for m, d in MODELS.items()]}

    @app.get("/v1/models/{model}", tags=["openai"])
    async def get_model(model: str, user: str = Depends(user_of)) -> dict:
        _known(model)
        return {"id": model, "object": "model", "created": 0, "owned_by": "reverie", "description": MODELS[model]}

    @app.post("/v1/chat/completions", tags=["openai"])
    async def chat_completions(body: ChatRequest, user: str = Depends(user_of)):
        """A chat completion from one of the three models (streamed as server-sent events with `stream`)."""
        _known(body.model)
        text, history = body.turn()
        try:
            validate_message(text)
        except ValueError as exc:
            raise APIError(400, str(exc), param="messages") from None
        agent = users.agent(user)
        call = _Call(agent, body, text, history)
        if body.stream:
            return StreamingResponse(call.events(), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
        return await call.complete()

    @app.get("/v1/reverie/memories", tags=["reverie"])
    async def search_memories(q: str = Query(..., min_length=1, max_length=4096, description="What to look for."),
                              k: int = Query(5, ge=1, le=50), user: str = Depends(user_of)) -> dict:
        """The diary entries nearest to a query, with ids and dates."""
        agent = users.agent(user)
        hits = await _run(lambda: agent.index.search(q, k=k), "memory search")
        return {"memories": [h.to_json() for h in hits]}

    @app.post("/v1/reverie/memories", status_code=201, tags=["reverie"])
    async def add_note(body: NoteRequest, user: str = Depends(user_of)) -> dict:
        """A note into the diary, indexed at once; its id comes back."""
        try:
            validate_message(body.text)
        except ValueError as exc:
            raise APIError(400, str(exc), param="text") from None
        agent = users.agent(user)

        def write():
            entry = agent.diary.write("note", body.text)
            agent.index.add([entry])
            return entry

        entry = await _run(write, "writing a note")
        return {"id": entry.id, "date": entry.day.isoformat(), "kind": entry.kind}

    @app.delete("/v1/reverie/memories/{entry}", tags=["reverie"])
    async def forget_memory(entry: str, user: str = Depends(user_of)) -> dict:
        """Forget a diary entry: a tombstone in the diary, out of the index and the replay buffer."""
        agent = users.agent(user)
        result = await _run(lambda: agent.forget([entry]), "forgetting")
        if not result["forgotten"]:
            raise APIError(404, f"no diary entry {entry!r} for this user", param="entry", code="not_found")
        return result

    @app.get("/v1/reverie/status", tags=["reverie"])
    async def user_status(user: str = Depends(user_of)) -> dict:
        """Chemistry, the adapter served, the last sleep and the diary's size."""
        agent = users.agent(user)
        return await _run(agent.status, "status")

    @app.post("/v1/reverie/sleep", status_code=202, tags=["reverie"])
    async def sleep_now(user: str = Depends(user_of)) -> dict:
        """Consolidate now, in the background: 202 and a job to follow (one night at a time per user)."""
        job = users.sleep(user)
        return {"job": job.id, "status": job.status, "follow": f"/v1/reverie/sleep/{job.id}"}

    @app.get("/v1/reverie/sleep/{job}", tags=["reverie"])
    async def sleep_job(job: str, user: str = Depends(user_of)) -> dict:
        """A night's progress, and its summary once done."""
        found = users.jobs.get(job)
        if found is None or found.user != user:
            raise APIError(404, f"no sleep job {job!r} for this user", code="not_found")
        return {k: v for k, v in found.__dict__.items() if k != "user"}

    if extra_routes is not None:
        extra_routes(app, user_of, users)
    return app


def _known(model: str) -> None:
    if model not in MODELS:
        raise APIError(404, f"the model {model!r} does not exist here; served: {', '.join(MODELS)}",
                       param="model", code="model_not_found")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reverie")
    except PackageNotFoundError:   # run from a source tree that was never installed
        return "0.0.0"


async def _run(fn: Callable[[], Any], what: str) -> Any:
    """Blocking work in a worker thread; a failure a user can fix is a 400, a crash a 500 with an id."""
    try:
        return await anyio.to_thread.run_sync(fn)
    except APIError:
        raise
    except (EmptyMessage, ValueError) as exc:
        raise APIError(400, str(exc)) from None
    except ConnectionError as exc:
        raise APIError(502, str(exc), "upstream_error") from None
    except Exception as exc:
        raise _internal(exc, what) from None


# -- one completion --------------------------------------------------------------------------


class _Call:
    """One chat completion: the work in a worker thread, its answer whole or as events."""

    def __init__(self, agent: Agent, body: ChatRequest, text: str, history: list[tuple[str, str]]):
        self.agent, self.body, self.text, self.history = agent, body, text, history
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.created = int(time.time())

    def work(self, on_text: Callable[[str], None] | None) -> tuple[str, dict, tuple[int, int]]:
        """The answer, the `reverie` extension and (prompt, completion) tokens."""
        body, agent = self.body, self.agent
        if body.model == "reverie-system1":
            if body.reverie.mode == "closed_book":
                thought = agent.brain.answer(self.text, max_tokens=body.limit())
            else:
                thought = agent.brain.associate(self.text, max_tokens=body.limit(), temperature=body.temperature)
            if on_text is not None and thought.text:
                on_text(thought.text)
            extension = {"mode": body.reverie.mode, "adapter": thought.adapter, "recorded": False,
                         "seconds": round(thought.seconds, 4), "notes": [thought.note] if thought.note else []}
            return thought.text, extension, (self._count(self.text), self._count(thought.text))
        result = agent.say(self.text, system1=body.model == "reverie", on_text=on_text, record=body.reverie.record,
                           history=self.history, max_tokens=body.limit(), temperature=body.temperature)
        extension = {"system1": result.system1, "verdict": result.verdict, "verdict_source": result.verdict_source,
                     "memories": result.memories, "adapter": result.adapter, "entry": result.entry,
                     "recorded": body.reverie.record, "category": result.category, "timings": result.timings,
                     "notes": result.notes}
        usage = result.usage or (self._count(self.text), self._count(result.answer))
        return result.answer, extension, usage

    def _count(self, text: str) -> int:
        """Tokens by the base's tokenizer where it is loaded; else words (a remote System 1 and 2)."""
        if "runtime" in self.agent.__dict__:
            return self.agent.runtime.count(text)
        return len(text.split())

    def _usage(self, tokens: tuple[int, int]) -> dict:
        return {"prompt_tokens": tokens[0], "completion_tokens": tokens[1], "total_tokens": sum(tokens)}

    def _finish(self, tokens: tuple[int, int]) -> str:
        limit = self.body.limit()
        return "length" if limit is not None and tokens[1] >= limit else "stop"

    async def complete(self) -> JSONResponse:
        answer, extension, tokens = await _run(lambda: self.work(None), f"a {self.body.model} turn")
        return JSONResponse({
            "id": self.id, "object": "chat.completion", "created": self.created, "model": self.body.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                         "finish_reason": self._finish(tokens), "logprobs": None}],
            "usage": self._usage(tokens), "reverie": extension})

    def _chunk(self, delta: dict | None, finish: str | None = None, **extra) -> str:
        choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]
        payload = {"id": self.id, "object": "chat.completion.chunk", "created": self.created,
                   "model": self.body.model, "choices": choices, **extra}
        return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"

    async def events(self):
        """OpenAI's stream: a role chunk, content deltas, a finish chunk, then the extension (and usage).

        The turn runs to its end in its thread even if the client goes away, so the diary
        always holds the whole exchange, never half of one.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        done = object()

        def on_text(text: str) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, text)

        async def run():
            try:
                return await _run(lambda: self.work(on_text), f"a {self.body.model} turn")
            finally:
                queue.put_nowait(done)

        task = asyncio.ensure_future(run())
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)
        yield self._chunk({"role": "assistant", "content": ""})
        sent = ""
        while (item := await queue.get()) is not done:
            sent += item
            yield self._chunk({"content": item})
        try:
            answer, extension, tokens = await task
        except APIError as exc:
            yield f"data: {json.dumps(exc.body(), ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"
            return
        if answer.strip() != sent.strip():
            # The answer is not what streamed (System 2 said nothing and System 1's provocation
            # stands in, or a trailing verdict line was cut): the client gets the answer itself.
            rest = answer[len(sent):] if answer.startswith(sent) and sent else ("\n\n" if sent else "") + answer
            extension = {**extension, "streamed_differs": bool(sent) and not answer.startswith(sent)}
            yield self._chunk({"content": rest})
        yield self._chunk({}, self._finish(tokens))
        include = self.body.stream_options is not None and self.body.stream_options.include_usage
        yield self._chunk(None, usage=self._usage(tokens) if include else None, reverie=extension)
        yield "data: [DONE]\n\n"


_RUNNING: set = set()   # turns whose client left: kept referenced until they finish


# -- the body limit ---------------------------------------------------------------------------


class BodyLimit:
    """Refuse a request body over the limit with 413, before any route reads it.

    The body is read here (it is small by definition) and handed on whole, so a chunked
    upload that grows past the limit is refused as surely as one that declares its size.
    """

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            return await self._refuse(send, int(declared))
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay([message], receive), send)
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                return await self._refuse(send, size)
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return await self.app(scope, _replay([whole], receive), send)

    async def _refuse(self, send, size: int) -> None:
        body = APIError(413, f"the request body is {size} bytes or more; the limit is {self.limit} bytes "
                             "(reverie serve --max-body)", code="body_too_large").body()
        raw = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]})
        await send({"type": "http.response.body", "body": raw})


def _replay(messages: list[dict], receive):
    async def again():
        return messages.pop(0) if messages else await receive()

    return again


# -- binding -----------------------------------------------------------------------------------


def check_binding(host: str, keys: KeyStore) -> None:
    """Without keys, only this machine may talk to the server."""
    if host not in LOOPBACK and not keys.any():
        raise ValueError(f"refusing to listen on {host} without API keys: anyone who can reach it would read and "
                         "write this home's memory. Add a key first (`reverie keys add USER`), or serve on "
                         "127.0.0.1")


class ServerThread:
    """An app served by uvicorn on a loopback port, in a thread of this process: for benchmarks,
    tests and programs that embed reverie. `port=0` takes a free port; `url` says which."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, start_timeout_s: float = 120.0):
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, name="reverie-server", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + start_timeout_s
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the server did not start on {host}:{port}")
            time.sleep(0.02)
        bound = self.server.servers[0].sockets[0].getsockname()
        self.url = f"http://{host}:{bound[1]}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
