"""SVG snapshots of the terminal home (pytest-textual-snapshot): the dog in each mood, and the
home at 80x24 and 100x30 in the dark and the light theme with a conversation in the pane.

A snapshot must be the same on any machine, so what would vary is held still, never faked:
the clock is the one the app accepts (the countdown reads 22:30 on a fixed day), Textual's
animations are off (the dog keeps its first frame, the cursor does not blink), and the
conversation is two real turns on the tiny real model (conftest), sampled from the settings'
seed as every run of reverie is, with its real diary (its clock held at the same evening),
index and chemistry (plain messages:
no cortisol to decay while the screen is drawn, and the recalled memory, whose line carries
the time it was written, stays folded).

The SVGs live in __snapshots__/test_tui_snapshots/ beside this file, where syrupy looks for
them. After a change to the screen, look at the report a failing run writes, then accept it:
`pytest tests/reverie/test_tui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.app import App, ComposeResult

from cognition.config import load_settings
from graphs.agent import Agent
from reverie.tui import ReverieApp
from reverie.tui.app import DARK, LIGHT
from reverie.tui.chat import Exchange, Prompt
from reverie.tui.dog import MOODS, Dog

# pytest-textual-snapshot 1.0.0 names its extension with syrupy 4's `_file_extension`; syrupy 5
# (the first to run under pytest 9) reads `file_extension`, so without this the SVGs are saved
# as .raw. Its upstream fix: https://github.com/Textualize/pytest-textual-snapshot/pull/24
SVGImageExtension.file_extension = "svg"

EVENING = datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc)   # 4h 30m before the nightly hour (03:00)
SAID = ("I keep the lighthouse on Runde.", "What do you know about lighthouses?")


class StillDog(App):
    """The dog alone, in one mood, holding its first frame."""

    CSS = "Dog { width: 24; height: 8; margin: 1 2; }"

    def __init__(self, mood: str):
        super().__init__()
        self.mood = mood
        self.animation_level = "none"

    def compose(self) -> ComposeResult:
        yield Dog()

    def on_mount(self) -> None:
        self.query_one(Dog).mood = self.mood


@pytest.mark.parametrize("mood", MOODS)
def test_the_dog_in_each_mood(snap_compare, mood):
    assert snap_compare(StillDog(mood), terminal_size=(30, 10))


@pytest.fixture()
def agent(home, tiny_model_dir, monkeypatch):
    # The diary's clock too: each recalled memory reaches System 2's prompt with its date, so a
    # conversation written on another day would sample another answer.
    monkeypatch.setattr("cognition.diary.now", lambda: EVENING)
    a = Agent(load_settings(
        user="snap", seed=0,
        model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
        system1={"associate_tokens": 8, "answer_tokens": 8}, system2={"answer_tokens": 8}))
    a.index.add([a.diary.write("exchange", "My sister Ilse lives in Ghent.", reply="Noted.")])
    yield a
    a.close()


def test_with_animations_off_the_dog_holds_still_and_the_cursor_does_not_blink(agent):
    """What keeps the snapshots the same every run: a frame flip (every 0.8 s) or a cursor blink
    (every 0.5 s) landing before the screenshot would change it."""
    app = ReverieApp(agent, now=lambda: EVENING)
    app.animation_level = "none"

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(1.2)
            assert app.main.query_one(Dog).frame == 0 and not app.main.query_one(Prompt).cursor_blink

    asyncio.run(main())


async def converse(pilot) -> None:
    """Say each of SAID and wait for its whole answer (a turn runs in a worker)."""
    app = pilot.app
    for message in SAID:
        await pilot.press(*message, "enter")
        await pilot.pause()
        while running := [w for w in app.workers if not w.is_finished]:
            await app.workers.wait_for_complete(running)
            await pilot.pause()
    exchanges = app.main.query(Exchange)
    assert [e.message for e in exchanges] == list(SAID) and all(e.result for e in exchanges)


@pytest.mark.parametrize("theme", [DARK, LIGHT])
@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
def test_the_home_with_a_conversation(snap_compare, agent, size, theme):
    app = ReverieApp(agent, now=lambda: EVENING)
    app.animation_level = "none"

    async def run_before(pilot) -> None:
        await converse(pilot)
        app.theme = theme

    assert snap_compare(app, terminal_size=size, run_before=run_before)
