"""Operations: settings per environment (no side effects at import), logging of 500s, the 系统繁忙 answer to a
database lock timeout, the Chinese CSRF page, login for the API docs, and /healthz."""

from __future__ import annotations

import importlib
import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError
from django.test import Client

SETTINGS_ENV = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")


def load_settings(monkeypatch, tmp_path, module, **env):
    """Import a settings module afresh under a clean environment (cwd and data directory in tmp_path)."""
    for name in list(os.environ):
        if name.startswith("FUNDFLOW_") or name in SETTINGS_ENV:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FUNDFLOW_DATA_DIR", str(tmp_path / "data"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("fundflow.settings.base", module):
        monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module(module)


# --- settings ---------------------------------------------------------------------------------------------


def test_importing_settings_writes_nothing(tmp_path):
    """A fresh interpreter imports every settings module (with a key in the environment): no file appears."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDFLOW_") and k not in SETTINGS_ENV}
    env.update(FUNDFLOW_DATA_DIR=str(tmp_path / "data"), FUNDFLOW_SECRET_KEY="k" * 50)
    code = "import fundflow.settings.local, fundflow.settings.production, fundflow.settings.test"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("module", ["fundflow.settings.local", "fundflow.settings.production"])
def test_without_a_secret_key_settings_refuse_with_a_clear_message(monkeypatch, tmp_path, module):
    with pytest.raises(ImproperlyConfigured, match="未配置密钥") as refused:
        load_settings(monkeypatch, tmp_path, module)
    assert "fundflow init" in str(refused.value)
    assert not (tmp_path / "data").exists()


def test_secret_key_comes_from_the_file_init_writes_or_the_environment(monkeypatch, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "secret_key").write_text("from-the-file\n", encoding="utf-8")
    assert load_settings(monkeypatch, tmp_path, "fundflow.settings.local").SECRET_KEY == "from-the-file"
    loaded = load_settings(monkeypatch, tmp_path, "fundflow.settings.production", FUNDFLOW_SECRET_KEY="from-env")
    assert loaded.SECRET_KEY == "from-env"
    elsewhere = tmp_path / "mounted"
    elsewhere.write_text("mounted-secret", encoding="utf-8")
    loaded = load_settings(
        monkeypatch, tmp_path, "fundflow.settings.production", FUNDFLOW_SECRET_KEY_FILE=str(elsewhere)
    )
    assert loaded.SECRET_KEY == "mounted-secret"


def test_production_is_https_only_with_an_idle_timeout(monkeypatch, tmp_path):
    prod = load_settings(monkeypatch, tmp_path, "fundflow.settings.production", FUNDFLOW_SECRET_KEY="s" * 50)
    assert prod.DEBUG is False
    assert prod.SECURE_SSL_REDIRECT is True
    assert prod.SECURE_HSTS_SECONDS == 31536000
    assert prod.SESSION_COOKIE_SECURE is True
    assert prod.SESSION_COOKIE_HTTPONLY is True
    assert prod.CSRF_COOKIE_SECURE is True
    assert prod.CSRF_COOKIE_HTTPONLY is True
    assert prod.SESSION_COOKIE_AGE == 30 * 60
    assert prod.SESSION_SAVE_EVERY_REQUEST is True
    assert not hasattr(prod, "SECURE_PROXY_SSL_HEADER")  # nobody may claim https by header unless configured
    assert [v["NAME"].rsplit(".", 1)[1] for v in prod.AUTH_PASSWORD_VALIDATORS] == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert prod.LOGGING["handlers"]["stdout"]["formatter"] == "json"
    assert prod.LOGGING["loggers"]["django"]["propagate"] is True


def test_production_behind_a_tls_proxy(monkeypatch, tmp_path):
    prod = load_settings(
        monkeypatch,
        tmp_path,
        "fundflow.settings.production",
        FUNDFLOW_SECRET_KEY="s" * 50,
        FUNDFLOW_TRUSTED_PROXY="10.0.0.5",
        FUNDFLOW_SSL_REDIRECT="0",
        FUNDFLOW_SESSION_IDLE_MINUTES="15",
        FUNDFLOW_HSTS_SECONDS="3600",
    )
    assert prod.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
    assert prod.SECURE_SSL_REDIRECT is False
    assert prod.SESSION_COOKIE_AGE == 15 * 60
    assert prod.SECURE_HSTS_SECONDS == 3600


def test_invalid_environment_values_are_refused_by_name(monkeypatch, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="FUNDFLOW_SSL_REDIRECT"):
        load_settings(
            monkeypatch, tmp_path, "fundflow.settings.production", FUNDFLOW_SECRET_KEY="s", FUNDFLOW_SSL_REDIRECT="yes!"
        )
    with pytest.raises(ImproperlyConfigured, match="FUNDFLOW_UPLOAD_MAX_BYTES"):
        load_settings(monkeypatch, tmp_path, "fundflow.settings.test", FUNDFLOW_UPLOAD_MAX_BYTES="10MB")


def test_sqlite_waits_for_locks_and_upload_limits_are_consistent(monkeypatch, tmp_path):
    local = load_settings(monkeypatch, tmp_path, "fundflow.settings.local", FUNDFLOW_SECRET_KEY="s")
    options = local.DATABASES["default"]["OPTIONS"]
    assert options["timeout"] == 20
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert local.DATABASES["default"]["NAME"] == str(tmp_path / "data" / "fundflow.sqlite3")
    assert local.FUNDFLOW_UPLOAD_MAX_BYTES == 10 * 1024 * 1024
    assert local.FUNDFLOW_UPLOAD_MAX_ROWS == 20000
    assert local.FILE_UPLOAD_MAX_MEMORY_SIZE == local.FUNDFLOW_UPLOAD_MAX_BYTES
    assert local.DATA_UPLOAD_MAX_MEMORY_SIZE > local.FUNDFLOW_UPLOAD_MAX_BYTES
    small = load_settings(
        monkeypatch,
        tmp_path,
        "fundflow.settings.local",
        FUNDFLOW_SECRET_KEY="s",
        FUNDFLOW_UPLOAD_MAX_BYTES="1000",
        FUNDFLOW_UPLOAD_MAX_ROWS="50",
        FUNDFLOW_DB_LOCK_TIMEOUT="3",
    )
    assert (small.FUNDFLOW_UPLOAD_MAX_BYTES, small.FUNDFLOW_UPLOAD_MAX_ROWS) == (1000, 50)
    assert small.FILE_UPLOAD_MAX_MEMORY_SIZE == 1000
    assert small.DATABASES["default"]["OPTIONS"]["timeout"] == 3


def test_postgresql_gets_a_lock_timeout(monkeypatch, tmp_path):
    pg = load_settings(monkeypatch, tmp_path, "fundflow.settings.test", DATABASE_URL="postgres://u@127.0.0.1:5/db")
    assert pg.DATABASES["default"]["OPTIONS"]["options"] == "-c lock_timeout=20000"


# --- logging ----------------------------------------------------------------------------------------------


def test_json_formatter_writes_one_object_per_line_with_the_traceback():
    from fundflow.jsonlog import JsonFormatter

    try:
        raise ValueError("坏数据")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, "f.py", 1, "出错：%s", ("甲",), sys.exc_info())
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["message"] == "出错：甲"
    assert "ValueError: 坏数据" in entry["traceback"]
    assert entry["time"].endswith("+00:00")


@pytest.fixture
def json_logging(settings):
    """Production's log configuration for the duration of a test, then the test settings' again."""
    from fundflow.settings.base import logging_config

    logging.config.dictConfig(logging_config("json", "INFO"))
    yield
    logging.config.dictConfig(settings.LOGGING)


def test_a_real_500_is_logged_with_its_traceback_as_json(users, monkeypatch, capsys, json_logging):
    def broken(user):
        raise RuntimeError("selector exploded")

    monkeypatch.setattr("fundflow.allocations.views.plans_visible_to", broken)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="u-tacheng"))
    capsys.readouterr()
    response = client.get("/allocations/")
    assert response.status_code == 500
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    errors = [e for e in lines if e["logger"] == "django.request"]
    assert len(errors) == 1
    assert errors[0]["level"] == "ERROR"
    assert errors[0]["status_code"] == 500
    assert errors[0]["path"] == "/allocations/"
    assert "RuntimeError: selector exploded" in errors[0]["traceback"]


def test_the_test_settings_log_500s_too(users, monkeypatch, capsys):
    monkeypatch.setattr("fundflow.allocations.views.plans_visible_to", lambda user: 1 / 0)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="u-tacheng"))
    assert client.get("/allocations/").status_code == 500
    out = capsys.readouterr().out
    assert "ERROR django.request: Internal Server Error: /allocations/" in out
    assert "ZeroDivisionError" in out


# --- database busy ----------------------------------------------------------------------------------------


def locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_a_lock_timeout_in_a_page_is_503_busy_not_500(users, monkeypatch):
    monkeypatch.setattr("fundflow.allocations.views.plans_visible_to", locked)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="u-tacheng"))
    response = client.get("/allocations/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    text = response.content.decode()
    assert "系统繁忙，请稍后重试" in text
    assert "未保存任何修改" in text


def test_a_lock_timeout_in_the_api_is_503_json(users, plans, monkeypatch):
    monkeypatch.setattr("fundflow.allocations.services.plan_compute", locked)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="u-tacheng"))
    plan = plans["tacheng"]
    response = client.post(f"/api/plans/{plan.pk}/compute/", {"version": plan.version}, content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "系统繁忙，请稍后重试。", "code": "busy"}


def test_other_operational_errors_stay_500(users, monkeypatch):
    def broken(user):
        raise OperationalError("no such table: allocations_allocationplan")

    monkeypatch.setattr("fundflow.allocations.views.plans_visible_to", broken)
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="u-tacheng"))
    assert client.get("/allocations/").status_code == 500


def test_postgresql_lock_and_serialization_failures_count_as_busy():
    import psycopg.errors

    from fundflow.middleware import is_database_busy

    for cause in (psycopg.errors.LockNotAvailable(), psycopg.errors.SerializationFailure()):
        wrapped = OperationalError(str(cause))
        wrapped.__cause__ = cause
        assert is_database_busy(wrapped)
    unrelated = OperationalError("connection refused")
    unrelated.__cause__ = psycopg.errors.ConnectionFailure()
    assert not is_database_busy(unrelated)
    assert not is_database_busy(RuntimeError("database is locked"))


# --- CSRF and API docs ------------------------------------------------------------------------------------


def test_a_missing_csrf_token_shows_the_chinese_page(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="u-tacheng"))
    response = client.post("/allocations/new/", {"title": "x"}, HTTP_REFERER="http://testserver/allocations/new/")
    assert response.status_code == 403
    text = response.content.decode()
    assert "页面已过期" in text
    assert "请刷新页面后重新提交" in text
    assert 'href="http://testserver/allocations/new/"' in text
    assert "CSRF verification failed" not in text


def test_login_without_the_csrf_cookie_shows_the_chinese_page(reference):
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_api_docs_and_schema_need_a_login(users):
    anonymous = Client()
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/login/?next=/api/docs/")
    assert anonymous.get("/api/schema/").status_code == 401
    client = Client()
    client.force_login(User.objects.get(username="u-audit"))
    assert client.get("/api/docs/").status_code == 200
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/plans/" in schema.content


# --- /healthz ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_ok_without_login():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_with_an_unapplied_migration():
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    # The test transaction is rolled back afterwards, so the migration counts as applied again.
    MigrationRecorder(connection).record_unapplied("allocations", "0002_total_in_yuan_label")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "migrations": "pending"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(monkeypatch):
    from django.db import connection

    def unreachable(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "migrations": "unknown"}


def test_docs_list_every_environment_variable():
    """docs/deployment.md names every FUNDFLOW_* variable the settings and the CLI read."""
    import re

    root = Path(__file__).resolve().parents[2]
    sources = [*(root / "src" / "fundflow" / "settings").glob("*.py"), root / "src" / "fundflow" / "cli" / "web.py"]
    used = {m for path in sources for m in re.findall(r'"(FUNDFLOW_[A-Z_]+)"', path.read_text(encoding="utf-8"))}
    assert "FUNDFLOW_SECRET_KEY" in used
    documented = (root / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert {name for name in used if f"`{name}`" not in documented} == set()


@pytest.mark.django_db
def test_the_live_connection_waits_a_bounded_time_for_locks():
    """The setting reaches the driver: SQLite's busy timeout / PostgreSQL's lock_timeout is 20 s on both runs."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "20s"
        else:
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20000
