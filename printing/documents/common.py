"""Small pieces several documents share."""

from __future__ import annotations

from hall_app.domain.documents import MaterialLine


def material_details(m: MaterialLine) -> list[str]:
    """What makes a material valid, as detail lines under its name."""
    return [s for s in (m.form, m.spec, m.note) if s]


def material_requirement(m: MaterialLine) -> str:
    return "；".join(material_details(m))
