"""`fundflow demo` on a fresh embedded database, twice: the second run creates nothing."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

FUNDFLOW = Path(sys.executable).with_name("fundflow")


def run_demo(data_dir: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(FUNDFLOW_DATA_DIR=str(data_dir), FUNDFLOW_DEMO_PASSWORD="demo-pass-2026")
    done = subprocess.run([str(FUNDFLOW), "demo"], env=env, capture_output=True, text=True, timeout=300, check=False)
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
    assert after_first["allocations_allocationplan"] == 2
    assert after_first["allocations_planrecipient"] == 98  # 97 counties of 新财社〔2020〕34号 + 1 unit of 32号
    assert after_first["allocations_planadjustment"] == 2
    assert after_first["auth_user"] == 5
    second = run_demo(tmp_path)
    assert "演示用户已存在，密码未改变" in second
    assert counts(db) == after_first
    with sqlite3.connect(db) as conn:
        status, total = conn.execute(
            "select status, total from allocations_allocationplan where document_number = '新财社〔2020〕34号'"
        ).fetchone()
    assert status == "approved"
    assert str(total) in ("1017820000", "1017820000.00", "1017820000.0")  # 101782 万元 in 元
