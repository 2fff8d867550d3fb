"""Agreement actions decided once (`domain.actions`), enforced by the services, offered by the
pages and the API; the first agreement of a matched pair; the agreement that governs a day."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from bangfu.core.models import AuditEntry
from bangfu.matching.services import matching_proposals_accept, matching_round_run
from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.domain.actions import agreement_actions
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.selectors import agreement_facts, today_local
from bangfu.partnerships.services import agreement_terminate
from bangfu.registry.models import Institution

from .conftest import form_body

pytestmark = pytest.mark.django_db

MANAGERS = {"demo_province", "demo_prefecture", "demo_county"}


def _text(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def test_api_renewal_of_a_draft_is_refused_with_the_reason_and_writes_nothing(
    api_client, province_officer, unpaired_recipients, make_partnership, today
):
    partnership = make_partnership(unpaired_recipients[0], start=today, signed=False)
    draft = partnership.agreements.get()
    api_client.login(province_officer)
    response = api_client.post(f"/api/v1/agreements/{draft.pk}/renew", {})
    assert response.status_code == 422, response.content
    assert "尚未经三方签字、盖章，不能续签" in _text(response)
    assert "附件2 五(一)" in _text(response)
    assert partnership.agreements.count() == 1
    assert not Agreement.objects.filter(previous=draft).exists()


def test_api_renewal_of_a_signed_agreement_in_force_still_works(
    api_client, province_officer, unpaired_recipients, make_partnership, today
):
    partnership = make_partnership(unpaired_recipients[0], start=today - timedelta(days=30))
    api_client.login(province_officer)
    response = api_client.post(f"/api/v1/agreements/{partnership.agreements.get().pk}/renew", {})
    assert response.status_code == 201, response.content
    assert response.json()["cycle_number"] == 2


def test_page_signing_of_a_terminated_agreement_is_refused_and_keeps_the_date(
    client, province_officer, unpaired_recipients, make_partnership, today
):
    partnership = make_partnership(unpaired_recipients[0], start=today - timedelta(days=100))
    agreement = partnership.agreements.get()
    agreement_terminate(actor=province_officer, agreement=agreement, on=today, reason="撤销")
    signed_before = Agreement.objects.get(pk=agreement.pk).signed_on
    client.force_login(province_officer)
    response = client.post(
        reverse("partnerships:agreement_sign", args=[agreement.pk]),
        {"signed_on": (today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert f"协议已于{today.isoformat()}终止" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).signed_on == signed_before


def test_api_signing_of_a_terminated_agreement_is_refused(
    api_client, province_officer, unpaired_recipients, make_partnership, today
):
    partnership = make_partnership(unpaired_recipients[0], start=today - timedelta(days=100))
    agreement = partnership.agreements.get()
    agreement_terminate(actor=province_officer, agreement=agreement, on=today, reason="撤销")
    api_client.login(province_officer)
    response = api_client.post(
        f"/api/v1/agreements/{agreement.pk}/sign", {"signed_on": today.isoformat()}
    )
    assert response.status_code == 422
    assert "终止" in _text(response)


def test_api_signs_and_files_a_draft_then_lists_its_actions(
    api_client, prefecture_officer, observer_user, unpaired_recipients, make_partnership, today
):
    bijie = [r for r in unpaired_recipients if r.county.prefecture.code == "520500"]
    partnership = make_partnership(bijie[0], start=today, signed=False)
    draft = partnership.agreements.get()
    api_client.login(prefecture_officer)
    filed_early = api_client.post(
        f"/api/v1/agreements/{draft.pk}/file", {"level": "county", "filed_on": today.isoformat()}
    )
    assert filed_early.status_code == 422 and "尚未签订" in _text(filed_early)
    signed = api_client.post(
        f"/api/v1/agreements/{draft.pk}/sign", {"signed_on": today.isoformat()}
    )
    assert signed.status_code == 200, signed.content
    body = signed.json()
    assert body["signed_on"] == today.isoformat() and body["status"] in ("active", "expiring")
    assert body["actions"]["renew"]["allowed"] is True
    assert body["actions"]["file"]["allowed"] is True
    filed = api_client.post(
        f"/api/v1/agreements/{draft.pk}/file", {"level": "county", "filed_on": today.isoformat()}
    )
    assert filed.status_code == 200, filed.content
    assert Agreement.objects.get(pk=draft.pk).filed_county_on == today
    assert AuditEntry.objects.filter(object_id=str(draft.pk), action="file").exists()
    # The observer reads the same agreement with every action refused, saying why.
    api_client.login(observer_user)
    listed = api_client.get("/api/v1/agreements", page_size=500).json()["items"]
    item = next(i for i in listed if i["id"] == draft.pk)
    assert not any(a["allowed"] for a in item["actions"].values())
    assert "卫生健康部门" in item["actions"]["renew"]["reason"]


# ---- the buttons on the detail page are the domain's allowed actions, for every persona ----

ACTION = re.compile(r'data-action="(\w+)"')


def _buttons_by_cycle(html: str) -> dict[int, set[str]]:
    shown: dict[int, set[str]] = {}
    for block in html.split('data-testid="cycle"')[1:]:
        found = re.search(r'data-agreement="(\d+)"', block)
        assert found is not None
        shown[int(found.group(1))] = set(ACTION.findall(block))
    return shown


PERSONAS = [
    "province_officer",
    "county_officer",
    "recipient_user",
    "helper_user",
    "observer_user",
]


@pytest.mark.parametrize("who", PERSONAS)
def test_detail_buttons_are_the_allowed_actions_for_each_persona(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    today = today_local()
    visible = client.get(reverse("partnerships:partnership_list")).context["page"].object_list
    checked = 0
    for row in list(visible)[:12]:
        html = client.get(
            reverse("partnerships:partnership_detail", args=[row.partnership.pk])
        ).content.decode()
        shown = _buttons_by_cycle(html)
        cycles = list(row.partnership.agreements.all())
        renewed = {a.previous_id for a in cycles if a.previous_id}
        for a in cycles:
            facts = agreement_facts(a, has_next_cycle=a.pk in renewed)
            allowed = {x.value for x in agreement_actions(facts, today).allowed}
            expected = allowed if user.username in MANAGERS else set()
            assert shown[a.pk] == expected, (row.partnership, a.cycle_number)
            checked += 1
        assert ('data-testid="first-agreement"' in html) == (
            not cycles and user.username in MANAGERS
        )
    assert checked > 0


# ---- 登记首期协议 after a matching accept ----


@pytest.fixture
def matched_partnership(province_officer) -> Partnership:
    """A pair accepted in a matching round: a partnership 待签协议, with no agreement."""
    recipient = Institution.objects.get(name="赫章县人民医院")
    helper = Institution.objects.get(name="浙江省人民医院")
    round_ = matching_round_run(
        actor=province_officer,
        method="optimal",
        recipient_ids=[recipient.pk],
        helper_ids=[helper.pk],
        capacity_overrides={helper.pk: 1},
    )
    proposal = round_.proposals.get()
    (partnership,) = matching_proposals_accept(
        actor=province_officer, round_=round_, proposal_ids=[proposal.pk]
    )
    assert not partnership.agreements.exists()
    return partnership


def test_first_agreement_via_the_api_after_a_matching_accept(
    api_client, province_officer, observer_user, matched_partnership, today
):
    url = f"/api/v1/partnerships/{matched_partnership.pk}/agreements"
    body = {
        "start": today.isoformat(),
        "signed_on": today.isoformat(),
        "measures": demo_measures(),
    }
    api_client.login(observer_user)
    assert api_client.post(url, body).status_code == 403
    api_client.login(province_officer)
    detail = api_client.get(f"/api/v1/partnerships/{matched_partnership.pk}").json()
    assert detail["first_agreement"] == {"allowed": True, "reason": ""}
    created = api_client.post(url, body)
    assert created.status_code == 201, created.content
    assert created.json()["cycle_number"] == 1
    agreement = matched_partnership.agreements.get()
    assert agreement.party_c.endswith("人民政府") and agreement.signed_on == today
    assert AuditEntry.objects.filter(object_id=str(agreement.pk), action="create").exists()
    # A second "first" agreement is refused: later cycles are renewals.
    again = api_client.post(url, body)
    assert again.status_code == 422 and "续签" in _text(again)
    assert matched_partnership.agreements.count() == 1
    after = api_client.get(f"/api/v1/partnerships/{matched_partnership.pk}").json()
    assert after["first_agreement"]["allowed"] is False


def test_first_agreement_via_the_page_after_a_matching_accept(
    client, province_officer, recipient_user, matched_partnership, eligible_helper, today
):
    detail_url = reverse("partnerships:partnership_detail", args=[matched_partnership.pk])
    url = reverse("partnerships:agreement_first_create", args=[matched_partnership.pk])
    client.force_login(province_officer)
    assert 'data-testid="first-agreement"' in client.get(detail_url).content.decode()
    assert client.get(url).status_code == 200
    body = form_body(eligible_helper, matched_partnership.recipient)
    bad = client.post(url, body | {"measures": []})
    assert bad.status_code == 400 and not matched_partnership.agreements.exists()
    response = client.post(url, body | {"signed_on": today.isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = matched_partnership.agreements.get()
    assert agreement.start == date.fromisoformat(body["start"]) and agreement.signed_on == today
    html = client.get(detail_url).content.decode()
    assert 'data-testid="first-agreement"' not in html
    # Once it has an agreement the page refuses a second "first" one.
    assert client.get(url).status_code == 302
    assert matched_partnership.agreements.count() == 1


def test_first_agreement_page_is_refused_to_hospital_users(
    client, recipient_user, matched_partnership
):
    client.force_login(recipient_user)
    url = reverse("partnerships:agreement_first_create", args=[matched_partnership.pk])
    assert client.get(url).status_code == 404  # another recipient's partnership


def test_create_form_warns_of_a_partnership_waiting_for_its_agreement(
    client, province_officer, matched_partnership
):
    client.force_login(province_officer)
    response = client.get(
        reverse("partnerships:partnership_pending"),
        {"recipient": matched_partnership.recipient_id},
    )
    html = response.content.decode()
    assert "尚未签订协议的帮扶关系" in html
    assert reverse("partnerships:partnership_detail", args=[matched_partnership.pk]) in html
    other = Institution.objects.get(name="纳雍县人民医院")
    quiet = client.get(reverse("partnerships:partnership_pending"), {"recipient": other.pk})
    assert 'data-testid="pending-link"' not in quiet.content.decode()
    # The create form, posted for the same recipient, shows the warning next to its errors.
    posted = client.post(
        reverse("partnerships:partnership_create"),
        {"recipient": matched_partnership.recipient_id},
    )
    assert posted.status_code == 400
    assert 'data-testid="pending-link"' in posted.content.decode()


# ---- the agreement's own terms: an agreed "no tourism card" (A2-四(三)7) ----


def test_an_agreed_no_tourism_card_is_not_printed_as_provided_and_is_a_deviation(
    province_officer, unpaired_recipients, eligible_helper, today
):
    from bangfu.documents.domain.agreement import TOURISM_CARD_ITEM, agreement_content
    from bangfu.partnerships.documents import agreement_document_for
    from bangfu.partnerships.services import AgreementInput, partnership_create

    partnership = partnership_create(
        actor=province_officer,
        helper=eligible_helper,
        recipient=unpaired_recipients[0],
        modes=["east_west"],
        agreement=AgreementInput(
            start=today,
            measures=demo_measures(),
            guarantee_overrides={"tourism_card": False},
        ),
    )
    agreement = partnership.agreements.get()
    assert agreement.guarantee_overrides == {"tourism_card": False}
    content = agreement_content(agreement_document_for(agreement))
    assert content.tourism_card_item != TOURISM_CARD_ITEM
    assert "不约定" in content.tourism_card_item
    assert any("旅游优惠证" in reason for reason in content.reasons)
    # The policy's default still prints item 7 as provided, with no deviation.
    default = partnership_create(
        actor=province_officer,
        helper=eligible_helper,
        recipient=unpaired_recipients[1],
        modes=["east_west"],
        agreement=AgreementInput(start=today, measures=demo_measures()),
    )
    plain = agreement_content(agreement_document_for(default.agreements.get()))
    assert plain.tourism_card_item == TOURISM_CARD_ITEM
    assert not any("旅游优惠证" in reason for reason in plain.reasons)
