"""Nothing heavy before the first frame: the login screen and the command line that
opens it import neither SQLAlchemy, pydantic, reportlab nor the catalog."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "pydantic", "reportlab", "qrcode", "alembic", "bundles.loader", "hall_app.services.cases")


def test_first_screen_imports_are_light():
    code = (
        "import sys\n"
        "from hall_app.cli import build_parser\n"
        "args = build_parser().parse_args(['--db', '/tmp/never-opened.db'])\n"
        "from hall_app.config import load_settings\n"
        "load_settings(db=args.db)\n"
        "import screens.app, screens.login\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


async def test_the_login_form_is_styled_once_on_its_way_to_the_first_frame(app, monkeypatch):
    """Textual restyles a resumed screen's whole tree; the login's first resume follows its
    compose, when every node has just been styled (screens/styled_once.py). A node nothing
    changes afterwards (the boxes, the hall's name) is styled exactly once."""
    from textual.css.stylesheet import Stylesheet

    styled: dict[str, int] = {}
    apply = Stylesheet.apply

    def counting(self, node, *args, **kwargs):
        if node.id:
            styled[node.id] = styled.get(node.id, 0) + 1
        return apply(self, node, *args, **kwargs)

    monkeypatch.setattr(Stylesheet, "apply", counting)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "LoginScreen"
        assert {key: styled.get(key) for key in ("login-area", "login-box", "hall-name", "user-row")} == {
            "login-area": 1, "login-box": 1, "hall-name": 1, "user-row": 1}


def test_the_first_frame_compiles_no_text_rule_pattern():
    """hall_app.domain.text's control-character patterns reach the surrogates, for which
    ``re`` builds a 65,536-entry map (~2 ms); the login's modules import the module (for
    pastes) but compile the patterns only when text is first checked."""
    code = ("import screens.app, screens.login, hall_app.domain.text as t\n"
            "print(t._bad.cache_info().currsize, t.text_problem('a\\x00', 9) != '', t._bad.cache_info().currsize)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "True", "1"], out.stdout + out.stderr
