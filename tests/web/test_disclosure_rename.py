"""The app rename disclosure_web → disclosure (and UnitBudget → BudgetRecord, 万元 → 元) keeps existing data.

The test builds a database as the old code left it — the old app's tables from its own migration (kept verbatim
in tests/web/legacy), its content types and django_migrations row, a budget with history — then migrates.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from tests.web.legacy import disclosure_web_0001_initial as legacy

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _old_database(user, unit) -> int:
    """Unapply the new app, then apply the old app's migration and record it as the old code did."""
    from django.contrib.contenttypes.models import ContentType

    _migrate([("disclosure", None)])
    executor = MigrationExecutor(connection)
    state = executor.loader.project_state()
    with connection.schema_editor() as editor:
        legacy.Migration("0001_initial", "disclosure_web").apply(state, editor)
    MigrationRecorder(connection).record_applied("disclosure_web", "0001_initial")
    ContentType.objects.filter(app_label="disclosure").delete()
    for model in ("unitbudget", "historicalunitbudget"):
        ContentType.objects.create(app_label="disclosure_web", model=model)
    # Rows go in as the old code wrote them: ids from the tables' own sequences (PostgreSQL must continue them).
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO disclosure_web_unitbudget (unit_id, year, budget_yaml, total, version, created_by_id,"
            " updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [unit.pk, 2021, "unit: 测试\n", Decimal("1051.79"), 3, user.pk, "2025-01-02 03:04:05"],
        )
        cursor.execute("SELECT id FROM disclosure_web_unitbudget WHERE year = %s", [2021])
        (pk,) = cursor.fetchone()
        for version, total in ((1, Decimal("1050.79")), (2, Decimal("1051.79"))):
            cursor.execute(
                "INSERT INTO disclosure_web_historicalunitbudget (id, unit_id, year, budget_yaml, total, version,"
                " created_by_id, updated_at, history_date, history_type, history_user_id)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [pk, unit.pk, 2021, "", total, version, user.pk, "2025-01-02", "2025-01-02", "~", user.pk],
            )
    return pk


def test_migrating_an_old_database_keeps_the_budget_and_its_history_in_yuan(users):
    from django.contrib.contenttypes.models import ContentType

    from fundflow.disclosure.models import BudgetRecord
    from fundflow.regions.models import BudgetUnit

    unit = BudgetUnit.objects.get(code="654200-YB")
    pk = _old_database(users["tacheng"], unit)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    budget = BudgetRecord.objects.get(pk=pk)
    assert (budget.unit, budget.year, budget.version, budget.budget_yaml) == (unit, 2021, 3, "unit: 测试\n")
    assert budget.total == Decimal("10517900")
    assert budget.total_wan == "1051.79"
    assert sorted(h.total for h in budget.history.all()) == [Decimal("10507900"), Decimal("10517900")]
    tables = set(connection.introspection.table_names())
    assert {"disclosure_budgetrecord", "disclosure_historicalbudgetrecord"} <= tables
    assert not {t for t in tables if t.startswith("disclosure_web")}
    assert not MigrationRecorder(connection).migration_qs.filter(app="disclosure_web").exists()
    assert not ContentType.objects.filter(app_label="disclosure_web").exists()
    assert ContentType.objects.get_for_model(BudgetRecord).app_label == "disclosure"
    # The tables still take new budgets and history: ids continue after the kept ones (sequences renamed along).
    other = BudgetRecord.objects.create(
        unit=unit, year=2022, budget_yaml="", total=Decimal("1"), created_by=users["tacheng"]
    )
    assert other.pk > pk
    assert other.history.count() == 1


def test_a_new_database_gets_the_tables_and_the_old_app_leaves_no_trace(users):
    from fundflow.disclosure.models import BudgetRecord

    tables = set(connection.introspection.table_names())
    assert BudgetRecord._meta.db_table == "disclosure_budgetrecord"
    assert "disclosure_budgetrecord" in tables
    assert not {t for t in tables if t.startswith("disclosure_web")}
