"""Remappable keys: the ``[keymap]`` settings section, applied with Textual's
``App.set_keymap`` (binding id -> keys), and the helpers every key hint uses so that
the key bar, the help screen, the palette and the prose hints ("F6 添加代办人") show
the keys in force, never a hard-coded name.

Every ``Binding`` in ``screens/`` has an ``id`` (``workbench.new``, ``intake.next`` …);
``hall-app config keys`` lists them with their default keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from textual.binding import Binding

# how prose hints name a key (the style the Chinese text was written in: F6, Ctrl+P, Esc, 回车)
PROSE = {"escape": "Esc", "enter": "回车", "space": "Space", "tab": "Tab", "pageup": "PgUp",
         "pagedown": "PgDn", "delete": "Delete", "backspace": "Backspace", "slash": "/",
         "up": "↑", "down": "↓", "left": "←", "right": "→", "question_mark": "?"}


def keymap_of(app) -> dict[str, str]:
    """The keymap in force (binding id -> comma-separated keys), normalised by Textual."""
    if app is None:
        from textual._context import active_app

        app = active_app.get(None)
    return dict(getattr(app, "_keymap", {}) or {})


def prose_by_id(binding_id: str, default: str) -> str:
    """The key in force for ``binding_id`` in the running app, for text built away from
    its screen (``default``: the binding's own first key; a test checks they agree)."""
    keys = keymap_of(None).get(binding_id) or default
    return prose_key(keys.split(",")[0].strip())


def keys_in_force(app, binding: Binding) -> list[str]:
    """The keys that trigger ``binding`` now: the keymap's, else the binding's own."""
    remapped = keymap_of(app).get(binding.id or "")
    source = remapped if remapped else binding.key
    return [key.strip() for key in source.split(",") if key.strip()]


def is_remapped(app, binding: Binding) -> bool:
    return bool(binding.id and binding.id in keymap_of(app))


def key_display(app, binding: Binding) -> str:
    """How the key bar, the help and the palette name the keys of ``binding``
    (``App.get_key_display`` for each key in force; a binding's own ``key_display``
    only while it is not remapped)."""
    if binding.key_display and not is_remapped(app, binding):
        return binding.key_display
    return " / ".join(app.get_key_display(Binding(key, binding.action)) for key in keys_in_force(app, binding))


def prose_key(key: str) -> str:
    """One key as the Chinese hints write it: ``ctrl+p`` -> ``Ctrl+P``, ``f6`` -> ``F6``."""
    *modifiers, name = key.split("+")
    if name in PROSE:
        shown = PROSE[name]
    elif (len(name) > 1 and name[0] == "f" and name[1:].isdigit()) or (modifiers and len(name) == 1):
        shown = name.upper()
    else:
        shown = name
    return "+".join([m.capitalize() for m in modifiers] + [shown])


def prose(app, bindings: Iterable[Binding] | Binding, binding_id: str | None = None, *, every: bool = False) -> str:
    """The key in force of one binding (or of the one with ``binding_id`` in a BINDINGS
    list) as prose hints write it: ``F6``, ``Esc``. The first key only, unless ``every``."""
    if isinstance(bindings, Binding):
        binding = bindings
    else:
        binding = next(b for b in bindings if isinstance(b, Binding) and b.id == binding_id)
    keys = keys_in_force(app, binding)
    return " / ".join(prose_key(key) for key in (keys if every else keys[:1]))


def _screen_classes() -> list[type]:
    """Every widget, screen and app class defined in screens/ (imports them all)."""
    import importlib
    import pkgutil  # here, not at the top: the key bar imports this module before the first frame

    from textual.dom import DOMNode

    import screens

    for info in pkgutil.walk_packages(screens.__path__, "screens."):
        importlib.import_module(info.name)
    out, seen, stack = [], set(), [DOMNode]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
                if sub.__module__.startswith("screens."):
                    out.append(sub)
    return out


def _declared(cls: type) -> list[Binding]:
    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]


@cache
def binding_ids() -> dict[str, Binding]:
    """Every binding with an id in the app (imports every screen module: for
    ``hall-app config`` and the tests, not for the running app)."""
    out: dict[str, Binding] = {}
    for cls in _screen_classes():
        for binding in _declared(cls):
            if binding.id:
                out.setdefault(binding.id, binding)
    return out


def unbound_bindings() -> list[tuple[str, Binding]]:
    """Bindings declared in screens/ without an id (a test keeps this empty)."""
    return [(cls.__qualname__, b) for cls in _screen_classes() for b in _declared(cls) if not b.id]


def clashes(keymap: dict[str, str]) -> list[tuple[str, str, str]]:
    """(moved id, key, other id) for each key the keymap puts on a binding of the same
    screen or widget that already has that key (the app's bindings count everywhere).

    Textual replaces such a binding silently (its clash hook skips bindings with ids),
    so ``hall-app config check`` says so instead.
    """
    from textual.keys import _character_to_key

    def norm(key: str) -> str:
        key = key.strip()
        return _character_to_key(key) if len(key) == 1 else key

    classes = _screen_classes()
    app_bindings = [b for cls in classes if cls.__name__ == "HallApp" for b in _declared(cls)]
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for cls in classes:
        own = _declared(cls)
        if not own:
            continue
        everything = own if cls.__name__ == "HallApp" else own + app_bindings
        holders: dict[str, list[Binding]] = {}
        for binding in everything:
            for key in (keymap.get(binding.id or "") or binding.key).split(","):
                holders.setdefault(norm(key), []).append(binding)
        for key, bindings in holders.items():
            moved = [b for b in bindings if b.id in keymap]
            for b in moved:
                for other in bindings:
                    if other.id == b.id or other.action == b.action:
                        continue
                    row = (b.id or "", key, other.id or other.action)
                    if row not in seen:
                        seen.add(row)
                        out.append(row)
    return out
