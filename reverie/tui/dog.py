"""The dog: an ASCII face for the agent's state, so a glance says what it is doing.

The mood is a pure function of the chemistry, what is running and the last feedback
(`mood()`), so it is tested without a screen; the widget only draws it. Each mood has two
frames that alternate on a timer: the dog breathes, wags, snores. The timer redraws a
few lines, nothing waits on it, and typing never does. With Textual's animations off
(`TEXTUAL_ANIMATIONS=none`, or `app.animation_level = "none"`) the dog holds its first frame:
what a person who asked for no motion wants, and what lets a snapshot be the same every run.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.reactive import reactive
from textual.widgets import Static

from cognition.config import ChemistrySettings

MOODS = ("content", "curious", "happy", "worried", "drowsy", "asleep")

# What is running, as the app tells the dog: a turn before its first token (System 1 and
# recall at work), a turn streaming its answer, a night.
THINKING, ANSWERING, NIGHT = "thinking", "answering", "night"


def mood(chemistry: Mapping[str, float], running: str | None = None, feedback: str | None = None,
         settings: ChemistrySettings | None = None) -> str:
    """The dog's mood. `feedback` is the last turn's category ('praise', 'correction', ...).

    What happens now outranks how it feels: a night is sleep, a turn in flight is
    curiosity. The last feedback outranks the slower chemistry (praise cheers it even while
    cortisol from earlier corrections lingers); then stress, then sleep pressure. Drowsiness
    starts where the idle mind stops daydreaming (`daydream_stops_at`), the first thing
    adenosine switches off.
    """
    s = settings or ChemistrySettings()
    if running == NIGHT:
        return "asleep"
    if running == THINKING:
        return "curious"
    if feedback == "correction":
        return "worried"
    if feedback == "praise":
        return "happy"
    if chemistry.get("cortisol", 0.0) >= s.cortisol_stressed_at:
        return "worried"
    if chemistry.get("adenosine", 0.0) >= s.daydream_stops_at:
        return "drowsy"
    return "content"


# Each drawing is 7 lines of at most 24 columns (the side panel at 80x24); two frames each.
DRAWINGS: dict[str, tuple[str, str]] = {
    "content": (
        r"""
   __         __
  /  \_______/  \
  \_/  o   o  \_/
     |   Y   |      ~
      \ \_/ /     _/
   ____)   (_____/
  (____|___|_____)""",
        r"""
   __         __
  /  \_______/  \
  \_/  o   o  \_/
     |   Y   |    \
      \ \_/ /      \_
   ____)   (_____/
  (____|___|_____)"""),
    "curious": (
        r"""
   /\          ?
  /  \_______ __
  \   O   o  /  \
   |    Y    \_/
    \   o   /
   __)     (_____
  (____|___|_____)""",
        r"""
   /\         ?
  /  \_______ __ ?
  \   O   o  /  \
   |    Y    \_/
    \   o   /
   __)     (_____
  (____|___|_____)"""),
    "happy": (
        r"""
   __         __
  /  \_______/  \   *
  \_/  ^   ^  \_/
     |   Y   |    \\
      \ \_U_/      //
   ____)   (_____/
  (____|___|_____)""",
        r"""
   __         __  *
  /  \_______/  \
  \_/  ^   ^  \_/
     |   Y   |     //
      \ \_U_/     \\
   ____)   (_____/
  (____|___|_____)"""),
    "worried": (
        r"""
   __         __
  /  \_______/  \
  \_/ /     \ \_/  '
     |  o Y o  |
      \ .~~~. /
   ____)     (____
  (____|_____|____)""",
        r"""
   __         __
  /  \_______/  \   '
  \_/ /     \ \_/
     |  o Y o  |    '
      \ .~~~. /
   ____)     (____
  (____|_____|____)"""),
    "drowsy": (
        r"""
   __         __
  /  \_______/  \
  \_/  -   -  \_/
     |   Y   |
      \  o  /   z
   ____)   (_____
  (____|___|_____)""",
        r"""
   __         __
  /  \_______/  \
  \_/  _   _  \_/
     |   Y   |     z
      \  O  /
   ____)   (_____
  (____|___|_____)"""),
    "asleep": (
        r"""
           .--------.
         o ( a bone )
   __   .  '--------'
  /  \______
  \_/ -  -  \____  z
  (___w___________) Z
 ~~~~~~~~~~~~~~~~~~~""",
        r"""
           .--------.
         o ( a ball )
   __   .  '--------'
  /  \______      Z
  \_/ -  -  \____
  (___w___________)  z
 ~~~~~~~~~~~~~~~~~~~"""),
}


def drawing(name: str, frame: int = 0) -> str:
    return DRAWINGS[name][frame % 2].strip("\n")


class Dog(Static):
    """Draws `mood`, flipping between its two frames while the app runs."""

    mood: reactive[str] = reactive("content")
    frame: reactive[int] = reactive(0)

    def __init__(self, **kwargs):
        super().__init__(drawing("content"), markup=False, **kwargs)

    def on_mount(self) -> None:
        self.set_interval(0.8, self._next_frame)

    def _next_frame(self) -> None:
        if self.app.animation_level != "none":
            self.frame = (self.frame + 1) % 2

    def watch_mood(self, name: str) -> None:
        if name not in DRAWINGS:
            raise ValueError(f"the dog has no drawing for mood {name!r}; it has {', '.join(MOODS)}")
        self.tooltip = name
        self.frame = 0
        self._draw()

    def watch_frame(self, frame: int) -> None:
        self._draw()

    def _draw(self) -> None:
        self.update(drawing(self.mood, self.frame), layout=False)
