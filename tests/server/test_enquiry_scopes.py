"""Who may write an enquiry (咨询 / 首问负责 / 办不成事), decided per event by
server/scopes.py: hall and window devices their hall's, an agent its own, nobody else."""

from __future__ import annotations

import pytest

from hall_app.domain.events import Event
from hall_app.server.auth import DeviceInfo
from hall_app.server.scopes import CaseDirectory, Owner, authorise_event

ID = "01a00000-0000-7000-8000-0000000000e1"
SCOPES = {"hall": "hall:JJ01", "window": "window:JJ01/W03", "agent": "agent:王强@JJ01", "dept": "dept:市公安局",
          "kiosk": "kiosk:JJ01/K1", "display": "display:JJ01/D1", "admin": "admin:李华",
          "supervisor": "supervisor:JJ01/陈静"}
WRITERS = {"hall", "window", "agent"}


def device(kind: str, hall: str = "JJ01", agent: str = "王强") -> DeviceInfo:
    return DeviceInfo(f"{kind}-1", SCOPES[kind].replace("JJ01", hall), hall=hall,
                      agent=agent if kind == "agent" else "", dept="市公安局" if kind == "dept" else "")


def opening(payload: dict | None = None, event_id: str = ID) -> Event:
    return Event(event_id, ID, "d", 1, "zhangli", "enquiry.opened",
                 payload or {"kind": "consult", "topic": "问路", "answered": True, "hall": "JJ01"})


def closing() -> Event:
    return Event("e-close", ID, "d", 2, "zhangli", "enquiry.closed", {"result": "已答复"})


@pytest.mark.parametrize("kind", sorted(SCOPES))
def test_who_may_open_and_close_an_enquiry(kind):
    me = device(kind)
    home = Owner("JJ01", "王强" if kind == "agent" else "")
    opened = authorise_event(me, opening(), CaseDirectory())
    closed = authorise_event(me, closing(), CaseDirectory({ID: home}))
    assert opened.ok is closed.ok is (kind in WRITERS), (kind, opened.reason, closed.reason)
    if kind in WRITERS:
        assert opened.owner == home  # the hall (and agent) from the device, never the payload
    else:
        assert opened.code == closed.code == "scope" and "enquiry.opened" in opened.reason


def test_another_hall_or_agent_cannot_write_into_it_nor_take_its_id():
    directory = CaseDirectory({ID: Owner("JJ01")})
    refused = authorise_event(device("hall", "JJ02"), closing(), directory)
    assert not refused.ok and refused.code == "scope" and "该事项属于大厅 JJ01" in refused.reason
    taken = authorise_event(device("hall", "JJ02"), opening({"kind": "consult", "topic": "问", "hall": "JJ02"}),
                            directory)
    assert not taken.ok and taken.code == "conflict"
    agents = CaseDirectory({ID: Owner("JJ01", "李明")})
    assert not authorise_event(device("agent"), closing(), agents).ok  # another agent's
    assert authorise_event(device("hall"), closing(), agents).ok  # the hall sees its agents' enquiries


def test_the_payload_cannot_name_another_hall_and_the_id_must_be_the_openings():
    wrong_hall = authorise_event(device("hall"), opening({"kind": "consult", "topic": "问", "hall": "JJ09"}),
                                 CaseDirectory())
    assert not wrong_hall.ok and "JJ09" in wrong_hall.reason
    wrong_id = authorise_event(device("hall"), opening(event_id="e-other"), CaseDirectory())
    assert not wrong_id.ok and wrong_id.code == "invalid"
    # a close before the opening reached the server waits, like a case event before its start
    early = authorise_event(device("hall"), closing(), CaseDirectory())
    assert not early.ok and early.code == "not_started"
