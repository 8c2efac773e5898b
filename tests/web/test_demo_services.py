"""`fundflow demo` writes only through services (accounts, allocations, disclosure, regions), idempotently."""

import re
from pathlib import Path

import pytest

from fundflow.cli import web
from fundflow.io.plan_writer import plan_to_yaml
from fundflow.io.plan_yaml import load_plan
from tests.conftest import MEDICAL_AID_PLAN

CLI = Path(web.__file__).resolve().parent

ORM_WRITE = re.compile(
    r"\.objects\.(create|get_or_create|update_or_create|bulk_create|update|delete)\(|\.save\(|\.delete\("
)


def test_cli_modules_never_write_through_the_orm():
    for module in sorted(CLI.glob("*.py")):
        text = module.read_text(encoding="utf-8")
        assert not ORM_WRITE.search(text), f"{module.name} writes through the ORM; call a service instead"


@pytest.mark.django_db
def test_demo_users_are_created_once_through_the_accounts_service(reference):
    from django.contrib.auth import get_user_model

    created = web._demo_users("demo-pass-2026")
    assert created == ["demo-region", "demo-tacheng", "demo-emin", "demo-yibao", "demo-audit"]
    yibao = get_user_model().objects.get(username="demo-yibao")
    assert (yibao.profile.role, yibao.profile.region.code, yibao.profile.unit.code) == ("unit", "654200", "654200-YB")
    assert yibao.check_password("demo-pass-2026")
    assert web._demo_users("another-password") == []
    yibao.refresh_from_db()
    assert yibao.check_password("demo-pass-2026")  # an existing user's password is left alone


@pytest.mark.django_db
def test_demo_password_too_short_is_a_chinese_error_and_creates_nothing(reference):
    import typer
    from django.contrib.auth import get_user_model

    with pytest.raises(typer.Exit) as exc:
        web._demo_users("short")
    assert exc.value.exit_code == 2
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_plan_seed_creates_computes_and_approves_once(reference):
    from django.contrib.auth import get_user_model

    from fundflow.accounts.services import UserSpec, users_ensure
    from fundflow.allocations.models import AllocationPlan
    from fundflow.allocations.services import plan_seed

    users_ensure([UserSpec("seeder", "region_finance", "650000", None, "")], password="seed-pass-2026")
    user = get_user_model().objects.get(username="seeder")
    plan = load_plan(MEDICAL_AID_PLAN)
    spec = plan_to_yaml(plan, rows=False)
    record = plan_seed(user=user, plan=plan, spec_yaml=spec, document_number="新财社〔2020〕34号", approve=True)
    assert record is not None
    assert (record.status, record.document_number) == ("approved", "新财社〔2020〕34号")
    assert record.recipients.count() == 97
    assert plan_seed(user=user, plan=plan, spec_yaml=spec, document_number="新财社〔2020〕34号", approve=True) is None
    assert AllocationPlan.objects.count() == 1
