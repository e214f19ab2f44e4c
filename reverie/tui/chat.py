"""The conversation: the prompt a person types into, and one exchange as it is shown.

The prompt is a TextArea, not an Input, because a pasted paragraph keeps its lines: enter
sends, ctrl+j (or shift+enter where the terminal reports it) starts a new line. Up and
down walk the history from the first and last line; a leading `/` is completed from the
commands (right or tab takes the suggestion). Its cursor blinks unless Textual's animations
are off (`TEXTUAL_ANIMATIONS=none`), as the dog holds still then.

An exchange streams System 2's answer as it arrives and then, dimmed beneath it, System
1's provocation with the verdict, and the memories recalled, folded until asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Collapsible, Static, TextArea


@dataclass(frozen=True)
class Command:
    name: str
    help: str


COMMANDS = (
    Command("/sleep", "sleep now: consolidate the day into System 1 (ctrl+s)"),
    Command("/search", "search the memory; '/search words' searches at once (ctrl+f)"),
    Command("/adapters", "System 1's adapters and their scores (ctrl+a)"),
    Command("/proposals", "the wiki's pending proposals (ctrl+o)"),
    Command("/briefing", "the latest morning briefing (ctrl+b)"),
    Command("/theme", "switch between the light and the dark theme (ctrl+t)"),
    Command("/help", "every key and command (f1)"),
    Command("/quit", "leave; a night in progress resumes at the next sleep (ctrl+q)"),
)


def complete(text: str) -> str:
    """The rest of the first command that `text` begins, or '' when there is none to offer."""
    if not text.startswith("/") or any(c.isspace() for c in text):
        return ""
    match = next((c.name for c in COMMANDS if c.name.startswith(text) and c.name != text), None)
    return match[len(text):] if match else ""


class Prompt(TextArea):
    """Where a person types: enter sends, the history is a key away, commands complete."""

    BINDINGS = [
        Binding("tab", "complete", "complete a /command", show=False),
    ]

    class Submitted(Message):
        def __init__(self, prompt: "Prompt", text: str):
            super().__init__()
            self.prompt = prompt
            self.text = text

    def __init__(self, history: list[str] | None = None, **kwargs):
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=True,
                         highlight_cursor_line=False, **kwargs)
        self.past: list[str] = list(history or [])
        self._at = len(self.past)   # which of `past` is shown; len(past) is the draft being written
        self._draft = ""

    def on_mount(self) -> None:
        self.cursor_blink = self.app.animation_level != "none"

    def update_suggestion(self) -> None:
        """TextArea's hook, called after each edit: offer the rest of a /command typed at the end."""
        self.suggestion = complete(self.text) if self.cursor_location == self.document.end else ""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_submit()
        elif event.key in ("ctrl+j", "shift+enter", "alt+enter"):
            event.stop()
            event.prevent_default()
            self.insert("\n")

    def action_submit(self) -> None:
        text = self.text
        if not text.strip():
            return
        if not self.past or self.past[-1] != text:
            self.past.append(text)
        self._at, self._draft = len(self.past), ""
        self.clear()
        self.post_message(self.Submitted(self, text))

    def action_complete(self) -> None:
        if self.suggestion:
            self.insert(self.suggestion)
        else:
            self.screen.focus_next()

    # Up and down walk the history only from the first and last line as drawn (a long line wraps),
    # so moving about a message of several lines still works.

    def action_cursor_up(self, select: bool = False) -> None:
        first = self.cursor_location[0] == 0 and self.navigator.is_first_wrapped_line(self.cursor_location)
        if select or not first or self._at == 0:
            return super().action_cursor_up(select)
        if self._at == len(self.past):
            self._draft = self.text
        self._at -= 1
        self._show(self.past[self._at])

    def action_cursor_down(self, select: bool = False) -> None:
        last = (self.cursor_location[0] == self.document.line_count - 1
                and self.navigator.is_last_wrapped_line(self.cursor_location))
        if select or not last or self._at >= len(self.past):
            return super().action_cursor_down(select)
        self._at += 1
        self._show(self.past[self._at] if self._at < len(self.past) else self._draft)

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)


class Exchange(Vertical):
    """One message and its answer, with what System 1 offered and what was remembered."""

    def __init__(self, message: str, queued: bool = False, **kwargs):
        super().__init__(classes="exchange", **kwargs)
        self.message = message
        self.answer = ""
        self.result = None   # the TurnResult once the turn has finished
        self._queued = queued

    def compose(self) -> ComposeResult:
        yield Static(f"you  {self.message}", markup=False, classes="you")
        waiting = "(asleep: this waits until morning)" if self._queued else "…"
        yield Static(waiting, markup=False, classes="answer pending")
        yield Static("", markup=False, classes="details")

    def stream(self, token: str) -> None:
        self.answer += token
        answer = self.query_one(".answer", Static)
        answer.remove_class("pending")
        answer.update(self.answer)

    def begin(self) -> None:
        """The turn has started (a message queued overnight is answered now)."""
        self.query_one(".answer", Static).update("…")

    def finish(self, result, memories: list[tuple[str, str]], system1_on: bool = True) -> None:
        """Show the whole answer and, dimmed under it, System 1's provocation, the verdict and the memories.

        `memories` are (when, text) pairs in the order the turn recalled them.
        """
        self.result = result
        self.answer = result.answer
        answer = self.query_one(".answer", Static)
        answer.remove_class("pending")
        answer.update(result.answer)
        lines = []
        if result.system1:
            lines.append(f"System 1: {result.system1.strip()}  → {result.verdict or 'no verdict'}")
        elif not system1_on:
            lines.append("System 1 is off (the ablation)")
        else:
            lines.append("System 1 had nothing to offer")
        lines += [f"note: {note}" for note in result.notes]
        self.query_one(".details", Static).update("\n".join(lines))
        if memories:
            title = f"{len(memories)} memor{'y' if len(memories) == 1 else 'ies'} recalled"
            self.mount(Collapsible(*[Static(f"{when}  {text}", markup=False, classes="memory")
                                     for when, text in memories], title=title, collapsed=True,
                                   classes="memories"))

    def fail(self, error: str) -> None:
        answer = self.query_one(".answer", Static)
        answer.remove_class("pending")
        answer.add_class("error")
        answer.update(error)
