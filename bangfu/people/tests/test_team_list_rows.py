"""The team list reads only what its rows show (issue #13): its rows, composition checks and
members equal those built from fully loaded teams."""

from __future__ import annotations

import pytest

from bangfu.people.selectors import _teams_for_user, team_list_for_user, team_rows
from bangfu.people.services import coverage_link_add, mentorship_create
from bangfu.people.tests.fixtures import deploy, make_expert, today

pytestmark = pytest.mark.django_db


def _shown(rows):
    return [
        (
            r.team.pk,
            r.team.partnership.helper.name,
            r.team.partnership.recipient.name,
            r.team.batch,
            r.team.captain.name if r.team.captain else None,
            r.on_site_today,
            [(d.pk, d.expert_id, d.expert.name, d.expert.title, d.kind) for d in r.members],
            [(f.code, f.grade, f.member_id, f.message, f.clause) for f in r.check.findings],
        )
        for r in rows
    ]


@pytest.mark.parametrize("persona", ["province_officer", "county_officer", "helper_user"])
def test_list_rows_equal_those_of_fully_loaded_teams(
    request, persona, province_officer, team, expert, departments
):
    for i in range(2):  # members with and without 3X links and mentorships
        d = deploy(
            province_officer,
            team,
            make_expert(province_officer, f"列表{i}", team.partnership.helper),
        )
        if i == 0:
            coverage_link_add(actor=province_officer, deployment=d, department=departments["眼科"])
            mentorship_create(actor=province_officer, deployment=d, mentee_name="徒", start=today())
    user = request.getfixturevalue(persona)
    listed = team_list_for_user(user=user)
    full = _teams_for_user(user).order_by(
        "partnership__recipient__name", "partnership__helper__name", "batch"
    )
    shown = _shown(team_rows(listed))
    assert shown == _shown(team_rows(full))
    assert any(row[0] == team.pk for row in shown) or persona != "province_officer"
