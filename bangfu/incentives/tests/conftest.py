"""Shared fixtures: the small world of experts in `bangfu.people.tests.fixtures`, uploads kept
under a temporary media root, and one travel claim with a receipt."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bangfu.incentives.services import travel_claim_create
from bangfu.incentives.tests.uploads import receipt
from bangfu.people.tests.fixtures import (  # noqa: F401
    departments,
    expert,
    idle_expert,
    other_expert,
    other_pair,
    other_team,
    pair,
    resident,
    team,
    world,
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def claim(expert_user, resident):  # noqa: F811
    return travel_claim_create(
        actor=expert_user,
        deployment=resident,
        date=resident.start + timedelta(days=30),
        amount=Decimal("1180.00"),
        receipt=receipt(),
    )
