"""Login protection (django-axes), the login audit, and creating real users with `fundflow users`.

Lockouts are per (user name, address): five wrong passwords lock that user from that address only.
"""

import json

import pytest
from django.test import Client
from typer.testing import CliRunner

from fundflow.cli import app
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

runner = CliRunner()


def users_cli(*args, stdin=None):
    return runner.invoke(app, ["users", *map(str, args)], input=stdin)


def login(client, username, password, address="10.1.2.3"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def events(username):
    from fundflow.accounts.models import LoginEvent

    return [(e.kind, e.ip_address) for e in LoginEvent.objects.filter(username=username).order_by("at", "id")]


# ---------------------------------------------------------------- lockout


def test_five_failures_lock_the_user_out_with_a_chinese_page(users, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    for _ in range(4):
        response = login(client, "u-tacheng", "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    fifth = login(client, "u-tacheng", "wrong-password")
    assert fifth.status_code == 429
    # Locked: even the right password is refused, without being checked.
    refused = login(client, "u-tacheng", PASSWORD)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "登录已暂时锁定" in page
    assert "用户“u-tacheng”从本地址连续 5 次登录失败" in page
    assert "约 30 分钟后再试" in page
    assert "_auth_user_id" not in client.session
    assert events("u-tacheng") == [("failed", "10.1.2.3")] * 5 + [("locked", "10.1.2.3")]


def test_lockout_is_per_user_and_address(users):
    client = Client()
    for _ in range(5):
        login(client, "u-tacheng", "wrong-password")
    assert login(client, "u-tacheng", PASSWORD).status_code == 429
    # Another user from the same address logs in.
    colleague = Client()
    response = login(colleague, "u-emin", PASSWORD)
    assert response.status_code == 302
    assert colleague.get("/allocations/").status_code == 200
    # The same user from another address logs in.
    elsewhere = Client()
    assert login(elsewhere, "u-tacheng", PASSWORD, address="10.9.9.9").status_code == 302


def test_unlock_command_lifts_the_lockout(users):
    client = Client()
    for _ in range(5):
        login(client, "u-tacheng", "wrong-password")
    assert login(client, "u-tacheng", PASSWORD).status_code == 429
    result = users_cli("unlock", "u-tacheng")
    assert result.exit_code == 0, result.output
    assert "已解除用户 u-tacheng 的登录锁定" in result.output
    assert login(client, "u-tacheng", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(users):
    client = Client()
    for _ in range(4):
        login(client, "u-tacheng", "wrong-password")
    assert login(client, "u-tacheng", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        login(client, "u-tacheng", "wrong-password")
    assert login(client, "u-tacheng", PASSWORD).status_code == 302  # 4 + 4 failures, never 5 in a row


# ---------------------------------------------------------------- audit


def test_login_and_logout_are_audited(users):
    client = Client(HTTP_USER_AGENT="测试浏览器/1.0")
    assert login(client, "u-emin", PASSWORD, address="192.168.5.7").status_code == 302
    assert client.post("/logout/", REMOTE_ADDR="192.168.5.7").status_code == 302
    assert login(client, "u-emin", "nope-nope", address="192.168.5.8").status_code == 200
    assert events("u-emin") == [("login", "192.168.5.7"), ("logout", "192.168.5.7"), ("failed", "192.168.5.8")]
    from fundflow.accounts.models import LoginEvent

    first = LoginEvent.objects.filter(username="u-emin").order_by("at", "id").first()
    assert first.user == users["emin"]
    assert first.user_agent == "测试浏览器/1.0"
    assert first.path == "/login/"
    assert first.get_kind_display() == "登录成功"


def test_failed_login_of_an_unknown_name_is_audited_without_a_user(users):
    login(Client(), "nobody", "whatever1")
    from fundflow.accounts.models import LoginEvent

    event = LoginEvent.objects.get(username="nobody")
    assert (event.kind, event.user) == ("failed", None)


def test_admin_shows_login_records_and_lockouts_in_chinese(users):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("boss", password=PASSWORD)
    for _ in range(5):
        login(Client(), "u-toli", "wrong-password")
    client = Client()
    client.force_login(admin)
    records = client.get("/admin/accounts/loginevent/").content.decode()
    assert "登录记录" in records
    assert "登录失败" in records
    assert "u-toli" in records
    locks = client.get("/admin/accounts/lockedlogin/").content.decode()
    assert "登录失败与锁定" in locks
    assert "u-toli" in locks
    assert "连续失败次数" in locks
    # Audit records cannot be edited or deleted from the admin.
    event = users["toli"].loginevent_set.first()
    assert client.post(f"/admin/accounts/loginevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


# ---------------------------------------------------------------- API still works


def test_api_token_login_still_works_and_is_throttled(users):
    client = Client()
    response = client.post("/api/token/", {"username": "u-tacheng", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200, response.content
    token = json.loads(response.content)["token"]
    assert client.get("/api/plans/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    for _ in range(5):
        client.post("/api/token/", {"username": "u-emin", "password": "wrong-password"}, REMOTE_ADDR="10.0.0.1")
    refused = client.post("/api/token/", {"username": "u-emin", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert refused.status_code in (400, 429)
    assert "token" not in refused.content.decode()


# ---------------------------------------------------------------- fundflow users


def test_users_add_creates_a_user_who_logs_in_and_sees_only_its_region(plans):
    result = users_cli(
        "add",
        "zhang.san",
        "--role",
        "county_finance",
        "--region",
        "额敏县",
        "--password-stdin",
        stdin="zhangsan-pass-1\n",
    )
    assert result.exit_code == 0, result.output
    assert "已新建用户 zhang.san：县市财政局，所属地区 额敏县（654221）" in result.output
    assert "初始密码" not in result.output
    client = Client()
    assert login(client, "zhang.san", "zhangsan-pass-1").status_code == 302
    page = client.get("/allocations/").content.decode()
    assert plans["emin"].title in page
    for other in ("region", "tacheng", "altay", "toli", "fixed"):
        assert plans[other].title not in page, other
    api = json.loads(client.get("/api/plans/").content)
    assert {p["id"] for p in api} == {plans["emin"].pk}


def test_users_add_without_password_shows_a_generated_one_once(reference):
    result = users_cli("add", "li.si", "--role", "unit", "--region", "654200", "--unit", "塔城地区医疗保障局")
    assert result.exit_code == 0, result.output
    assert "预算单位，所属地区 塔城地区（654200），预算单位 塔城地区医疗保障局" in result.output
    password = result.output.split("初始密码（仅显示这一次，请转交本人并提醒修改）：")[1].split()[0]
    assert login(Client(), "li.si", password).status_code == 302


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "county_finance", "--region", "火星"], "没有找到地区“火星”"),
        (["--role", "县长", "--region", "654221"], "没有角色“县长”"),
        (["--role", "unit", "--region", "654200"], "角色“预算单位”须指定所属预算单位（--unit）"),
        (
            ["--role", "unit", "--region", "654300", "--unit", "654200-YB"],
            "预算单位“塔城地区医疗保障局”属于“塔城地区”，不在所属地区“阿勒泰地区”",
        ),
        (
            ["--role", "county_finance", "--region", "654200"],
            "角色“县市财政局”的所属地区应为县市区级，“塔城地区”（654200）是地州市级",
        ),
        (
            ["--role", "prefecture_finance", "--region", "654200", "--unit", "654200-YB"],
            "只有“预算单位”角色可以指定所属预算单位",
        ),
        (["--role", "auditor", "--region", "654200", "--unit", "不存在的局"], "没有找到预算单位“不存在的局”"),
    ],
)
def test_users_add_refuses_bad_combinations(reference, args, message):
    from django.contrib.auth import get_user_model

    result = users_cli("add", "bad.user", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not get_user_model().objects.filter(username="bad.user").exists()


def test_users_add_refuses_a_short_password_and_an_existing_name(users):
    from django.contrib.auth import get_user_model

    short = users_cli("add", "wang.wu", "--role", "auditor", "--region", "654200", "--password-stdin", stdin="abc\n")
    assert short.exit_code == 2
    assert "密码不符合要求" in short.output
    assert not get_user_model().objects.filter(username="wang.wu").exists()
    taken = users_cli("add", "u-emin", "--role", "auditor", "--region", "654200")
    assert taken.exit_code == 2
    assert "用户“u-emin”已存在" in taken.output


def test_users_set_role_and_list(users):
    result = users_cli("set-role", "u-emin", "--role", "county_finance", "--region", "托里县")
    assert result.exit_code == 0, result.output
    users["emin"].profile.refresh_from_db()
    assert users["emin"].profile.region.code == "654224"
    bad = users_cli("set-role", "u-emin", "--role", "prefecture_finance")
    assert bad.exit_code == 2
    assert "所属地区应为地州市级" in bad.output
    users["emin"].profile.refresh_from_db()
    assert users["emin"].profile.role == "county_finance"
    assert users_cli("set-role", "nobody", "--role", "auditor").exit_code == 2
    listing = users_cli("list")
    assert listing.exit_code == 0, listing.output
    line = next(ln for ln in listing.output.splitlines() if "u-emin" in ln)
    assert "县市财政局" in line
    assert "托里县（654224）" in line
    assert "塔城地区医疗保障局" in next(ln for ln in listing.output.splitlines() if "u-yibao" in ln)


def test_admin_user_page_edits_the_profile_and_refuses_bad_scope(users):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("boss", password=PASSWORD)
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/auth/user/{users['emin'].pk}/change/").content.decode()
    assert "角色与所属地区" in page
    from fundflow.accounts.admin import ProfileForm
    from fundflow.regions.models import BudgetUnit, Region

    form = ProfileForm(
        data={
            "role": "unit",
            "region": Region.objects.get(code="654300").pk,
            "unit": BudgetUnit.objects.get(code="654200-YB").pk,
            "office": "",
        },
        instance=users["emin"].profile,
    )
    assert not form.is_valid()
    assert "不在所属地区“阿勒泰地区”" in str(form.errors)


def test_password_stdin_reads_one_line(reference):
    result = users_cli(
        "add",
        "zhao.liu",
        "--role",
        "auditor",
        "--region",
        "654200",
        "--password-stdin",
        stdin="",
    )
    assert result.exit_code == 2
    assert "标准输入中没有密码" in result.output
