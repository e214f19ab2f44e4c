"""The side views: memory search, the adapters, the wiki's queue, the briefing, the keys.

Each is a modal screen over the conversation that escape closes. They read the stores
the CLI reads (the index, the adapter store, the proposal queue, the briefings), so the
terminal home shows what `reverie memory search`, `adapters list` and `proposals list`
print. Only the search can be slow (the embedder loads on its first use): it runs in a
thread worker and the view stays live meanwhile.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Markdown, Static


class SideView(ModalScreen):
    """A panel over the chat: escape closes it, another view's key replaces it. What it shows
    is text from files and people (a query, a path, an error), so none of it is read as markup."""

    BINDINGS = [Binding("escape", "close", "close", show=False)]
    TITLE = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.TITLE
            dialog.border_subtitle = "esc closes"
            yield from self.body()

    def body(self) -> ComposeResult:
        yield from ()

    def action_close(self) -> None:
        self.dismiss()


class SearchView(SideView):
    """Search the diary by meaning, as `reverie memory search` does."""

    TITLE = "memory search"

    def __init__(self, agent, query: str = "", k: int = 10):
        super().__init__()
        self.agent = agent
        self.query_text = query
        self.k = k
        self.hits: list[dict] = []

    def body(self) -> ComposeResult:
        yield Input(value=self.query_text, placeholder="what to look for (enter searches)", id="search-query")
        yield Label("", id="search-status", classes="dim", markup=False)
        yield VerticalScroll(id="search-hits")

    def on_mount(self) -> None:
        self.query_one("#search-query", Input).focus()
        if self.query_text.strip():
            self.search(self.query_text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.search(event.value)

    def search(self, query: str) -> None:
        self.query_one("#search-status", Label).update(f"searching for {query!r}…")
        self._search(query)

    class Found(Message):
        """The search's answer, posted from its worker's thread (safe even once the view is closed)."""

        def __init__(self, query: str, hits: list[dict] | None = None, error: str | None = None):
            super().__init__()
            self.query, self.hits, self.error = query, hits or [], error

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str) -> None:
        try:
            hits = [h.to_json() for h in self.agent.index.search(query, k=self.k)]
        except Exception as exc:   # a damaged index or a missing embedder: said in the view
            self.post_message(self.Found(query, error=f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Found(query, hits))

    def on_search_view_found(self, message: Found) -> None:
        status = self.query_one("#search-status", Label)
        if message.error:
            status.update(f"the search failed: {message.error}")
            return
        query, hits = message.query, message.hits
        self.hits = hits
        box = self.query_one("#search-hits", VerticalScroll)
        box.remove_children()
        if not hits:
            status.update(f"nothing found for {query!r} (if the diary is not empty, try `reverie memory reindex`)")
            return
        status.update(f"{len(hits)} memories for {query!r}, nearest first")
        box.mount_all(Static(f"{h['date']}  {h['kind']:<8} {h['distance']:.3f}\n  {h['text']}", markup=False,
                             classes="hit") for h in hits)


def _percent(value) -> str:
    return "-" if value is None else f"{value:.0%}"


class AdaptersView(SideView):
    """System 1's adapter versions: which is served, how each scored, where it came from."""

    TITLE = "System 1's adapters"

    def __init__(self, store):
        super().__init__()
        self.rows = store.summaries()

    def body(self) -> ComposeResult:
        if not self.rows:
            yield Label("No adapter yet: System 1 is the bare base. A night (ctrl+s) trains the first.",
                        id="adapters-empty")
            return
        table = DataTable(id="adapters-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("", "version", "status", "self-test", "unseen", "drift", "parent", "night")
        for r in reversed(self.rows):
            drift = "-" if r.get("drift") is None else f"{r['drift']:.3f}x"
            cells = ("*" if r["current"] else "", r["version"], str(r.get("status")), _percent(r.get("self_test")),
                     _percent(r.get("held_out")), drift, r.get("parent") or "-", (r.get("night") or "")[:16])
            table.add_row(*(Text(c) for c in cells))   # Text: a damaged manifest's error is not markup
        yield table
        yield Label("* serving · `reverie adapters rollback VERSION` serves another", classes="dim")


class ProposalsView(SideView):
    """The wiki's pending proposals, when this home has a wiki."""

    TITLE = "the wiki's pending proposals"

    def __init__(self, home):
        super().__init__()
        from wiki.proposals import Queue
        from wiki.store import WikiError, wiki_path

        self.problem: str | None = None
        self.pending = []
        try:
            self.wiki = wiki_path(home)
        except WikiError as exc:
            self.wiki, self.problem = None, str(exc)
            return
        if self.wiki is None:
            self.problem = "No wiki in this home yet: `reverie wiki init` makes one (or adopts a folder of notes)."
            return
        self.pending = Queue(home / "proposals").pending()

    def body(self) -> ComposeResult:
        if self.problem:
            yield Label(self.problem, id="proposals-none", markup=False)
            return
        yield Label(f"{len(self.pending)} pending in {self.wiki} · `reverie proposals accept|reject ID` decides",
                    classes="dim", markup=False)
        with VerticalScroll():
            for staged in self.pending:
                p = staged.proposal
                yield Static(f"{p.kind:<9} {p.id}  {', '.join(p.nodes) or '-'}\n  {p.rationale}", markup=False,
                             classes="proposal")


class BriefingView(SideView):
    """The morning briefing, as the night wrote it."""

    def __init__(self, name: str, text: str):
        super().__init__()
        self.TITLE = name   # the file's name: the night's date
        self.text = text

    def body(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown(self.text, id="briefing-text")


class HelpView(SideView):
    """Every key the home answers to and every /command, from the bindings themselves."""

    TITLE = "keys and commands"

    def __init__(self, keys: list[tuple[str, str]], commands: list[tuple[str, str]]):
        super().__init__()
        self.keys = keys
        self.commands = commands

    def body(self) -> ComposeResult:
        width = max(len(k) for k, _ in self.keys + self.commands)
        lines = ["keys"] + [f"  {k:<{width}}  {d}" for k, d in self.keys]
        lines += ["", "commands (type / then tab to complete)"] + [f"  {c:<{width}}  {d}" for c, d in self.commands]
        with VerticalScroll():
            yield Static("\n".join(lines), markup=False, id="help-text")
