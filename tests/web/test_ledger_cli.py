"""`fundflow issue` on the demo database: seed 001's plan becomes 新财社〔2020〕34号; issuing again exits 2."""

import sqlite3

from tests.web.test_demo import FUNDFLOW, run_demo


def test_issue_command(tmp_path):
    import os
    import subprocess

    run_demo(tmp_path, "--no-ledger")  # the full demo issues 34号 itself
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["FUNDFLOW_DATA_DIR"] = str(tmp_path)
    db = tmp_path / "fundflow.sqlite3"
    with sqlite3.connect(db) as conn:
        [(plan_id,)] = conn.execute(
            "select id from allocations_allocationplan where document_number = '新财社〔2020〕34号'"
        ).fetchall()

    def issue(*args):
        return subprocess.run(
            [str(FUNDFLOW), "issue", str(plan_id), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    done = issue("--date", "2020-11-20")
    assert done.returncode == 0, done.stderr
    assert "已下达：新财社〔2020〕34号" in done.stdout
    assert "塔城地区" in done.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*), sum(amount) from ledger_indicator").fetchone() == (14, 1017820000)
    again = issue()
    assert again.returncode == 2
    assert "已由 新财社〔2020〕34号 下达，不能重复下达" in again.stderr
    bad = issue("--date", "2020-13-01")
    assert bad.returncode == 2
    assert "日期“2020-13-01”格式不对" in bad.stderr
