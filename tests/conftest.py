"""Shared fixtures: repository paths and the seed documents (copied into tests/fixtures/seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# Property tests judge results, not speed: no per-example deadline (a loaded CI machine must not fail them;
# speed is measured by bench/, not by tests).
settings.register_profile("fundflow", deadline=None)
settings.load_profile("fundflow")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
EXAMPLES = ROOT / "examples"
SEED_001 = SEEDS / "001_c77cf8e374aa7af8.txt"
SEED_003 = SEEDS / "003_0d190ddb47b0dc30.txt"
MEDICAL_AID_PLAN = EXAMPLES / "xinjiang-2021-medical-aid.yaml"


@pytest.fixture(scope="session")
def medical_aid_result():
    from fundflow.core.allocation import allocate
    from fundflow.io.plan_yaml import load_plan

    return allocate(load_plan(MEDICAL_AID_PLAN))


@pytest.fixture(scope="session")
def seed_001_table():
    from fundflow.io.published_table import read_table_file

    return read_table_file(SEED_001)
