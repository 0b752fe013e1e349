"""The bare Textual app the start-up bench compares against: one line of text."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class BareApp(App):
    def compose(self) -> ComposeResult:
        yield Static("BARE-READY 你好")


if __name__ == "__main__":
    BareApp().run()
