"""The command line as a user runs it: real subprocesses, real exit codes."""

import json
import os
import subprocess
import sys

import pytest

ALL_YES = ["born_locally=是", "both_local=是", "follow=随父", "parents_married=是", "mother_employee_insured=是",
           "want_medical_insurance=是", "pay_now=是", "want_ss_card=是"]


def hall(*args, db=None, check=False):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    if db:
        env["HALL_DB"] = str(db)
    proc = subprocess.run([sys.executable, "-m", "hall_app", *args], capture_output=True, text=True, env=env,
                          timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_bundles_list_json_has_the_documented_shape():
    data = json.loads(hall("bundles", "list", "--json", check=True).stdout)
    newborn = next(b for b in data if b["code"] == "newborn")
    assert set(newborn) >= {"code", "name", "kind", "life_stage", "lead_department", "cooperating_departments",
                            "items", "complete"}
    assert newborn["complete"] is True and len(newborn["items"]) == 7
    assert set(newborn["items"][0]) == {"code", "name", "department"}


def test_bundles_show_by_code_or_chinese_name():
    by_code = json.loads(hall("bundles", "show", "newborn", "--json", check=True).stdout)
    by_name = json.loads(hall("bundles", "show", "新生儿出生", "--json", check=True).stdout)
    assert by_code == by_name
    proc = hall("bundles", "show", "生孩子")
    assert proc.returncode == 2 and "新生儿出生" in proc.stderr and "Traceback" not in proc.stderr


def test_bundles_check_passes_and_fails_with_precise_errors(tmp_path):
    proc = hall("bundles", "check", check=True)
    assert "校验通过" in proc.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text('code = "bad"\nname = "坏"\n', encoding="utf-8")
    proc = hall("bundles", "check", str(bad))
    assert proc.returncode == 1
    assert "bad.toml [bad 坏] kind" in proc.stderr and "Traceback" not in proc.stderr


def test_bundles_check_names_a_broken_size_limit(tmp_path):
    from bundles.loader import CATALOG_DIR

    text = (CATALOG_DIR / "newborn.toml").read_text(encoding="utf-8")
    words = ", ".join(f'"词{i}"' for i in range(60))
    path = tmp_path / "newborn.toml"
    path.write_text(text.replace("keywords = [", f"keywords = [{words}, ", 1), encoding="utf-8")
    proc = hall("bundles", "check", str(path))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "newborn.toml [newborn 新生儿出生] keywords: 最多 50 项" in proc.stderr


def test_plan_shows_seven_items_when_everything_applies_and_fewer_otherwise(tmp_path):
    args = ["plan", "新生儿出生"] + [x for a in ALL_YES for x in ("--answer", a)]
    data = json.loads(hall(*args, "--json", check=True).stdout)
    assert len(data["items"]) == 7 and all(i["reason"] for i in data["items"])
    assert data["fields_asked"] < data["fields_without_merge"]
    assert {"bundle", "items", "materials", "form_fields", "fields_asked", "fields_without_merge",
            "warnings"} <= set(data)
    fewer = [a.replace("=是", "=否") if a.startswith(("want_", "mother")) else a for a in ALL_YES]
    data = json.loads(hall("plan", "newborn", *[x for a in fewer for x in ("-a", a)], "--json", check=True).stdout)
    assert [i["code"] for i in data["items"]] == ["birth_certificate", "vaccination_certificate",
                                                  "household_registration"]
    text = hall(*args, check=True).stdout
    assert "出生医学证明" in text and "社会保障卡申领" in text


def test_plan_with_an_id_number_exempts_e_licence_materials(tmp_path):
    db = tmp_path / "d.db"
    hall("demo", "--db", str(db), check=True)
    from hall_app.services.demo import LIU_YANG

    args = ["plan", "newborn", "--id-number", LIU_YANG, "--json"] + [x for a in ALL_YES for x in ("-a", a)]
    data = json.loads(hall(*args, db=db, check=True).stdout)
    exempt = {m["code"] for m in data["materials"] if m["status"] == "exempt"}
    assert {"parents_id_cards", "household_register", "marriage_certificate"} <= exempt
    bad = hall("plan", "newborn", "--id-number", LIU_YANG[:-1] + "0", db=db)
    assert bad.returncode == 2 and "校验位" in bad.stderr


@pytest.mark.parametrize(("args", "fragment"), [
    (["plan", "newborn", "--answer", "nonsense"], "问题编号=答案"),
    (["plan", "newborn", "--answer", "nope=是"], "没有问题"),
    (["plan", "不存在的事"], "没有套餐"),
    (["print", "receipt", "AAAA"], "不是有效的跟踪码"),
])
def test_user_mistakes_get_a_message_not_a_traceback(tmp_path, args, fragment):
    proc = hall(*args, db=tmp_path / "x.db")
    assert proc.returncode == 2
    assert fragment in proc.stderr and "Traceback" not in proc.stderr


def test_demo_and_db_upgrade(tmp_path):
    db = tmp_path / "demo.db"
    out = hall("demo", "--db", str(db), check=True).stdout
    assert "zhangli / demo123" in out and "已受理" in out
    assert "单机模式：回执二维码指向本机 http://127.0.0.1:8700/t/" in out  # said on first start
    again = hall("demo", "--db", str(db), check=True).stdout
    assert "演示数据已存在" in again and "二维码" not in again  # and only then
    assert "最新版本" in hall("db", "upgrade", db=db, check=True).stdout
    code = next(line.split()[0] for line in out.splitlines() if "已受理" in line)
    shown = hall("case", code, "--json", db=db, check=True).stdout
    assert json.loads(shown)["case"]["status"] == "accepted"


def test_a_broken_database_file_is_a_message(tmp_path):
    db = tmp_path / "junk.db"
    db.write_bytes(b"this is not a database" * 100)
    proc = hall("db", "upgrade", db=db)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and "数据库" in proc.stderr
