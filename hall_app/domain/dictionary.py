"""The shared dictionaries of materials and form fields (bundles/dictionary/*.toml).

A bundle file names a material or a form field by its dictionary code and adds only
what belongs to that bundle (which items, required/deferrable, when, a bundle-specific
wording). The name, e-licence type, validity rule, default form, field type and prefill
source come from the dictionary, so the one-form merge and the e-licence exemption work
the same in every bundle and a change is made in one place.

``resolve_bundle`` turns a bundle file's raw data into the full data the ``Bundle``
model validates; it is pure (no I/O): the loader reads the files.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hall_app.domain.bundle import Code, FieldType, L, MaterialForm, Text

DICTIONARY_FILES = {"materials": "bundles/dictionary/materials.toml", "fields": "bundles/dictionary/fields.toml"}

# What a bundle's material or field entry may say itself; the rest comes from the dictionary.
MATERIAL_OWN_KEYS = ("code", "material", "name", "spec", "items", "requirement", "form", "copies", "when", "reason")
FIELD_OWN_KEYS = ("key", "label", "required", "items", "choices", "prefill", "when", "reason")
_PREFILL = re.compile(r"^(person|firm|elicence:[^.]+)\.[a-z_]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class MaterialEntry(_Strict):
    code: Code
    name: Text
    category: Text
    spec: Text
    validity: Text | None = None  # how long / in what state the document is accepted
    elicence: Annotated[str, Field(max_length=L["text"])] | None = None  # e-licence type that exempts it
    form: MaterialForm = "original"
    copies: int = Field(default=1, ge=0, le=20)


class FieldEntry(_Strict):
    key: Code
    label: Text
    type: FieldType = "text"
    prefill: Annotated[str, Field(max_length=L["text"])] | None = None
    prefill_firm: Annotated[str, Field(max_length=L["text"])] | None = None  # instead, in 企业 bundles
    choices: list[Text] = Field(default_factory=list, max_length=L["choices"])
    max_length: int | None = Field(default=None, ge=1, le=2000)

    @field_validator("prefill", "prefill_firm")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        if value is not None and not _PREFILL.match(value):
            raise ValueError("预填来源应为 person.字段、firm.字段 或 elicence:证照名.字段")
        return value

    @model_validator(mode="after")
    def _choices(self) -> "FieldEntry":
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError("选择型字段至少需要两个选项")
        if self.type != "choice" and self.choices:
            raise ValueError("只有选择型字段（type = \"choice\"）可以有 choices")
        return self


class Dictionary(_Strict):
    materials: list[MaterialEntry] = Field(default_factory=list)
    fields: list[FieldEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "Dictionary":
        errors = []
        for label, codes in (("材料编号", [m.code for m in self.materials]),
                             ("字段编号", [f.key for f in self.fields])):
            seen: set[str] = set()
            for code in codes:
                if code in seen:
                    errors.append(f"{label}重复：{code}")
                seen.add(code)
        if errors:
            raise ValueError("；".join(errors))
        return self

    def material(self, code: str) -> MaterialEntry | None:
        return next((m for m in self.materials if m.code == code), None)

    def field(self, key: str) -> FieldEntry | None:
        return next((f for f in self.fields if f.key == key), None)


def _close(word: str, options: list[str]) -> str:
    near = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    return f"（相近的有：{'、'.join(near)}）" if near else ""


def resolve_bundle(data: dict[str, Any], dictionary: Dictionary) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The bundle's data with every material and field filled in from the dictionary,
    and the (path, reason) problems: an entry outside the dictionary, or an entry that
    sets what only the dictionary may set. Entries that are not tables are left for the
    schema to report."""
    problems: list[tuple[str, str]] = []
    out = dict(data)
    firm = data.get("kind") == "企业"
    materials = data.get("materials")
    if isinstance(materials, list):
        out["materials"] = [_material(i, raw, dictionary, problems) for i, raw in enumerate(materials)]
    fields = data.get("fields")
    if isinstance(fields, list):
        out["fields"] = [_field(i, raw, dictionary, firm, problems) for i, raw in enumerate(fields)]
    return out, problems


def _material(i: int, raw: Any, dictionary: Dictionary, problems: list[tuple[str, str]]) -> Any:
    if not isinstance(raw, dict):
        return raw
    where = f"materials[{i}]"
    for key in ("elicence", "validity"):
        if key in raw:
            problems.append((f"{where}.{key}", f"{key} 由材料字典（{DICTIONARY_FILES['materials']}）决定，"
                                               "套餐文件中不能填写"))
    ref = raw.get("material", raw.get("code"))
    if not isinstance(ref, str):
        return {k: v for k, v in raw.items() if k != "material"}
    entry = dictionary.material(ref)
    if entry is None:
        path = f"{where}.material" if "material" in raw else f"{where}.code"
        problems.append((path, f"材料“{ref}”不在材料字典（{DICTIONARY_FILES['materials']}）中"
                               f"{_close(ref, [m.code for m in dictionary.materials])}；"
                               "请用字典中的编号（material = \"…\"），或先把它加进字典"))
        return {k: v for k, v in raw.items() if k not in ("material", "elicence", "validity")}
    out: dict[str, Any] = {"material": entry.code, "name": entry.name, "spec": entry.spec, "form": entry.form}
    if entry.copies != 1:
        out["copies"] = entry.copies
    if entry.elicence:
        out["elicence"] = entry.elicence
    if entry.validity:
        out["validity"] = entry.validity
    out.update({k: v for k, v in raw.items() if k not in ("material", "elicence", "validity")})
    return out


def _field(i: int, raw: Any, dictionary: Dictionary, firm: bool, problems: list[tuple[str, str]]) -> Any:
    if not isinstance(raw, dict):
        return raw
    where = f"fields[{i}]"
    for own in ("type", "max_length"):
        if own in raw:
            problems.append((f"{where}.{own}", f"{own} 由字段字典（{DICTIONARY_FILES['fields']}）决定，"
                                               "套餐文件中不能填写"))
    key = raw.get("key")
    rest = {k: v for k, v in raw.items() if k not in ("type", "max_length", "prefill")}
    if not isinstance(key, str):
        return rest
    entry = dictionary.field(key)
    if entry is None:
        problems.append((f"{where}.key", f"表单字段“{key}”不在字段字典（{DICTIONARY_FILES['fields']}）中"
                                         f"{_close(key, [f.key for f in dictionary.fields])}；"
                                         "请用字典中的字段，或先把它加进字典"))
        return rest
    prefill = raw.get("prefill", True)
    if prefill is not True and prefill is not False:
        problems.append((f"{where}.prefill",
                         "预填来源由字段字典决定；套餐文件中只能写 prefill = false（本套餐不预填）"))
    out: dict[str, Any] = {"key": entry.key, "label": entry.label, "type": entry.type}
    source = (entry.prefill_firm or entry.prefill) if firm else entry.prefill
    if source and prefill is True:
        out["prefill"] = source
    if entry.choices:
        out["choices"] = list(entry.choices)
    if entry.max_length is not None:
        out["max_length"] = entry.max_length
    if "choices" in raw and entry.type != "choice":
        problems.append((f"{where}.choices", f"字段“{key}”不是选择型，不能填写 choices"))
    out.update(rest)
    return out
