"""The terminal home: the conversation beside the dog, the chemistry and the night.

All model work runs off the event loop: a turn in a thread worker that streams its tokens
back as messages, a search in its view's worker, a night in a worker that watches the
night's own thread. So typing, scrolling and the dog never wait on a model.

The night runs in a thread of its own that its worker watches, so quitting mid-night never
holds the screen: the worker returns at once, the night stops at its next pause point
(between phases, between training steps) by raising `NightStopped`, and the next `reverie
sleep` (or the daemon) resumes it from its checkpoint.

That night keeps the process's priority. On Linux nice belongs to a thread, and threads a
niced night starts for its libraries' pools outlive it at nice 19 (two of five here, seen
in /proc after the night's own thread had ended), to serve the conversation that follows.
The person asked for this night and is waiting for it; `reverie sleep` and the daemon, each
a process of its own, lower theirs whole.

While a night runs, what the person says is shown and queued, and answered in the
morning by the adapter the night leaves behind: a turn beside training would compete for
the same cores and the same model, and the answer would come from the adapter about to be
replaced.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime
from typing import Callable

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static
from textual.worker import get_current_worker

from cognition.notices import Notices
from cognition.presence import mark_idle
from graphs.agent import EmptyMessage, validate_message
from reverie.tui.chat import COMMANDS, Exchange, Prompt
from reverie.tui.dog import ANSWERING, NIGHT, THINKING, Dog, mood
from reverie.tui.panels import ChemistryBars, NightProgress, SleepPanel, countdown
from reverie.tui.views import AdaptersView, BriefingView, HelpView, ProposalsView, SearchView

DARK, LIGHT = "textual-dark", "textual-light"
TICK_S = 5.0          # the chemistry is read again (cortisol decays) and the countdown redrawn
NOTICES_EVERY = 12    # ticks between looks at the notices (a night the daemon ran, a failure)

# Keys the prompt itself answers to, for the help screen (the app's own come from BINDINGS).
PROMPT_KEYS = [
    ("enter", "send the message"),
    ("ctrl+j", "a new line (or shift+enter, where the terminal reports it)"),
    ("up / down", "earlier and later messages, from the first and last line"),
    ("tab / right", "take the suggested /command"),
    ("esc", "close a side view"),
]


class NightStopped(Exception):
    """Raised at a night's pause point when the person quits; the night resumes from its checkpoint."""


# Workers report by message: `post_message` is safe from any thread and never blocks it, so
# a worker that finishes while the app is closing cannot hang waiting for a closed loop.

class Streamed(Message):
    def __init__(self, exchange: Exchange, token: str):
        super().__init__()
        self.exchange, self.token = exchange, token


class TurnOver(Message):
    def __init__(self, exchange: Exchange, result=None, memories: list[tuple[str, str]] | None = None,
                 chemistry: dict | None = None, error: str | None = None):
        super().__init__()
        self.exchange, self.result, self.memories = exchange, result, memories or []
        self.chemistry, self.error = chemistry, error


class NightEvent(Message):
    def __init__(self, event: dict):
        super().__init__()
        self.event = event


class Morning(Message):
    def __init__(self, outcome: dict):
        super().__init__()
        self.outcome = outcome


CSS = """
#main { height: 1fr; }
#chat { width: 1fr; padding: 0 1; }
#side { width: 28; border-left: vkey $border-blurred; padding: 0 1; }
Screen.-wide #side { width: 36; }
#dog { height: 8; color: $text; }
#chemistry { height: auto; margin-top: 1; }
.chem-row { height: 1; }
.chem-name { width: 10; color: $text-muted; }
.chem-value { width: 5; text-align: right; }
#chemistry ProgressBar, #chemistry Bar { width: 1fr; }
#sleep { height: auto; margin-top: 1; }
#sleep Label { width: 1fr; }
#countdown { color: $text-muted; }
#night-phase { color: $text-accent; }
#night-gauge, #night-gauge Bar { width: 1fr; }
#last-night { color: $text-muted; }
#asleep-banner { display: none; width: 1fr; background: $primary-muted; color: $text; padding: 0 1; }
Screen.asleep #asleep-banner { display: block; }
#prompt { height: auto; min-height: 1; max-height: 8; border-top: hkey $border-blurred; }
#prompt:focus { border-top: hkey $border; }
.greeting { color: $text-muted; margin-bottom: 1; }
.exchange { height: auto; margin-bottom: 1; }
.you { color: $text-primary; text-style: bold; }
.answer { padding-left: 2; }
.answer.pending { color: $text-muted; }
.answer.error { color: $text-error; }
.details { color: $text-muted; padding-left: 2; }
.memories { padding-left: 1; margin: 0; border: none; background: $surface 0%; }
.memories CollapsibleTitle { color: $text-muted; }
.memory { color: $text-muted; }
.morning { color: $text-success; margin-bottom: 1; }
.dim { color: $text-muted; }
SideView { align: center middle; }
SideView #dialog { width: 90%; height: 85%; border: round $border; padding: 0 1; background: $surface; }
SideView #search-hits, SideView VerticalScroll { height: 1fr; }
.hit, .proposal { margin-bottom: 1; }
"""


class ReverieApp(App):
    """One user's agent in the terminal. `system1=None` follows the settings; False is the ablation."""

    TITLE = "reverie"
    CSS = CSS
    ENABLE_COMMAND_PALETTE = False   # the keys below and the /commands are this home's palette
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    # Short descriptions fit the footer at 80 columns; the help screen shows the tooltips.
    BINDINGS = [
        Binding("ctrl+s", "sleep", "sleep", tooltip="sleep now: a night, its progress on the side", priority=True),
        Binding("ctrl+f", "search", "search", tooltip="search the memory by meaning", priority=True),
        Binding("ctrl+a", "adapters", "adapters", tooltip="System 1's adapters and their scores", priority=True),
        Binding("ctrl+o", "proposals", "wiki", tooltip="the wiki's pending proposals", priority=True),
        Binding("ctrl+b", "briefing", "briefing", tooltip="the latest morning briefing", priority=True),
        Binding("ctrl+t", "toggle_theme", "theme", tooltip="switch between the light and the dark theme",
                priority=True),
        Binding("f1", "help", "help", tooltip="every key and command", priority=True),
        Binding("ctrl+q", "quit", "quit", tooltip="leave (a night stops at its next pause point and resumes "
                "at the next sleep)", priority=True),
    ]

    def __init__(self, agent, system1: bool | None = None, thread: str = "main",
                 now: Callable[[], datetime] | None = None):
        super().__init__()
        self.agent = agent
        self.system1 = system1
        self.thread = thread
        self.now = now or (lambda: datetime.now().astimezone())
        self.chemistry: dict[str, float] = {}
        self.running: str | None = None      # THINKING, ANSWERING or NIGHT, for the dog
        self.feedback: str | None = None     # the last turn's category
        self.waiting: deque[Exchange] = deque()   # messages not yet answered, oldest first
        self.in_turn = False
        self.asleep = False
        self.sleep_after_turn = False
        self.progress: NightProgress | None = None
        self.night_thread: threading.Thread | None = None
        self.night_interrupted = False       # quit mid-night: the night resumes at the next sleep
        self.last_night: dict | None = None  # the summary of the night this session ran
        self._stop_night = threading.Event()
        self._ticks = 0

    # -- layout ----------------------------------------------------------------------

    @property
    def main(self):
        """The home screen under any side view: a turn or a night that ends while a view is
        open still updates the chat and the panel, not the view."""
        return self.screen_stack[0]

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield VerticalScroll(id="chat")
            with Vertical(id="side"):
                yield Dog(id="dog")
                yield ChemistryBars(self.agent.settings.chemistry, id="chemistry")
                yield SleepPanel(id="sleep")
        yield Label("asleep: what you say now waits until morning", id="asleep-banner")
        yield Prompt(history=self._said_lately(), id="prompt", placeholder="say something · / for commands · f1 keys")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.theme = DARK
        chat = self.main.query_one("#chat", VerticalScroll)
        chat.anchor()
        serving = self.agent.adapters.current()
        chat.mount(Static(f"reverie · {self.agent.settings.user} · System 1: "
                          f"{serving or 'the bare base'}{'' if self.system1_on else ' (off)'} · "
                          "f1 for keys, / for commands", markup=False, classes="greeting"))
        self.main.query_one(Prompt).focus()
        self.refresh_state()
        self.check_notices(open_briefing=True)
        self.set_interval(TICK_S, self._tick)

    def _said_lately(self, days: int = 3, most: int = 200) -> list[str]:
        """The prompt's history starts from what was said in the diary's last days."""
        said = [e.text for day in self.agent.diary.days()[-days:] for e in self.agent.diary.read_day(day)
                if e.kind == "exchange"]
        return said[-most:]

    # -- state shown on the side ----------------------------------------------------------

    def refresh_state(self, chemistry: dict[str, float] | None = None) -> None:
        """Redraw the bars, the countdown and the dog from the stored chemistry (or the one given)."""
        self.chemistry = chemistry or self.agent.chemistry.load().snapshot()
        self.main.query_one(ChemistryBars).show(self.chemistry)
        if not self.asleep:
            self.main.query_one(SleepPanel).show_countdown(
                countdown(self.now(), self.chemistry["adenosine"], self.agent.settings.sleep.nightly_hour))
        self.main.query_one(Dog).mood = mood(self.chemistry, self.running, self.feedback, self.agent.settings.chemistry)

    def _tick(self) -> None:
        self._ticks += 1
        self.refresh_state()
        if self._ticks % NOTICES_EVERY == 0:
            self.check_notices(open_briefing=False)

    def check_notices(self, open_briefing: bool) -> None:
        """Failures of unattended runs as toasts; an unread briefing as a panel (or a toast that says where)."""
        notices = Notices(self.agent.user_home.root)
        pending = notices.pending()
        for f in pending["failures"]:
            self.notify(f"unattended {f['what']} failed at {f['when'][:16]}: {f['error']}", title="notice",
                        severity="error", timeout=30, markup=False)
        briefing = pending["briefing"]
        if briefing and open_briefing:
            self.open_view(BriefingView(briefing["name"], briefing["text"]))
        elif briefing:
            self.notify(f"a new morning briefing ({briefing['name']}): ctrl+b opens it", timeout=20, markup=False)
        if briefing or pending["failures"]:
            notices.mark_seen()

    # -- talking -----------------------------------------------------------------------

    async def on_prompt_submitted(self, event: Prompt.Submitted) -> None:
        text = event.text
        word, _, rest = text.strip().partition(" ")
        if word.startswith("/") and word[1:].isalpha():
            await self.command(word, rest.strip())
            return
        try:
            validate_message(text)
        except EmptyMessage:
            return
        except ValueError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        exchange = Exchange(text, queued=self.asleep)
        await self.main.query_one("#chat").mount(exchange)
        self.waiting.append(exchange)
        self.next_turn()

    async def command(self, word: str, rest: str) -> None:
        """Run a /command; a prefix that names one command alone runs it ('/ad' is /adapters)."""
        actions = {"/sleep": self.action_sleep, "/search": lambda: self.action_search(rest),
                   "/adapters": self.action_adapters, "/proposals": self.action_proposals,
                   "/briefing": self.action_briefing, "/theme": self.action_toggle_theme, "/help": self.action_help}
        named = [c.name for c in COMMANDS if c.name.startswith(word)]
        if word not in actions and len(named) == 1:
            word = named[0]
        if word in ("/quit", "/exit"):
            await self.action_quit()
        elif word in actions:
            actions[word]()
        else:
            self.notify(f"no command {word}; /help lists them", severity="warning", markup=False)

    def next_turn(self) -> None:
        """Answer the oldest waiting message, unless a turn or a night is running."""
        if self.in_turn or self.asleep or not self.waiting:
            return
        exchange = self.waiting.popleft()
        self.in_turn = True
        self.running = THINKING
        exchange.begin()
        self.refresh_state(self.chemistry)
        self._turn(exchange)

    @work(thread=True, group="turn")
    def _turn(self, exchange: Exchange) -> None:
        def on_text(token: str) -> None:
            self.post_message(Streamed(exchange, token))

        try:
            result = self.agent.say(exchange.message, system1=self.system1, thread=self.thread, on_text=on_text)
            memories = []
            for entry_id in result.memories:
                entry = self.agent.diary.get(entry_id)
                if entry is not None:
                    memories.append((f"{entry.time:%Y-%m-%d %H:%M}", entry.text))
            chemistry = self.agent.chemistry.load().snapshot()
        except Exception as exc:   # shown under the message; the conversation goes on
            self.post_message(TurnOver(exchange, error=f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(TurnOver(exchange, result, memories, chemistry))

    def on_streamed(self, message: Streamed) -> None:
        if self.running == THINKING:   # the first token: System 1 has spoken, System 2 is answering
            self.running = ANSWERING
            self.refresh_state(self.chemistry)
        message.exchange.stream(message.token)

    def on_turn_over(self, message: TurnOver) -> None:
        if message.error is not None:
            message.exchange.fail(message.error)
        else:
            message.exchange.finish(message.result, message.memories, system1_on=self.system1_on)
            self.feedback = message.result.category
        self.in_turn = False
        self.running = None
        self.refresh_state(message.chemistry)
        if self.sleep_after_turn:
            self.sleep_after_turn = False
            self.fall_asleep()
        else:
            self.next_turn()

    # -- the night ---------------------------------------------------------------------

    def action_sleep(self) -> None:
        if self.asleep:
            self.notify("already asleep", markup=False)
        elif self.in_turn:
            self.sleep_after_turn = True
            self.notify("sleeping after this answer", markup=False)
        else:
            self.fall_asleep()

    def fall_asleep(self) -> None:
        self.asleep = True
        self.running = NIGHT
        self.progress = NightProgress()
        self.main.add_class("asleep")
        sleep = self.main.query_one(SleepPanel)
        sleep.show_countdown("asleep")
        sleep.night(self.progress)
        self.refresh_state(self.chemistry)
        mark_idle(self.agent.user_home.root)
        self._stop_night.clear()
        self._night()

    @work(thread=True, exclusive=True, group="night")
    def _night(self) -> None:
        worker = get_current_worker()
        outcome: dict = {}
        # A daemon thread: whoever quits mid-night waits for its pause point (`reverie chat` does)
        # or ends it with the process, as a kill would; either way it resumes from its checkpoint.
        self.night_thread = threading.Thread(target=self._run_night, args=(outcome,), name="reverie-night",
                                             daemon=True)
        self.night_thread.start()
        while self.night_thread.is_alive():
            self.night_thread.join(0.2)
            if worker.is_cancelled:   # the app is closing: the night stops at its next pause point
                self._stop_night.set()
                return
        self.post_message(Morning(outcome))

    def _run_night(self, outcome: dict) -> None:
        from graphs.night import Night, summary

        try:
            state = Night(self.agent, on_event=lambda e: self.post_message(NightEvent(e)),
                          stop=self._night_stop).run(priority=False)   # see the module docstring
            outcome["summary"] = summary(state)
        except NightStopped:
            outcome["stopped"] = True
        except Exception as exc:   # reported in the morning, never lost with the thread
            outcome["error"] = exc

    def _night_stop(self) -> None:
        if self._stop_night.is_set():
            raise NightStopped("the person quit; the night resumes from its checkpoint at the next sleep")

    def on_night_event(self, message: NightEvent) -> None:
        if self.progress is None:
            return
        self.progress.event(message.event)
        self.main.query_one(SleepPanel).night(self.progress)
        if "resumed" in message.event:
            self._say_in_chat("finishing the night left unfinished, from where it stopped", "dim")

    def on_morning(self, message: Morning) -> None:
        """The night is over: say how it went, open the briefing, answer what was said meanwhile."""
        from graphs.night import NightInProgress

        outcome = message.outcome
        self.asleep = False
        self.running = None
        self.feedback = None
        self.progress = None
        self.main.remove_class("asleep")
        sleep = self.main.query_one(SleepPanel)
        sleep.night(None)
        error = outcome.get("error")
        if isinstance(error, NightInProgress):
            self.notify(str(error), severity="warning", markup=False)
        elif error is not None:
            self.notify(f"the night failed: {type(error).__name__}: {error}", severity="error", timeout=30,
                        markup=False)
            self._say_in_chat(f"the night failed ({type(error).__name__}: {error}); System 1 still serves "
                              f"{self.agent.adapters.current() or 'the bare base'}", "answer error")
        if "summary" in outcome:
            self.last_night = p = outcome["summary"]
            if p["promoted"]:
                told = f"slept: promoted {p['version']} (self-test {p['self_test']:.0%})"
            elif p["rolled_back_because"]:
                told = f"slept: rolled back ({p['rolled_back_because']}); serving {p['version'] or 'the bare base'}"
            else:
                told = "slept: nothing to learn tonight"
            sleep.morning(told)
            self._say_in_chat(told, "morning")
            for problem in p["errors"]:
                self.notify(problem, title="the night", severity="warning", timeout=30, markup=False)
        self.refresh_state()
        self.check_notices(open_briefing=True)
        for exchange in self.waiting:
            exchange.begin()
        self.next_turn()

    @property
    def system1_on(self) -> bool:
        return self.agent.settings.system1.enabled if self.system1 is None else self.system1

    def _say_in_chat(self, text: str, classes: str) -> None:
        """A line from the home itself; in the morning it goes above the messages that waited for it."""
        line = Static(text, markup=False, classes=classes)
        chat = self.main.query_one("#chat")
        if self.waiting:
            chat.mount(line, before=self.waiting[0])
        else:
            chat.mount(line)

    # -- side views ----------------------------------------------------------------------

    def open_view(self, view: ModalScreen) -> None:
        """Show a side view in place of any other one open."""
        while isinstance(self.screen, ModalScreen):
            self.pop_screen()
        self.push_screen(view)

    def action_search(self, query: str = "") -> None:
        self.open_view(SearchView(self.agent, query))

    def action_adapters(self) -> None:
        self.open_view(AdaptersView(self.agent.adapters))

    def action_proposals(self) -> None:
        self.open_view(ProposalsView(self.agent.settings.home))

    def action_briefing(self) -> None:
        notices = Notices(self.agent.user_home.root)
        latest = notices.latest_briefing()
        if latest is None:
            self.notify("no briefing yet: a night (ctrl+s) writes one", markup=False)
            return
        self.open_view(BriefingView(latest.name, latest.read_text(encoding="utf-8")))
        notices.mark_seen()

    def action_help(self) -> None:
        keys = [(b.key, b.tooltip or b.description) for b in self.BINDINGS] + PROMPT_KEYS
        self.open_view(HelpView(keys, [(c.name, c.help) for c in COMMANDS]))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    async def action_quit(self) -> None:
        if self.asleep:
            self.night_interrupted = True
            self._stop_night.set()
        self.exit()
