"""表现突出 is a dated recognition (§六), not a flag: recognising or withdrawing never rewrites a
past month; services audit both; page and API are scoped like the expert and offer the actions
only to whom the permission function allows (the province, the recipient served)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.people.domain.recognition import (
    last_day_in_force,
    start_problem,
    withdrawal_problem,
)
from bangfu.people.models import Recognition
from bangfu.people.services import RecognitionInput, recognition_create
from bangfu.people.tests.fixtures import today

D = date


@pytest.mark.parametrize(
    ("end", "withdrawn_from", "last"),
    [
        (None, None, None),
        (D(2026, 6, 30), None, D(2026, 6, 30)),
        (None, D(2026, 5, 1), D(2026, 4, 30)),
        (D(2026, 6, 30), D(2026, 9, 1), D(2026, 6, 30)),
        (D(2026, 6, 30), D(2026, 5, 1), D(2026, 4, 30)),
    ],
)
def test_last_day_in_force(end, withdrawn_from, last):
    assert last_day_in_force(end, withdrawn_from) == last


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (D(2026, 3, 1), None, None),
        (D(2026, 3, 31), D(2026, 12, 31), None),
        (D(2026, 2, 28), None, "start"),  # a past month would be rewritten
        (D(2026, 4, 1), D(2026, 3, 31), "end"),
    ],
)
def test_a_recognition_starts_no_earlier_than_this_month(start, end, field):
    problem = start_problem(start, end, today=D(2026, 3, 15))
    assert (problem[0] if problem else None) == field


@pytest.mark.parametrize(
    ("end", "withdrawn_from", "on", "refused"),
    [
        (None, None, D(2026, 3, 15), None),
        (None, None, D(2026, 2, 1), "本月1日"),
        (None, D(2026, 3, 2), D(2026, 3, 15), "已于2026-03-02起撤销"),
        (D(2026, 3, 10), None, D(2026, 3, 15), "已于2026-03-10截止"),
    ],
)
def test_withdrawal_takes_effect_no_earlier_than_this_month(end, withdrawn_from, on, refused):
    problem = withdrawal_problem(D(2026, 1, 1), end, withdrawn_from, on, today=D(2026, 3, 15))
    assert (refused in problem) if refused else problem is None


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_recognitions_are_refused_in_the_past_over_another_and_without_reason(
    province_officer, expert
):
    now = today()
    count = (Recognition.objects.count(), AuditEntry.objects.count())
    first_of_month = now.replace(day=1)
    for data, field in (
        (
            RecognitionInput(expert.pk, first_of_month.replace(year=now.year - 1), None, "x"),
            "start",
        ),
        (RecognitionInput(expert.pk, first_of_month, None, "  "), "reason"),
    ):
        with pytest.raises(ValidationError) as info:
            recognition_create(actor=province_officer, data=data)
        assert field in info.value.message_dict
    assert (Recognition.objects.count(), AuditEntry.objects.count()) == count
    recognition_create(
        actor=province_officer, data=RecognitionInput(expert.pk, first_of_month, None, "优秀")
    )
    with pytest.raises(ValidationError) as info:
        recognition_create(
            actor=province_officer, data=RecognitionInput(expert.pk, now, None, "再次")
        )
    assert "重叠" in info.value.message_dict["start"][0]


@pytestmark_db
@pytest.mark.parametrize("who", ["helper_user", "county_officer", "observer_user", "expert_user"])
def test_only_the_province_and_the_recipient_served_recognise(request, who, expert):
    user = request.getfixturevalue(who)
    data = RecognitionInput(expert.pk, today().replace(day=1), None, "优秀")
    with pytest.raises((PermissionDenied, ValidationError)):
        recognition_create(actor=user, data=data)
    assert not Recognition.objects.filter(expert=expert).exists()


@pytestmark_db
def test_the_page_offers_recognise_and_withdraw_only_to_whom_may(
    client, recipient_user, helper_user, expert
):
    url = reverse("people:expert_detail", args=[expert.pk])
    client.force_login(helper_user)
    page = client.get(url).content.decode()
    assert 'data-testid="recognise"' not in page

    client.force_login(recipient_user)
    assert 'data-testid="recognise"' in client.get(url).content.decode()
    start = today().replace(day=1).isoformat()
    done = client.post(
        reverse("people:recognition_create", args=[expert.pk]),
        {"start": start, "reason": "年度考核优秀"},
    )
    assert done.status_code == 302
    recognition = Recognition.objects.get(expert=expert)
    page = client.get(url).content.decode()
    assert "年度考核优秀" in page and "确认撤销" in page
    withdrawn = client.post(
        reverse("people:recognition_withdraw", args=[expert.pk, recognition.pk]),
        {"reason": "复核未通过"},
    )
    assert withdrawn.status_code == 302
    recognition.refresh_from_db()
    assert recognition.withdrawn_from == today() and recognition.withdrawal_reason == "复核未通过"


@pytestmark_db
def test_api_recognise_list_and_withdraw_scoped_like_the_expert(
    api_client, recipient_user, helper_user, expert, other_expert
):
    api_client.login(recipient_user)
    start = today().replace(day=1).isoformat()
    created = api_client.post(
        "/api/v1/recognitions", {"expert_id": expert.pk, "start": start, "reason": "考核优秀"}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["expert_id"] == expert.pk and body["end"] is None and body["status"] == "有效"
    listed = api_client.get(f"/api/v1/recognitions?expert_id={expert.pk}").json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    # An expert outside the recipient's scope is a 404, and nothing is written.
    out = api_client.post(
        "/api/v1/recognitions", {"expert_id": other_expert.pk, "start": start, "reason": "x"}
    )
    assert out.status_code == 404
    withdrawn = api_client.post(
        f"/api/v1/recognitions/{body['id']}/withdraw", {"reason": "复核未通过"}
    )
    assert (
        withdrawn.status_code == 200 and withdrawn.json()["withdrawn_from"] == today().isoformat()
    )
    again = api_client.post(f"/api/v1/recognitions/{body['id']}/withdraw", {"reason": "再次"})
    assert again.status_code == 422
    api_client.login(helper_user)
    refused = api_client.post(
        "/api/v1/recognitions", {"expert_id": expert.pk, "start": start, "reason": "x"}
    )
    assert refused.status_code == 403
