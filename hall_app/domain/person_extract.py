"""A person-file extract (一人一档摘录) as it travels from the server to an agent's
laptop (issue 13): what intake needs of one principal — name, sex, birth date, phone,
address, 户籍, an open 失信 record, and the e-licences on file — and when the file
last changed. Checked where it is loaded on the server and again on the laptop before
it is stored, like an event payload.

Only the agent's own principals travel: the server answers ``GET /v1/person-files``
with the extracts of the people named by the agent's valid register entries
(server/person_files.py); the laptop refreshes them at each sync and shows each one's
age (sync/person_files.py, services/agent_day.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hall_app.domain.event_types import Date, Name, text_rule
from hall_app.domain.ids import check_citizen_id

Short40 = Annotated[str, text_rule(40)]


class ElicenceExtract(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    type: Annotated[str, text_rule(40, min_length=1)]
    number: Annotated[str, text_rule(60)] = ""
    issued_by: Name = ""
    issued_on: Annotated[str, text_rule(10)] = ""
    data: dict[Short40, Annotated[str, text_rule(200)]] = Field(default_factory=dict, max_length=20)


class PersonExtract(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id_number: Annotated[str, text_rule(18, min_length=18)]
    name: Annotated[str, text_rule(100, min_length=1)]
    sex: Annotated[str, text_rule(2)] = ""
    birth_date: Annotated[str, text_rule(10)] = ""
    phone: Annotated[str, text_rule(20)] = ""
    address: Annotated[str, text_rule(300)] = ""
    local_hukou: bool = True
    dishonest: bool = False
    elicences: list[ElicenceExtract] = Field(default_factory=list, max_length=40)
    updated_at: Date = ""  # when the person file last changed at its source

    @field_validator("id_number")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        check = check_citizen_id(value)
        if not check.ok:
            raise ValueError(check.error or "身份证号码校验不通过")
        return str(check.value)


def check_extract(data: Any) -> tuple[PersonExtract | None, str]:
    """(the extract, "") or (None, why it is refused, in Chinese)."""
    if not isinstance(data, dict):
        return None, "档案摘录格式不对"
    try:
        return PersonExtract.model_validate(data), ""
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])  # pydantic gives every error a loc and a msg
        return None, f"档案摘录 {str(data.get('id_number', ''))[:6]}… 的 {where} 不合格：{first['msg']}"[:300]
