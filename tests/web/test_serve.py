"""`fundflow init` and `fundflow serve` as a user runs them: real processes on a throwaway data directory."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

FUNDFLOW = Path(sys.executable).with_name("fundflow")


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without test settings or a database URL: the embedded defaults apply."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FUNDFLOW_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(FUNDFLOW_DATA_DIR=str(data_dir), **extra)
    return env


def fundflow(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(FUNDFLOW), *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def initialized(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("fundflow-data") / "var"
    done = fundflow("init", env=clean_env(data_dir))
    assert done.returncode == 0, done.stderr
    return data_dir, done.stdout


def test_init_creates_the_key_and_reference_data_without_demo_data(initialized):
    data_dir, output = initialized
    key = data_dir / "secret_key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert len(key.read_text(encoding="utf-8")) >= 50
    assert "密钥：已生成" in output
    with sqlite3.connect(data_dir / "fundflow.sqlite3") as conn:
        regions = conn.execute("select count(*) from regions_region").fetchone()[0]
        units = conn.execute("select count(*) from regions_budgetunit").fetchone()[0]
        users = conn.execute("select count(*) from auth_user").fetchone()[0]
        plans = conn.execute("select count(*) from allocations_allocationplan").fetchone()[0]
    assert regions > 100
    assert units > 0
    assert (users, plans) == (0, 0)


def test_init_again_changes_nothing(initialized):
    data_dir, _ = initialized
    key_before = (data_dir / "secret_key").read_text(encoding="utf-8")
    again = fundflow("init", env=clean_env(data_dir))
    assert again.returncode == 0, again.stderr
    assert "密钥：已配置，未改变" in again.stdout
    assert "行政区划：新增 0，更新 0" in again.stdout
    assert (data_dir / "secret_key").read_text(encoding="utf-8") == key_before


def test_serve_without_init_says_to_run_init(tmp_path):
    done = fundflow("serve", "--port", "1", env=clean_env(tmp_path / "nothing"), timeout=60)
    assert done.returncode == 2
    assert "fundflow init" in done.stderr
    assert not (tmp_path / "nothing").exists()


def test_production_settings_refuse_to_serve_without_a_secret(tmp_path):
    env = clean_env(tmp_path / "nothing", DJANGO_SETTINGS_MODULE="fundflow.settings.production")
    done = fundflow("serve", "--port", "1", env=env, timeout=60)
    assert done.returncode == 2
    assert "未配置密钥" in done.stderr


def test_serve_help_offers_the_development_server():
    done = subprocess.run([str(FUNDFLOW), "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "--dev" in done.stdout
    assert "--threads" in done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def test_serve_answers_healthz_login_and_static_files(initialized):
    data_dir, _ = initialized
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(FUNDFLOW), "serve", "--port", str(port)],
        env=clean_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                status, headers, body = get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "fundflow serve did not answer within 60 s"
                time.sleep(0.2)
        assert status == 200
        assert body == '{"status": "ok", "database": "ok", "migrations": "ok"}'
        assert headers["Server"] == "fundflow"  # waitress, not Django's development server
        status, _, login = get(f"{base}/login/")
        assert status == 200
        assert "登录" in login
        status, headers, css = get(f"{base}/static/fundflow/app.css")
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert css
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
    assert not (data_dir / "static").exists()  # static files come from the package, nothing is collected


LOCK_SCRIPT = r"""
import sqlite3, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from fundflow.accounts.models import Profile
from fundflow.regions.models import Region

user, _ = get_user_model().objects.get_or_create(username="lock-test")
tacheng = Region.objects.get(code="654200")
Profile.objects.get_or_create(user=user, defaults={"role": "prefecture_finance", "region": tacheng})
client = Client(HTTP_HOST="localhost", raise_request_exception=False)
client.force_login(user)
api_client = Client(HTTP_HOST="localhost", raise_request_exception=False)
api_client.force_login(user)
holder = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None)
holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
try:
    page = client.post("/logout/")  # deletes the session row: a write
    api = api_client.post("/api/plans/", {"spec_yaml": "title: x"}, content_type="application/json")
    read = api_client.get("/allocations/")  # WAL: reading goes on while the lock is held
finally:
    holder.rollback()
print("RESULT", page.status_code, page.get("Retry-After"), "系统繁忙，请稍后重试" in page.content.decode())
print("RESULT", api.status_code, api.json().get("code"))
print("RESULT", read.status_code)
"""


def test_a_real_sqlite_lock_is_answered_with_503_busy(initialized):
    data_dir, _ = initialized
    env = clean_env(data_dir, DJANGO_SETTINGS_MODULE="fundflow.settings.local", FUNDFLOW_DB_LOCK_TIMEOUT="1")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", LOCK_SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert results == ["RESULT 503 5 True", "RESULT 503 busy", "RESULT 200"], done.stdout
    assert time.monotonic() - started < 60
    # Logged as a warning (the busy logger), not as a 500 with a traceback.
    assert "WARNING fundflow.busy: database busy on POST /logout/: database is locked" in done.stdout
    assert "ERROR" not in done.stdout
