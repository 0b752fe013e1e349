"""The bare Textual app the benches compare against: one line of text.

    python bench/bare_app.py          # start-up bench: shows BARE-READY
    python bench/bare_app.py --keys   # key-press bench: each key re-sets the line

With ``--keys`` every key press replaces the text (``Static.update``): the floor of
key → frame for a Textual app in this terminal.
"""

import sys

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Static


class BareApp(App):
    def compose(self) -> ComposeResult:
        yield Static("BARE-READY 你好", id="line")

    def on_key(self, event: events.Key) -> None:
        if "--keys" in sys.argv:
            self.query_one("#line", Static).update(f"BARE-READY {event.key} {event.character or ''}")


if __name__ == "__main__":
    BareApp().run()
