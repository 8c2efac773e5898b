"""`fundflow demo` on a fresh embedded database, twice: the second run creates nothing."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

FUNDFLOW = Path(sys.executable).with_name("fundflow")


def run_demo(data_dir: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(FUNDFLOW_DATA_DIR=str(data_dir), FUNDFLOW_DEMO_PASSWORD="demo-pass-2026")
    done = subprocess.run(
        [str(FUNDFLOW), "demo", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        tables = [
            "regions_region",
            "regions_budgetunit",
            "auth_user",
            "allocations_allocationplan",
            "allocations_planrecipient",
            "allocations_planadjustment",
        ]
        return {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


def test_demo_loads_the_seeds_once(tmp_path):
    first = run_demo(tmp_path)
    assert "demo-region" in first
    db = tmp_path / "fundflow.sqlite3"
    after_first = counts(db)
    # the two seeds, plus the ledger demo's re-allocations: 塔城 to its 7 counties, 额敏县 to its 医疗保障局
    assert after_first["allocations_allocationplan"] == 4
    assert after_first["allocations_planrecipient"] == 98 + 7 + 1  # 97 counties of 34号 + 1 unit of 32号
    assert after_first["allocations_planadjustment"] == 2
    assert after_first["auth_user"] == 5
    ledger_first = ledger_state(db)
    second = run_demo(tmp_path)
    assert "演示用户已存在，密码未改变" in second
    assert counts(db) == after_first
    assert ledger_state(db) == ledger_first
    with sqlite3.connect(db) as conn:
        status, total = conn.execute(
            "select status, total from allocations_allocationplan where document_number = '新财社〔2020〕34号'"
        ).fetchone()
    assert status == "approved"
    assert str(total) in ("1017820000", "1017820000.00", "1017820000.0")  # 101782 万元 in 元


def ledger_state(db: Path) -> tuple:
    with sqlite3.connect(db) as conn:
        return (
            conn.execute("select doc_no, kind from ledger_document order by doc_no").fetchall(),
            conn.execute("select bgt_id, amount, status from ledger_indicator order by bgt_id").fetchall(),
            conn.execute("select pay_app_no, amount from ledger_payment order by pay_app_no").fetchall(),
            conn.execute("select rule_id, subject_id, status from ledger_warning order by id").fetchall(),
        )


def test_demo_ledger_chain(tmp_path):
    """34号 → 塔城 → 额敏县 → 额敏县医疗保障局 with synthetic payments, and 32号 to 地区医疗保障局."""
    out = run_demo(tmp_path)
    assert "演示指标账：塔城地区转下达 7 个县市" in out
    db = tmp_path / "fundflow.sqlite3"
    with sqlite3.connect(db) as conn:
        docs = dict(conn.execute("select doc_no, kind from ledger_document").fetchall())
        assert docs == {
            "新财社〔2020〕34号": "issue",
            "塔地财社〔2021〕1号": "issue",
            "额财社〔2021〕1号": "issue",
            "塔地财社〔2023〕32号": "issue",
        }

        def held(sql):
            return [(str(a), s) for a, s in conn.execute(sql).fetchall()]

        assert held(
            "select i.amount, i.status from ledger_indicator i join regions_region r on r.id = i.rec_region_id"
            " where r.code = '654200'"
        ) == [("25250000", "received")]
        counties = conn.execute(
            "select sum(amount), count(*) from ledger_indicator where cor_doc_no = '塔地财社〔2021〕1号'"
        ).fetchone()
        assert (str(counties[0]), counties[1]) == ("25250000", 7)
        units = conn.execute(
            "select u.code, i.amount, i.status, i.marker_name from ledger_indicator i"
            " join regions_budgetunit u on u.id = i.rec_unit_id order by u.code"
        ).fetchall()
        assert [(c, str(a), s, m) for c, a, s, m in units] == [
            ("654200-YB", "485000", "received", "中央直达资金"),
            ("654221-YB", "4880000", "received", "中央直达资金"),
        ]
        payments = conn.execute("select pay_app_no, amount, use_des from ledger_payment order by pay_app_no").fetchall()
        assert [(n, str(a)) for n, a, _ in payments] == [
            ("DEMO-EM-2021-0001", "732000"),
            ("DEMO-EM-2021-0002", "976000"),
            ("DEMO-EM-2021-0003", "488000"),
            ("DEMO-TC-2023-0001", "121250"),
            ("DEMO-TC-2023-0002", "97000"),
        ]
        assert {u for _, _, u in payments} == {"演示数据（合成）"}
        warnings = conn.execute("select rule_id, message from ledger_warning order by id").fetchall()
        assert warnings == [
            ("warn.spending-behind", "支出进度 45.00% 低于序时进度 100.00%"),
            ("warn.spending-behind", "支出进度 45.00% 低于序时进度 100.00%"),
        ]
