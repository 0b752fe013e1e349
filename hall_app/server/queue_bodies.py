"""The bodies the queue's HTTP API takes (hall_app/server/queue.py): strict pydantic
models, each field with its Chinese description for the OpenAPI page."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hall_app.domain.event_types import Text


class IssueIn(BaseModel):
    model_config = ConfigDict(strict=True)
    line: Text(32, min_length=1) = Field(description="业务类别代码或号码前缀（如 A）")
    priority: Text(16) = Field("", description="优先类别：老年人/残疾人/孕妇/军人及优抚对象/其他，空为普通")
    id_number: Text(32) = Field("", description="凭身份证取号时的身份证号（只给窗口预填，不公开）")
    name: Text(100) = ""


class CheckInIn(BaseModel):
    model_config = ConfigDict(strict=True)
    code: Text(32, min_length=1) = Field(description="预约码或身份证号")


class CallIn(BaseModel):
    model_config = ConfigDict(strict=True)
    ref: Text(32, min_length=1) = Field(description="号码（A012）或号的编号")


class ActIn(BaseModel):
    model_config = ConfigDict(strict=True)
    action: Text(16, min_length=1) = Field(description="recall / serve / hold / transfer / finish / no_show")
    ref: Text(32) = Field("", description="号码或编号；空为本窗口当前的号")
    to_line: Text(32) = ""
    to_window: Text(32) = ""
    cases: list[Text(40)] = Field(default_factory=list, max_length=50, description="本次办理产生的办件编号")


class LinkCaseIn(BaseModel):
    model_config = ConfigDict(strict=True)
    case: Text(40, min_length=1) = Field(description="在这个号上开始的办件编号")
    ref: Text(32) = Field("", description="号码或编号；空为本窗口当前办理中的号")
    replaces: Text(40) = Field("", description="它取代的办件（换套餐作废的那件），没有则空")


class WindowStateIn(BaseModel):
    model_config = ConfigDict(strict=True)
    action: Text(8, min_length=1) = Field(description="open / pause / close")


class SwitchIn(BaseModel):
    model_config = ConfigDict(strict=True)
    lines: dict[Text(32, min_length=1), int] | None = Field(
        description="切换后办理的业务类别及优先级（1 最先）；null 为恢复排班")


class VisitFollowUpIn(BaseModel):
    model_config = ConfigDict(strict=True)
    step: Text(12, min_length=1) = Field(description="verified / rectified / explained / appealed / revisited / closed")
    note: Text(2000) = Field("", description="本步骤的情况说明（办结须写明处理结果）")
    by: Text(64) = Field("", description="登记的值班长（用户名）")


class VisitRatingIn(BaseModel):
    model_config = ConfigDict(strict=True)
    ticket: Text(32, min_length=1) = Field(description="办结的号（编号或号码）")
    level: int | None = Field(description="1–5（5 非常满意 … 1 非常不满意）；null 为未评价")
    dimensions: dict[Text(8, min_length=1), int] = Field(default_factory=dict,
                                                         description="分项评价：服务态度、服务效率、服务水平，各 1–5")
    reasons: list[Text(20, min_length=1)] = Field(default_factory=list, max_length=8,
                                                  description="所选等级提供的理由")
    how: Text(8) = Field("chosen", description="chosen / timeout / declined（后两者只能是未评价）")


class AppointmentIn(BaseModel):
    model_config = ConfigDict(strict=True)
    line: Text(32, min_length=1)
    day: Text(10, min_length=1)
    slot: Text(5, min_length=1) = Field(description="时段开始，时:分")
    name: Text(100) = ""
    id_number: Text(32) = ""
    phone: Text(32) = ""


class CancelIn(BaseModel):
    model_config = ConfigDict(strict=True)
    reason: Text(2000, multiline=True) = ""


class ImportIn(BaseModel):
    model_config = ConfigDict(strict=True)
    csv_text: Text(2_000_000, multiline=True) = Field(description="预约系统导出的 CSV 全文")


class LineIn(BaseModel):
    model_config = ConfigDict(strict=True)
    name: Text(100, min_length=1)
    prefix: Text(4, min_length=1)
    open: bool = True
    sort: int = Field(0, ge=0, le=1000)
    service_minutes: float = Field(10.0, gt=0, le=600)
    slot_minutes: int = Field(30, ge=5, le=240)
    slot_capacity: int = Field(4, ge=0, le=1000)
    bundles: list[Text(64)] = Field(default_factory=list, max_length=200)
    life_stages: list[Text(64)] = Field(default_factory=list, max_length=50)


class WindowIn(BaseModel):
    model_config = ConfigDict(strict=True)
    name: Text(100) = ""
    skills: dict[Text(32, min_length=1), int]
    schedule: list[dict[str, Any]] = Field(default_factory=list, max_length=24)


class CloseDayIn(BaseModel):
    model_config = ConfigDict(strict=True)
    day: Text(10) = ""


class BlockIn(BaseModel):
    model_config = ConfigDict(strict=True)
    line: Text(32, min_length=1)
    day: Text(10) = ""
    size: int = Field(0, ge=0, le=200)


class OfflineIn(BaseModel):
    model_config = ConfigDict(strict=True)
    tickets: list[dict[str, Any]] = Field(max_length=500, description="离线取的号：ticket, line, prefix, number, "
                                                                      "priority, issued_at, sort_at, day")
