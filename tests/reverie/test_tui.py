"""The terminal home, driven as a person drives it: Textual's Pilot types, presses keys and
clicks, on a real agent over the tiny real model (conftest), its real diary, index,
adapter store and sleep graph. Async tests run under `asyncio.run` in plain functions.
"""

from __future__ import annotations

import asyncio
import os
import pty
import select
import subprocess
import sys
import threading
from datetime import datetime

import pytest

from cognition.config import ChemistrySettings, load_settings
from cognition.notices import Notices
from graphs.agent import Agent
from graphs.night import Night
from reverie.tui import ReverieApp
from reverie.tui.app import DARK, LIGHT, PROMPT_KEYS
from reverie.tui.chat import COMMANDS, Exchange, Prompt, complete
from reverie.tui.dog import DRAWINGS, MOODS, NIGHT, THINKING, Dog, drawing, mood
from reverie.tui.panels import PHASES, ChemistryBars, NightProgress, SleepPanel, countdown
from reverie.tui.views import AdaptersView, BriefingView, HelpView, ProposalsView, SearchView

DAY = [
    "My sister Ilse lives in Ghent.",
    "I work as a lighthouse keeper on the island of Runde.",
    "My cat is called Tuppen and he has one eye.",
]


def _settings(tiny_model_dir):
    return load_settings(
        model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
        system1={"associate_tokens": 8, "answer_tokens": 8}, system2={"answer_tokens": 8},
        sleep={"rem_cycles_min": 1, "rem_cycles_max": 1, "iterations_per_cycle": 3, "batch_size": 4,
               "self_test_threshold": 0.0, "drift_bound": 1000.0, "anchor_weight": 0.0})


@pytest.fixture()
def agent(home, tiny_model_dir):
    a = Agent(_settings(tiny_model_dir))
    yield a
    a.close()


def drive(app: ReverieApp, script, size=(100, 30)) -> None:
    """Run `script(pilot)` against the app in Textual's headless harness."""

    async def main():
        async with app.run_test(size=size, notifications=True) as pilot:
            await script(pilot)

    asyncio.run(main())


async def settle(pilot) -> None:
    """Let every worker finish (a turn, a search, a night, and what their messages start next)
    and the screen catch up."""
    while True:
        await pilot.pause()
        running = [w for w in pilot.app.workers if not w.is_finished]
        if not running:
            return
        await pilot.app.workers.wait_for_complete(running)


def text_of(widget) -> str:
    return str(widget.content)


def remember(agent, text: str) -> None:
    """A diary entry and its index row, as a turn leaves them (without running a model)."""
    agent.index.add([agent.diary.write("exchange", text, reply="Noted.")])


# -- the conversation --------------------------------------------------------------------------

def test_a_message_streams_its_answer_with_system1_the_verdict_and_the_memories_under_it(agent, monkeypatch):
    agent.say(DAY[0], system1=False)   # something to recall
    seen: list[tuple[str, str]] = []
    stream, finish = Exchange.stream, Exchange.finish
    monkeypatch.setattr(Exchange, "stream", lambda self, token: (seen.append(("token", token)), stream(self, token)))
    monkeypatch.setattr(Exchange, "finish", lambda self, *a, **k: (seen.append(("finish", "")), finish(self, *a, **k)))
    watch = Dog.watch_mood
    monkeypatch.setattr(Dog, "watch_mood", lambda self, name: (seen.append(("dog", name)), watch(self, name)))
    app = ReverieApp(agent)

    async def script(pilot):
        await pilot.press(*"Ilse visits me every summer.", "enter")
        assert app.main.query_one(Prompt).text == ""
        await settle(pilot)
        exchange = app.main.query(Exchange).last()
        result = exchange.result
        assert result is not None and text_of(exchange.query_one(".you")) == "you  Ilse visits me every summer."
        tokens = [t for kind, t in seen if kind == "token"]
        assert tokens and "".join(tokens).strip()
        order = [kind if kind != "dog" else t for kind, t in seen]
        assert order.index("curious") < order.index("token") < order.index("finish")   # curious while System 1 thinks
        assert text_of(exchange.query_one(".answer")) == result.answer
        details = text_of(exchange.query_one(".details"))
        assert result.system1 and result.verdict in ("accept", "refine", "discard")
        assert details.startswith(f"System 1: {result.system1.strip()}") and f"→ {result.verdict}" in details
        folded = exchange.query_one(".memories")
        assert folded.collapsed and "1 memory recalled" in folded.title
        await pilot.click(folded.query_one("CollapsibleTitle"))
        assert not folded.collapsed
        assert [text_of(m).split("  ", 1)[1] for m in folded.query(".memory")] == [DAY[0]]
        assert not app.in_turn and app.feedback == result.category   # what the dog reads next

    drive(app, script)


def test_up_and_down_walk_the_history_and_keep_the_draft(agent):
    remember(agent, "first thing I said")
    remember(agent, "second thing I said")
    app = ReverieApp(agent)

    async def script(pilot):
        prompt = app.main.query_one(Prompt)
        await pilot.press(*"a draft", "ctrl+j", *"of two lines")
        await pilot.press("up")   # within the draft first
        assert prompt.text == "a draft\nof two lines" and prompt.cursor_location[0] == 0
        await pilot.press("up")
        assert prompt.text == "second thing I said"
        await pilot.press("up", "up")
        assert prompt.text == "first thing I said"
        await pilot.press("down")
        assert prompt.text == "second thing I said"
        await pilot.press("down")
        assert prompt.text == "a draft\nof two lines"
        prompt.clear()
        await pilot.press(*"/help", "enter")
        assert isinstance(app.screen, HelpView)
        await pilot.press("escape")
        await pilot.press("up")
        assert prompt.text == "/help"

    drive(app, script)


def test_a_paste_keeps_its_lines_and_enter_sends_them_as_one_message(agent):
    from textual import events

    app = ReverieApp(agent, system1=False)   # the ablation, said as such under the answer
    pasted = "Shopping:\n- eggs\n- rye bread"

    async def script(pilot):
        prompt = app.main.query_one(Prompt)
        app.post_message(events.Paste(pasted))   # as the terminal's driver delivers a paste
        await pilot.pause()
        assert prompt.text == pasted
        await pilot.press("ctrl+j", *"- milk")
        assert prompt.text == pasted + "\n- milk"
        await pilot.press("enter")
        await settle(pilot)
        exchange = app.main.query(Exchange).last()
        assert exchange.message == pasted + "\n- milk" and exchange.result.system1 is None
        assert text_of(exchange.query_one(".details")) == "System 1 is off (the ablation)"

    drive(app, script)
    assert agent.diary.counts()["exchange"] == 1


def test_slash_commands_complete_with_tab_and_run(agent):
    assert complete("/ad") == "apters" and complete("/se") == "arch" and complete("/help") == ""
    assert complete("hello /ad") == "" and complete("/search x") == ""
    app = ReverieApp(agent)

    async def script(pilot):
        prompt = app.main.query_one(Prompt)
        await pilot.press(*"/ad")
        assert prompt.suggestion == "apters"
        await pilot.press("tab")
        assert prompt.text == "/adapters"
        await pilot.press("enter")
        assert isinstance(app.screen, AdaptersView)
        await pilot.press("escape")
        await pilot.press(*"/he", "enter")   # a prefix of one command alone runs it
        assert isinstance(app.screen, HelpView)
        await pilot.press("escape")
        await pilot.press(*"/s", "enter")    # /sleep or /search: neither runs
        assert not app.asleep and not isinstance(app.screen, SearchView)
        await pilot.press(*"/nope", "enter")
        told = [n.message for n in app._notifications]
        assert any("no command /s;" in m for m in told) and any("no command /nope" in m for m in told)
        assert not app.main.query(Exchange)   # a command is never sent as a message

    drive(app, script)


@pytest.mark.embedded
def test_the_embedded_model_streams_its_answer_into_the_pane(home, monkeypatch):
    tokens: list[str] = []
    stream = Exchange.stream
    monkeypatch.setattr(Exchange, "stream", lambda self, token: (tokens.append(token), stream(self, token)))
    agent = Agent(load_settings())
    app = ReverieApp(agent)

    async def script(pilot):
        await pilot.press(*"My sister Ilse lives in Ghent and plays the viola.", "enter")
        await settle(pilot)
        exchange = app.main.query(Exchange).last()
        assert exchange.result.answer and text_of(exchange.query_one(".answer")) == exchange.result.answer
        assert text_of(exchange.query_one(".details")).startswith("System 1: ")

    try:
        drive(app, script)
    finally:
        agent.close()
    assert len(tokens) > 1   # token by token, not the answer at the end


# -- side views --------------------------------------------------------------------------------

def test_ctrl_f_finds_a_diary_entry(agent):
    for text in DAY:
        remember(agent, text)
    app = ReverieApp(agent)

    async def script(pilot):
        await pilot.press("ctrl+f")
        view = app.screen
        assert isinstance(view, SearchView)
        await pilot.press(*"where is the lighthouse", "enter")
        await settle(pilot)
        assert view.hits and view.hits[0]["text"] == DAY[1]
        assert DAY[1] in text_of(view.query(".hit").first())
        await pilot.press("escape")
        assert not isinstance(app.screen, SearchView)
        await pilot.press(*"/search cat with one eye", "enter")
        await settle(pilot)
        assert app.screen.hits[0]["text"] == DAY[2]

    drive(app, script)


def test_ctrl_a_lists_the_adapters_and_their_scores(agent, adapter_factory):
    app = ReverieApp(agent)

    async def script(pilot):
        await pilot.press("ctrl+a")
        assert "No adapter yet" in str(app.screen.query_one("#adapters-empty").content)
        await pilot.press("escape")
        first = adapter_factory(agent.adapters)
        second = adapter_factory(agent.adapters, seed=2, parent=first)
        agent.adapters.annotate(first, status="promoted", self_test={"score": 0.8})
        agent.adapters.annotate(second, status="rolled_back", self_test={"score": 0.5, "held_out": {"score": 0.25}},
                                drift={"ratio": 1.234})
        agent.adapters.promote(first)
        await pilot.press("ctrl+a")
        table = app.screen.query_one("#adapters-table")
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [["", second, "rolled_back", "50%", "25%", "1.234x", first, ""],
                        ["*", first, "promoted", "80%", "-", "-", "-", ""]]

    drive(app, script)


def test_ctrl_o_lists_the_wikis_pending_proposals_when_there_is_a_wiki(agent):
    from wiki.proposals import Author, Dream, Queue, new_id, now
    from wiki.store import init_wiki

    home = agent.settings.home
    app = ReverieApp(agent)

    async def script(pilot):
        await pilot.press("ctrl+o")
        assert "No wiki in this home yet" in str(app.screen.query_one("#proposals-none").content)
        await pilot.press("escape")
        init_wiki(home)
        dream = Dream(id=new_id("dream"), created=now(), author=Author(worker="person"),
                      rationale="two memories met", nodes={}, text="A lighthouse cat keeps watch.")
        Queue(home / "proposals").stage(dream)
        await pilot.press("ctrl+o")
        view = app.screen
        assert isinstance(view, ProposalsView)
        shown = [text_of(s) for s in view.query(".proposal")]
        assert len(shown) == 1 and dream.id in shown[0] and "two memories met" in shown[0]

    drive(app, script)


def test_f1_lists_every_key_and_command(agent):
    app = ReverieApp(agent)

    async def script(pilot):
        await pilot.press("f1")
        assert isinstance(app.screen, HelpView)
        help_text = text_of(app.screen.query_one("#help-text"))
        for binding in ReverieApp.BINDINGS:
            assert f"{binding.key}  " in help_text and binding.tooltip in help_text
        for key, description in PROMPT_KEYS:
            assert key in help_text and description in help_text
        for command in COMMANDS:
            assert command.name in help_text and command.help in help_text
        await pilot.press("ctrl+a")   # another view's key replaces the open one
        assert isinstance(app.screen, AdaptersView) and len(app.screen_stack) == 2

    drive(app, script)


def test_notices_open_the_briefing_and_toast_failures(agent):
    notices = Notices(agent.user_home.root)
    notices.failure("sleep", "OSError: the disk is full")
    agent.user_home.briefings.mkdir(parents=True, exist_ok=True)
    (agent.user_home.briefings / "2026-03-01.md").write_text("# Morning briefing\n\nPromoted v0007.\n",
                                                            encoding="utf-8")
    app = ReverieApp(agent)

    async def script(pilot):
        assert isinstance(app.screen, BriefingView) and app.screen.TITLE == "2026-03-01.md"
        assert "Promoted v0007." in app.screen.query_one("#briefing-text").source
        assert any("unattended sleep failed" in n.message and "disk is full" in n.message
                   for n in app._notifications)

    drive(app, script)
    assert notices.pending() == {"briefing": None, "failures": []}


# -- the dog, the chemistry, the countdown -------------------------------------------------------

@pytest.mark.parametrize("chemistry, running, feedback, expected", [
    ({"adenosine": 0.1, "cortisol": 0.0}, None, None, "content"),
    ({"adenosine": 0.1, "cortisol": 0.0}, THINKING, None, "curious"),
    ({"adenosine": 0.1, "cortisol": 0.0}, None, "praise", "happy"),
    ({"adenosine": 0.1, "cortisol": 0.9}, None, "praise", "happy"),      # praise outranks lingering stress
    ({"adenosine": 0.1, "cortisol": 0.7}, None, None, "worried"),
    ({"adenosine": 0.1, "cortisol": 0.0}, None, "correction", "worried"),
    ({"adenosine": 0.8, "cortisol": 0.0}, None, None, "drowsy"),
    ({"adenosine": 0.8, "cortisol": 0.7}, None, None, "worried"),
    ({"adenosine": 1.0, "cortisol": 0.9}, NIGHT, "praise", "asleep"),
    ({"adenosine": 0.1, "cortisol": 0.9}, THINKING, "correction", "curious"),
])
def test_the_dogs_mood_follows_the_state(chemistry, running, feedback, expected):
    assert mood(chemistry, running, feedback, ChemistrySettings()) == expected


def test_the_drowsy_and_worried_thresholds_are_the_settings():
    calm = ChemistrySettings(cortisol_stressed_at=0.95, daydream_stops_at=0.95)
    assert mood({"adenosine": 0.8, "cortisol": 0.8}, settings=calm) == "content"


def test_every_mood_has_its_own_drawings():
    frames = [drawing(m, f) for m in MOODS for f in (0, 1)]
    assert set(DRAWINGS) == set(MOODS) and len(set(frames)) == len(frames)
    for frame in frames:
        lines = frame.splitlines()
        assert len(lines) <= 7 and max(map(len, lines)) <= 24   # fits the side panel at 80x24


def test_the_dog_redraws_when_its_mood_changes(agent):
    app = ReverieApp(agent)

    async def script(pilot):
        dog = app.main.query_one(Dog)
        assert dog.mood == "content" and text_of(dog) in (drawing("content", 0), drawing("content", 1))
        app.feedback = "praise"
        app.refresh_state()
        await pilot.pause()
        assert dog.mood == "happy" and text_of(dog) in (drawing("happy", 0), drawing("happy", 1))
        dog.frame = 1 - dog.frame
        await pilot.pause()
        assert text_of(dog) == drawing("happy", dog.frame)

    drive(app, script)


def test_the_bars_show_the_agents_chemistry_and_a_correction_worries_the_dog(agent):
    agent.say(DAY[0], system1=False)
    app = ReverieApp(agent)

    def shown(bars) -> dict[str, str]:
        return {n: str(bars.query_one(f"#value-{n}").content) for n in ChemistryBars.NAMES}

    async def script(pilot):
        bars, dog = app.main.query_one(ChemistryBars), app.main.query_one(Dog)
        before = agent.chemistry.load().snapshot()
        assert shown(bars) == {n: f"{before[n]:.2f}" for n in ChemistryBars.NAMES}
        assert before["adenosine"] > 0 and bars.query_one("#bar-adenosine").progress == pytest.approx(
            before["adenosine"], abs=1e-3)
        face = text_of(dog)
        await pilot.press(*"No, that's wrong: Ilse lives in Bruges, not Ghent.", "enter")
        await settle(pilot)
        after = agent.chemistry.load().snapshot()
        assert after["cortisol"] > before["cortisol"]
        assert shown(bars) == {n: f"{after[n]:.2f}" for n in ChemistryBars.NAMES}
        assert bars.query_one("#bar-cortisol").progress == pytest.approx(after["cortisol"], abs=1e-3)
        assert dog.mood == "worried" and text_of(dog) != face

    drive(app, script)


def test_the_countdown_names_the_nightly_hour_or_says_sleep_is_due():
    evening = datetime(2026, 3, 1, 22, 30).astimezone()
    assert countdown(evening, 0.4, 3) == "sleep in 4h 30m · 03:00"
    assert countdown(evening.replace(hour=3, minute=0), 0.4, 3) == "sleep in 24h 00m · 03:00"
    assert countdown(evening, 1.0, 3) == "sleep due · ctrl+s"


def test_the_gauges_phases_are_the_sleep_graphs():
    from graphs.sleep import builder

    assert PHASES == tuple(builder.nodes)


def test_the_night_gauge_counts_phases_and_training_steps():
    progress = NightProgress()
    assert progress.fraction() == 0.0 and progress.describe() == "falling asleep"
    for phase in PHASES[:4]:
        progress.event({"phase": phase, "done": False})
        progress.event({"phase": phase, "done": True, "seconds": 0.1})
    progress.event({"phase": "train", "done": False})
    progress.event({"phase": "train", "step": 2, "of": 4, "loss": 1.5})
    assert progress.fraction() == pytest.approx(4.5 / len(PHASES))
    assert progress.describe() == "train 2/4 · loss 1.50"
    progress.event({"phase": "briefing", "done": True, "seconds": 0.1})
    assert progress.fraction() == 1.0


# -- the night ------------------------------------------------------------------------------------

class HeldNight(ReverieApp):
    """The home with its night held at the pause point after `phase`, until the test releases it:
    the night is certainly still running while the test types or quits."""

    def __init__(self, agent, phase: str = "curate"):
        super().__init__(agent)
        self.phase = phase
        self.held, self.release = threading.Event(), threading.Event()

    def _night_stop(self) -> None:
        if self.progress is not None and self.phase in self.progress.done and not self.release.is_set():
            self.held.set()
            self.release.wait()
        super()._night_stop()


async def until_held(pilot) -> None:
    app = pilot.app
    while not app.held.is_set() and (app.night_thread is None or app.night_thread.is_alive()):
        await pilot.pause(0.05)
    assert app.held.is_set(), "the night ended before it reached the phase it was to be held after"


def test_ctrl_s_sleeps_in_a_worker_while_the_prompt_takes_typing(agent, monkeypatch):
    for text in DAY:
        agent.say(text, system1=False)
    gauge: list[tuple[str, float]] = []
    night = SleepPanel.night
    monkeypatch.setattr(SleepPanel, "night", lambda self, p: (
        gauge.append((p.describe(), p.fraction())) if p else None, night(self, p)))
    app = HeldNight(agent)

    async def script(pilot):
        await pilot.press("ctrl+s")
        assert app.asleep and app.main.query_one(Dog).mood == "asleep"
        assert app.main.query_one("#asleep-banner").display
        await until_held(pilot)
        await pilot.press(*"Good morning!")
        assert app.main.query_one(Prompt).text == "Good morning!" and app.night_thread.is_alive()
        await pilot.press("enter")
        queued = app.main.query(Exchange).last()
        assert queued.result is None and list(app.waiting) == [queued]
        assert "waits until morning" in text_of(queued.query_one(".answer"))
        app.release.set()
        await settle(pilot)   # the night, the morning, then the queued message answered
        assert isinstance(app.screen, BriefingView) and "Morning briefing" in app.screen.query_one(
            "#briefing-text").source
        assert queued.result is not None and text_of(queued.query_one(".answer")) == queued.result.answer
        chat = list(app.main.query_one("#chat").children)
        morning = app.main.query_one(".morning")
        assert text_of(morning).startswith("slept: promoted v0001") and chat.index(morning) < chat.index(queued)
        assert not app.asleep and app.main.query_one(Dog).mood != "asleep"
        assert not app.main.query_one("#asleep-banner").display

    drive(app, script)
    assert app.last_night["promoted"] and agent.adapters.current() == app.last_night["version"]
    assert any(text.startswith("train 1/") for text, _ in gauge)
    fractions = [f for _, f in gauge]
    assert fractions == sorted(fractions) and fractions[-1] > fractions[0]


def test_quitting_mid_night_leaves_it_to_resume_from_its_checkpoint(agent, monkeypatch):
    for text in DAY:
        agent.say(text, system1=False)
    app = HeldNight(agent, phase="curate")

    async def quit_mid_night(pilot):
        await pilot.press("ctrl+s")
        await until_held(pilot)
        await pilot.press("ctrl+q")

    drive(app, quit_mid_night)
    assert app.night_interrupted
    app.release.set()
    app.night_thread.join()
    assert Night(agent).pending() is not None   # the night is still to be finished

    events: list[dict] = []
    event = NightProgress.event
    monkeypatch.setattr(NightProgress, "event", lambda self, e: (events.append(e), event(self, e)))
    again = ReverieApp(agent)

    async def sleep_again(pilot):
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = [text_of(s) for s in again.main.query("#chat > Static")]
        assert "finishing the night left unfinished, from where it stopped" in said

    drive(again, sleep_again)
    begun = [e["phase"] for e in events if "phase" in e and "step" not in e and not e.get("done")]
    assert "resumed" in events[0] and begun[0] not in ("collect", "curate")   # from its checkpoint, not the start
    assert again.last_night["promoted"] and Night(agent).pending() is None


# -- the screen ----------------------------------------------------------------------------------

def _contrast(style) -> float:
    def luminance(color) -> float:
        def channel(c: float) -> float:
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = color.get_truecolor()
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    a, b = sorted((luminance(style.color), luminance(style.bgcolor)), reverse=True)
    return (a + 0.05) / (b + 0.05)


@pytest.mark.parametrize("size", [(80, 24), (140, 45)])
def test_the_home_fits_the_screen_and_reads_in_both_themes(agent, size):
    remember(agent, DAY[0])
    app = ReverieApp(agent)

    async def script(pilot):
        await pilot.press(*"Hello there", "enter")
        await settle(pilot)
        for theme in (DARK, LIGHT):
            app.theme = theme
            await pilot.pause()
            width, height = size
            for selector in ("#dog", "#chemistry", "#countdown", "#prompt", "#chat", "Footer"):
                region = app.main.query_one(selector).region
                assert region.area and region.right <= width and region.bottom <= height, (theme, selector, region)
            dog = app.main.query_one(Dog)
            assert dog.region.width >= max(len(line) for line in text_of(dog).splitlines())
            exchange = app.main.query(Exchange).last()
            for widget in (dog, exchange.query_one(".you"), exchange.query_one(".answer"),
                           exchange.query_one(".details"), app.main.query_one("#countdown"),
                           app.main.query_one(".chem-name")):
                assert _contrast(widget.rich_style) >= 3.0, (theme, widget, widget.rich_style)
            assert "reverie" in app.export_screenshot()

    drive(app, script, size=size)


# -- `reverie chat` ---------------------------------------------------------------------------------

def _in_a_terminal(home, *args: str, keys: bytes, until: bytes) -> bytes:
    """Run `reverie chat` on a pseudo-terminal, send `keys` once `until` shows, return what it drew."""
    env = {**os.environ, "REVERIE_HOME": str(home), "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "reverie", "chat", *args], stdin=follower, stdout=follower,
                            stderr=follower, env=env, close_fds=True)
    os.close(follower)
    seen, sent = b"", False
    try:
        while proc.poll() is None:
            ready, _, _ = select.select([leader], [], [], 1.0)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:
                    break
            if not sent and until in seen:
                os.write(leader, keys)
                sent = True
        proc.wait(timeout=60)
    finally:
        os.close(leader)
        if proc.poll() is None:
            proc.kill()
    assert sent, seen[-2000:]
    return seen


def test_chat_opens_the_home_on_a_terminal_and_the_line_loop_with_plain(home):
    drawn = _in_a_terminal(home, keys=b"\x11", until=b"sleep in")            # ctrl+q
    assert b"\x1b[?1049h" in drawn                                           # the full screen
    plain = _in_a_terminal(home, "--plain", keys=b"/quit\n", until=b"you> ")
    assert b"\x1b[?1049h" not in plain and b"/quit to leave" in plain
