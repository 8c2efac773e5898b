"""Fixtures for the disclosure tests: seed 004 read as published, and the example budget generated."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES, SEEDS

SEED_004 = SEEDS / "004_4a81370b0e6b5e7e.txt"
AKTO_BUDGET = EXAMPLES / "akto-2021-medical-security-budget.yaml"


@pytest.fixture(scope="session")
def book():
    from fundflow.reference import catalogue

    return catalogue(2021)


@pytest.fixture(scope="session")
def seed_004():
    from fundflow.io.disclosure_text import read_disclosure_text

    return read_disclosure_text(SEED_004)


@pytest.fixture(scope="session")
def akto_budget(book):
    from fundflow.io.disclosure_budget import load_budget

    return load_budget(AKTO_BUDGET, book)


@pytest.fixture(scope="session")
def akto_package(akto_budget, book):
    from fundflow.core.disclosure import generate

    return generate(akto_budget, book)
