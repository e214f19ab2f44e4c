"""reverie's terminal home (Textual): the conversation, the dog, the chemistry and the night.

`reverie chat` opens it when standard input and output are a terminal; `--plain` and any
pipe keep the line loop. `app.py` wires the agent to the screen, `chat.py` holds the prompt
and the exchanges, `dog.py` the dog's moods and drawings, `panels.py` the chemistry bars and
the night's gauge, `views.py` the side views (search, adapters, wiki queue, briefing, help).
"""

from reverie.tui.app import ReverieApp

__all__ = ["ReverieApp"]
