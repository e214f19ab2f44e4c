"""The side panel's instruments: the chemistry bars, the countdown to sleep, the night's gauge.

The numbers come from pure functions and one small event reader (`countdown`,
`NightProgress`), so what the panel says is tested without drawing it; the widgets only
show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ProgressBar

from cognition.config import ChemistrySettings

# The sleep graph's phases in the order a night runs them (graphs/sleep.py's builder);
# a night with nothing to learn goes from dataset straight to the briefing.
PHASES = ("collect", "curate", "unlearn", "dataset", "train", "self_test", "promote", "merge", "dreams", "briefing")


def countdown(now: datetime, adenosine: float, nightly_hour: int) -> str:
    """'sleep due' once adenosine reaches 1.0, else the time left to the next nightly hour."""
    if adenosine >= 1.0:
        return "sleep due · ctrl+s"
    slot = now.replace(hour=nightly_hour, minute=0, second=0, microsecond=0)
    if slot <= now:
        slot += timedelta(days=1)
    minutes = int((slot - now).total_seconds() // 60)
    return f"sleep in {minutes // 60}h {minutes % 60:02d}m · {slot:%H:%M}"


@dataclass
class NightProgress:
    """What the night's events (graphs/sleep.py, graphs/night.py) say about how far it is."""

    phase: str | None = None
    done: list[str] = field(default_factory=list)
    step: int = 0
    of: int = 0
    loss: float | None = None
    resumed: str | None = None

    def event(self, e: dict) -> None:
        if "resumed" in e:
            self.resumed = e["resumed"]
        elif "step" in e:
            self.phase, self.step, self.of, self.loss = "train", e["step"], e["of"], e["loss"]
        elif "phase" in e:
            self.phase = e["phase"]
            if e.get("done") and e["phase"] not in self.done:
                self.done.append(e["phase"])

    def fraction(self) -> float:
        """0 to 1 over the phases, training counted by its steps."""
        if not self.phase:
            return 0.0
        at = PHASES.index(self.phase) if self.phase in PHASES else len(self.done)
        within = 1.0 if self.phase in self.done else (self.step / self.of if self.phase == "train" and self.of else 0.0)
        return min(1.0, (at + within) / len(PHASES))

    def describe(self) -> str:
        if not self.phase:
            return "falling asleep" + (" (resuming the last night)" if self.resumed else "")
        if self.phase == "train" and self.of and "train" not in self.done:
            loss = f" · loss {self.loss:.2f}" if self.loss is not None else ""
            return f"train {self.step}/{self.of}{loss}"
        return self.phase.replace("_", "-") + (" ✓" if self.phase in self.done else "…")


class ChemistryBars(Vertical):
    """Adenosine, cortisol and dopamine, each a labelled bar with its value."""

    NAMES = ("adenosine", "cortisol", "dopamine")

    def __init__(self, settings: ChemistrySettings | None = None, **kwargs):
        super().__init__(**kwargs)
        s = settings or ChemistrySettings()
        # Dopamine is a reward tag, not a level: its bar runs to the largest tag.
        self.totals = {"adenosine": 1.0, "cortisol": 1.0,
                       "dopamine": max(s.dopamine_praise, s.dopamine_correction, s.dopamine_neutral)}
        self.values: dict[str, float] = {}

    def compose(self) -> ComposeResult:
        for name in self.NAMES:
            with Horizontal(classes="chem-row"):
                yield Label(name, classes="chem-name")
                yield ProgressBar(total=self.totals[name], show_eta=False, show_percentage=False, id=f"bar-{name}")
                yield Label("-", id=f"value-{name}", classes="chem-value")

    def show(self, chemistry: dict[str, float]) -> None:
        for name in self.NAMES:
            value = float(chemistry.get(name, 0.0))
            self.values[name] = value
            self.query_one(f"#bar-{name}", ProgressBar).update(progress=min(value, self.totals[name]))
            self.query_one(f"#value-{name}", Label).update(f"{value:.2f}")


class SleepPanel(Vertical):
    """The countdown by day; by night the phase and a gauge fed by the training callback."""

    def compose(self) -> ComposeResult:
        yield Label("", id="countdown")
        yield Label("", id="night-phase", markup=False)
        yield ProgressBar(total=1.0, show_eta=False, id="night-gauge")
        yield Label("", id="last-night", markup=False)   # a rollback's reason is the night's own words

    def on_mount(self) -> None:
        self.query_one("#night-gauge").display = False

    def show_countdown(self, text: str) -> None:
        self.query_one("#countdown", Label).update(text)

    def night(self, progress: NightProgress | None) -> None:
        """Show the night's progress, or (None) put the gauge away in the morning."""
        gauge = self.query_one("#night-gauge", ProgressBar)
        gauge.display = progress is not None
        phase = self.query_one("#night-phase", Label)
        if progress is None:
            phase.update("")
            return
        gauge.update(progress=progress.fraction())
        phase.update(progress.describe())

    def morning(self, text: str) -> None:
        self.query_one("#last-night", Label).update(text)
