"""The seeds' numbers stay true in the bundle files where the seeds give them
(/work/shared/seeds: 000 and 001). If a bundle is rewritten and one of these numbers
changes, the file no longer says what the seed says."""

import pytest

from bundles.loader import load_catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_newborn_7_items_4_departments_3_days(catalog):
    """001: 新生儿出生 — 7 items, 4 departments, 80 days → within 3 days (mailed)."""
    b = catalog.get("新生儿出生")
    assert len(b.items) == 7
    assert len(b.departments) == 4
    assert max(i.promised_days for i in b.items) <= 3


def test_school_enrolment_12_items_9_departments(catalog):
    """001: 入学一件事 — 9 departments, 12 items (户籍、不动产权、婚姻登记查询 …)."""
    b = catalog.get("primary_school_enrolment")
    assert len(b.items) == 12
    assert len(b.departments) == 9


def test_public_rental_housing_27_to_8_working_days(catalog):
    """000: 公租房申请 — review time cut from 27 to 8 working days."""
    b = catalog.get("公租房申请")
    lead = [i for i in b.items if i.department == b.lead_department]
    assert any(i.statutory_days == 27 and i.promised_days == 8 for i in lead)
    assert max(i.promised_days for i in b.items) == 8  # nothing promised beyond the 8 days


def test_international_trade_6_items(catalog):
    """000: 国际贸易 — 6 single matters (单证申报、报关单回执查询、转关单核销查询、预约查验、
    船舶流量查询、铁路节点跟踪)."""
    b = catalog.get("international_trade")
    assert len(b.items) == 6
    names = "".join(i.name for i in b.items)
    for word in ("申报", "回执", "转关", "查验", "船舶", "铁路"):
        assert word in names
