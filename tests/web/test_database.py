"""The suite runs twice, on SQLite and on PostgreSQL; this test makes sure each run really uses its database."""

import os

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_the_expected_database_engine_is_in_use():
    expected = os.environ.get("FUNDFLOW_EXPECT_DB", "postgresql" if os.environ.get("DATABASE_URL") else "sqlite")
    assert connection.vendor == expected


def test_money_is_stored_exactly(plans):
    from decimal import Decimal

    from fundflow.allocations.models import AllocationPlan

    plan = AllocationPlan.objects.get(pk=plans["tacheng"].pk)
    assert plan.total == Decimal("1000000.00")
    assert isinstance(plan.total, Decimal)
