"""Shared fixtures: the small world of experts in `bangfu.people.tests.fixtures`."""

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
