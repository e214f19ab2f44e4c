"""The MCP surface: one user's agent offered as Model Context Protocol tools.

MCP hosts (Claude Desktop, IDEs, other agents) call five tools: `associate` (System 1's
provocation on a message), `recall` (search the diary by meaning), `remember` (write a
note into the diary and index it), `ask_closed_book` (System 1 alone, from its weights)
and `status`. Each answers with structured content (a JSON object with an output
schema) and the same object as text, for hosts that only read text.

Built on the official SDK's `MCPServer` (package `mcp`, 2.x). One factory serves both
transports:

- stdio, one user: `reverie mcp` builds `build_mcp(lambda ctx: agent)` and runs it on
  stdin/stdout (see `reverie/cli.py`).
- streamable HTTP, many users in one process: `http_transport(agent_for)` returns an
  ASGI app for the host to mount and the session manager's `run()` for its lifespan:

      mcp = http_transport(agent_for)

      @asynccontextmanager
      async def lifespan(app):
          async with mcp.lifespan():       # once per process, before the first request
              yield

      app = FastAPI(lifespan=lifespan)
      app.add_route("/mcp", mcp.app, methods=["GET", "POST", "DELETE"])   # exactly /mcp
      # or app.mount("/mcp", mcp.app): serves /mcp/ (and /mcp by a 307 redirect)

  Starlette runs no lifespan of a mounted app, so without `mcp.lifespan()` every request
  fails with "Task group is not initialized". The transport is stateless (no MCP session
  is kept between requests, so any request can reach any worker) and answers in plain
  JSON rather than an SSE stream. `mount(app, user_of, users)` does all of this for
  `reverie serve` (its `create_app(extra_routes=...)` hook), behind the server's API keys.

`agent_for(ctx)` is the one seam between the tools and who is asking. It gets the tool's
`mcp.server.mcpserver.Context` and returns the `graphs.agent.Agent` that answers. Over
HTTP, `ctx.headers` (a case-insensitive mapping) holds the request's headers and
`ctx.request_context.request` the Starlette `Request` itself; `bearer_key(ctx)` reads
the key out of `Authorization: Bearer KEY`. Over stdio both are None. A header is what the
client claims: `agent_for` must check the key (against the stored hashes) before it
returns an agent. It runs on a worker thread (the tools are synchronous, and the SDK runs
those off the event loop), so it may block opening an agent but must be thread-safe. To
refuse a request it raises `PermissionError` (or the SDK's `ToolError`):
the host sees a tool error with that message, never a traceback.

Errors a user can fix (an empty message, a bad value, an endpoint that does not answer, a
missing model or a damaged adapter) come back as MCP tool errors (`isError: true`)
naming what to do; anything else is logged on the server and reported as a bare failure.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field
from starlette.requests import Request

from cognition.models import ModelError
from graphs.agent import EmptyMessage, validate_message
from system1.adapters import AdapterError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp

    from graphs.agent import Agent

AgentFor = Callable[[Context], "Agent"]

INSTRUCTIONS = (
    "reverie is a local language model that learns in its sleep. Its diary holds every exchange and note; at night "
    "it trains System 1, a small adapter, on what mattered. Use `recall` to look something up in the diary, "
    "`remember` to add a note for tonight's sleep, `associate` for System 1's quick first association on a message "
    "(a provocation to weigh, not an answer), `ask_closed_book` to see what System 1 knows from its weights alone, "
    "and `status` for the diary's size, the adapter served and the chemistry.")

# The errors the caller can act on; their messages already say what to do.
USER_ERRORS = (ValueError, ConnectionError, ModelError, AdapterError, PermissionError)


# -- what the tools return ------------------------------------------------------------


class Provocation(BaseModel):
    """System 1's first association on a message."""

    text: str = Field(description="The provocation: one or two sentences, to accept, refine or discard.")
    adapter: str | None = Field(description="The adapter version that produced it; null is the bare base model.")
    seconds: float = Field(description="How long System 1 took.")
    note: str | None = Field(None, description="A remark from the backend (a fallback, say), if any.")


class Memory(BaseModel):
    id: str = Field(description="The diary entry's stable id.")
    date: str = Field(description="The day the entry was written (YYYY-MM-DD).")
    kind: str = Field(description="exchange, thought, daydream or note.")
    text: str = Field(description="The entry as indexed (for an exchange: what was said and the reply).")
    distance: float = Field(description="Embedding distance to the query: smaller is closer.")


class Forgotten(BaseModel):
    id: str = Field(description="The entry forgotten.")
    examples_removed: int = Field(description="Training examples that came from it, removed from the replay buffer.")


class Recollection(BaseModel):
    query: str
    memories: list[Memory] = Field(description="Closest first; empty when nothing in the diary is indexed.")


class Remembered(BaseModel):
    id: str = Field(description="The new diary entry's id (recall returns it under this id).")
    kind: str = Field(description="Always 'note'.")
    time: str = Field(description="When it was written (ISO 8601, with the offset).")


class ClosedBookAnswer(BaseModel):
    answer: str = Field(description="System 1's answer from its weights alone: no retrieval, no diary.")
    adapter: str | None = Field(description="The adapter version that answered; null is the bare base model.")
    seconds: float
    notes: list[str] = Field(default_factory=list)


Message = Annotated[str, Field(description="The text, as the user would say it.")]


# -- the server ----------------------------------------------------------------------


def build_mcp(agent_for: AgentFor, *, name: str = "reverie") -> MCPServer:
    """The MCP server with reverie's five tools; `agent_for(ctx)` picks the agent per call."""
    server = MCPServer(name, instructions=INSTRUCTIONS, log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    def tool(annotations: ToolAnnotations):
        # The docstring is the description a host shows its model; dedented, since Python 3.11 keeps the indent.
        def register(fn):
            server.add_tool(fn, description=inspect.cleandoc(fn.__doc__ or ""), annotations=annotations)
            return fn

        return register

    @tool(read_only)
    def associate(message: Message, ctx: Context) -> Provocation:
        """System 1's quick, associative first thought on a message, from its weights alone.

        No memory is searched: whatever it knows about the user it learned in its sleep.
        Treat the result as a provocation to weigh, not as an answer.
        """
        with _user_errors("the message"):
            agent = agent_for(ctx)
            # Seeded as a turn's intuition is, so a host sees the provocation `reverie say` would get.
            thought = agent.brain.associate(validate_message(message), seed=agent.settings.seed)
        return Provocation(text=thought.text, adapter=thought.adapter, seconds=round(thought.seconds, 4),
                           note=thought.note)

    @tool(read_only)
    def recall(query: Annotated[str, Field(description="What to look for, in any words (search is by meaning).")],
               ctx: Context,
               k: Annotated[int, Field(ge=1, le=100, description="How many memories to return.")] = 5,
               ) -> Recollection:
        """Search the diary (exchanges, notes, thoughts, daydreams) by meaning; the closest first."""
        with _user_errors("the query"):
            hits = agent_for(ctx).index.search(validate_message(query), k=k)
        return Recollection(query=query, memories=[
            Memory(**h.to_json()) for h in hits])

    @tool(ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False))
    def remember(text: Annotated[str, Field(description="The note, in plain words: a fact, a preference, a "
                                                        "correction.")],
                 ctx: Context) -> Remembered:
        """Write a note into the diary and index it: `recall` finds it at once, and the next sleep learns from it.

        The diary is append-only: a note is never edited; write a correction as a new note (or `forget` it).
        """
        with _user_errors("the note"):
            validate_message(text)
            agent = agent_for(ctx)
            entry = agent.diary.write("note", text, chemistry=agent.chemistry.load().snapshot())
            agent.index.add([entry])
        return Remembered(id=entry.id, kind=entry.kind, time=entry.time.isoformat())

    @tool(ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False))
    def forget(entry_id: Annotated[str, Field(description="The diary entry's id, as `recall` gives it.")],
               ctx: Context) -> Forgotten:
        """Forget a diary entry the person asked to forget: it becomes a tombstone in the diary (its id and
        time, nothing it said), leaves the index, and every training example that came from it is removed."""
        with _user_errors("the entry"):
            result = agent_for(ctx).forget([entry_id])
            if not result["forgotten"]:
                raise ValueError(f"no diary entry {entry_id!r}; `recall` gives the ids (nothing was changed)")
        return Forgotten(id=entry_id, examples_removed=result["examples_removed"])

    @tool(read_only)
    def ask_closed_book(question: Annotated[str, Field(description="The question.")],
                        ctx: Context) -> ClosedBookAnswer:
        """Ask System 1 alone, closed-book: it answers from its weights, without retrieval or the diary.

        This shows what reverie has learned in its sleep; `recall` shows what it has written down.
        """
        with _user_errors("the question"):
            payload = agent_for(ctx).ask_closed_book(question)
        return ClosedBookAnswer(**payload)

    @tool(read_only)
    def status(ctx: Context) -> dict[str, Any]:
        """reverie's state: the chemistry (adenosine, cortisol, dopamine; whether sleep is due), the adapter
        served, the last sleep, the diary's counts by kind, the backends, and unread notices."""
        with _user_errors("the request"):
            return agent_for(ctx).status()

    return server


@contextmanager
def _user_errors(what: str) -> Iterator[None]:
    """Turn the errors a user can fix into MCP tool errors; anything else stays a crash (logged, not shown)."""
    try:
        yield
    except EmptyMessage:
        raise ToolError(f"{what} is empty; give it some text (nothing was written)") from None
    except ToolError:
        raise
    except USER_ERRORS as exc:
        raise ToolError(str(exc) or type(exc).__name__) from exc


def bearer_key(ctx: Context) -> str | None:
    """The KEY of an `Authorization: Bearer KEY` header on this request; None on stdio or without one.

    What the client sent, not yet an identity: check it before trusting it.
    """
    headers = ctx.headers
    if headers is None:
        return None
    scheme, _, key = (headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return key.strip() or None


# -- streamable HTTP -------------------------------------------------------------------


@dataclass(frozen=True)
class HttpTransport:
    """What a host web app needs to serve MCP over streamable HTTP."""

    app: ASGIApp
    """Answers MCP on whatever path reaches it: `add_route("/mcp", app)` or `mount("/mcp", app)`."""
    lifespan: Callable[[], AbstractAsyncContextManager[None]]
    """Enter once, in the host app's lifespan, around serving (`async with t.lifespan(): yield`)."""
    server: MCPServer


def http_transport(agent_for: AgentFor, *, host: str | None = "127.0.0.1", allowed_hosts: list[str] | None = None,
                   allowed_origins: list[str] | None = None) -> HttpTransport:
    """A stateless, JSON-answering streamable-HTTP transport over `build_mcp(agent_for)`.

    `host` is the address the server binds: on a loopback one, requests whose Host or
    Origin header is not loopback are refused (DNS-rebinding protection, the SDK's
    default). Bound elsewhere (or None), name the public host names (`"reverie.example:*"`
    allows any port) in `allowed_hosts` to keep that check; without them it is off and the
    API key is the only guard. One transport per app: its `lifespan()` can be entered only once.
    """
    server = build_mcp(agent_for)
    security = None
    if allowed_hosts or allowed_origins:
        security = TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=allowed_hosts or [],
                                             allowed_origins=allowed_origins or [])
    # Builds the session manager the transport runs on (the Starlette wrapper it also returns,
    # with its single route, is not needed: the host routes to the bare handler).
    server.streamable_http_app(stateless_http=True, json_response=True, host=host or "", transport_security=security)
    manager = server.session_manager
    return HttpTransport(app=StreamableHTTPASGIApp(manager), lifespan=manager.run, server=server)


def mount(app: FastAPI, user_of: Callable[[Request], str], users: Any, *, path: str = "/mcp") -> HttpTransport:
    """`reverie serve`'s hook (`create_app(extra_routes=mount)`): MCP at `path`, behind the server's own keys.

    `user_of(request)` is the server's: the key's owner, or the server's user when the home
    has no keys; for a key it does not know it raises its `APIError` (401), answered here
    before MCP reads the request. `users.agent(user)` opens that user's agent.
    """
    from cognition.keys import KeyStore
    from reverie.server import APIError

    def agent_for(ctx: Context) -> Agent:
        try:
            return users.agent(user_of(ctx.request_context.request))
        except APIError as exc:  # the key was revoked between the check at the door and this call
            raise PermissionError(exc.message) from exc

    # Without keys the server listens on loopback only (check_binding), so every honest request
    # names a loopback host and the SDK's DNS-rebinding check costs nothing; with keys, the key is
    # the guard and the server may be reached under any name.
    loopback_only = not KeyStore(users.settings.home).any()
    transport = http_transport(agent_for, host="127.0.0.1" if loopback_only else None)
    app.add_route(path, _KeyCheck(transport.app, user_of, APIError), methods=["GET", "POST", "DELETE"])
    app.state.lifespans.append(transport.lifespan)
    return transport


class _KeyCheck:
    """The server's key check in front of the MCP app: an unknown key gets the server's 401 response.

    An object, not a function: Starlette routes a function endpoint as a request handler, an
    object as an ASGI app.
    """

    def __init__(self, app: ASGIApp, user_of: Callable[[Request], str], error: type[Exception]):
        self.app, self.user_of, self.error = app, user_of, error

    async def __call__(self, scope, receive, send) -> None:
        try:
            self.user_of(Request(scope))
        except self.error as exc:
            await exc.response()(scope, receive, send)
            return
        await self.app(scope, receive, send)
