"""Matching pages as each persona uses them (F7, F12): who sees which rounds, who may act, the
forms' messages, the Excel export, and constant query counts."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bangfu.accounts.models import Role, User
from bangfu.matching.models import MatchingProposal, MatchingRound
from bangfu.matching.services import matching_round_run
from bangfu.partnerships.models import Partnership
from bangfu.registry.models import Prefecture

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds(small_round, prefecture_officer, bijie_recipient_ids, helper_ids):
    """One province round, one Bijie round and one round of another prefecture (安顺)."""
    anshun = Prefecture.objects.get(code="520400")
    anshun_officer = User.objects.create_user(
        username="anshun_officer", role=Role.PREFECTURE, prefecture=anshun
    )
    return {
        "province": small_round(),
        "bijie": small_round(actor=prefecture_officer),
        "anshun": matching_round_run(
            actor=anshun_officer,
            method="stable",
            helper_ids=helper_ids,
            capacity_overrides=dict.fromkeys(helper_ids, 1),
        ),
    }


VISIBLE = {
    "demo_province": {"province", "bijie", "anshun"},
    "demo_prefecture": {"bijie"},
}


def test_each_persona_sees_exactly_its_rounds_on_the_list(client, persona, rounds):
    client.force_login(persona)
    response = client.get(reverse("matching:round_list"))
    assert response.status_code == 200
    shown = {r.pk for r in response.context["page"].paginator.object_list}
    assert shown == {rounds[k].pk for k in VISIBLE.get(persona.username, set())}


def test_each_persona_opens_exactly_its_rounds(client, persona, rounds):
    client.force_login(persona)
    for key, round_ in rounds.items():
        for name in ("matching:round_detail", "matching:round_export"):
            response = client.get(reverse(name, args=[round_.pk]))
            expected = 200 if key in VISIBLE.get(persona.username, set()) else 404
            assert response.status_code == expected, (persona.username, key, name)


def test_the_list_is_newest_first_and_filters_by_method(client, province_officer, rounds):
    client.force_login(province_officer)
    listed = list(client.get(reverse("matching:round_list")).context["page"].object_list)
    assert [r.pk for r in listed] == sorted((r.pk for r in rounds.values()), reverse=True)
    stable = client.get(reverse("matching:round_list"), {"method": "stable"}).context["page"]
    assert {r.pk for r in stable.object_list} == {rounds["anshun"].pk}


def test_the_round_list_export_holds_the_visible_rounds(client, prefecture_officer, rounds):
    client.force_login(prefecture_officer)
    response = client.get(reverse("matching:round_list_export"))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "轮次"
    assert [r[0] for r in rows[1:]] == [rounds["bijie"].pk]


def test_empty_list_explains_itself(client, observer_user):
    client.force_login(observer_user)
    response = client.get(reverse("matching:round_list"))
    assert "没有可查看的匹配轮次" in response.content.decode()
    assert "发起匹配" not in response.content.decode()


@pytest.mark.parametrize("who", ["province_officer", "prefecture_officer"])
def test_officers_get_the_form_with_the_default_selection(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("matching:round_create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["recipients"]
    assert set(form.initial["recipients"]) <= {pk for pk, _ in form.fields["recipients"].choices}


@pytest.mark.parametrize(
    "who", ["county_officer", "recipient_user", "helper_user", "expert_user", "observer_user"]
)
def test_other_roles_are_forbidden_every_write_page(client, request, who, rounds):
    client.force_login(request.getfixturevalue(who))
    round_ = rounds["province"]
    proposal = round_.proposals.first()
    before = (MatchingRound.objects.count(), Partnership.objects.count())
    assert client.get(reverse("matching:round_create")).status_code == 403
    assert client.post(reverse("matching:round_create"), {"method": "stable"}).status_code == 403
    for name, data in [
        ("matching:round_rerun", {}),
        ("matching:round_capacity", {"helper": proposal.helper_id, "capacity": 0}),
        ("matching:round_accept", {"proposal_ids": [proposal.pk]}),
    ]:
        assert client.post(reverse(name, args=[round_.pk]), data).status_code == 403
    exclude = reverse("matching:proposal_exclude", args=[round_.pk, proposal.pk])
    assert client.post(exclude).status_code == 403
    assert (MatchingRound.objects.count(), Partnership.objects.count()) == before


def test_prefecture_officer_gets_404_acting_on_a_province_round(client, prefecture_officer, rounds):
    client.force_login(prefecture_officer)
    round_ = rounds["province"]
    proposal = round_.proposals.first()
    assert client.post(reverse("matching:round_rerun", args=[round_.pk])).status_code == 404
    response = client.post(
        reverse("matching:round_accept", args=[round_.pk]), {"proposal_ids": [proposal.pk]}
    )
    assert response.status_code == 404
    exclude = reverse("matching:proposal_exclude", args=[round_.pk, proposal.pk])
    assert client.post(exclude).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_running_a_round_from_the_form_shows_proposals_with_reasons(
    client, province_officer, bijie_recipient_ids, helper_ids
):
    client.force_login(province_officer)
    response = client.post(
        reverse("matching:round_create"),
        {"method": "optimal", "recipients": bijie_recipient_ids, "helpers": helper_ids},
    )
    round_ = MatchingRound.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:round_detail", args=[round_.pk])
    page = client.get(response["Location"]).content.decode()
    assert "专科契合" in page and "粤黔结对" in page and "§三(二)" in page
    assert "总契合度" in page and "求解耗时" in page
    assert 'onsubmit="return confirm(' in page


def test_a_form_without_recipients_is_refused_with_a_field_message(client, province_officer):
    client.force_login(province_officer)
    before = MatchingRound.objects.count()
    response = client.post(reverse("matching:round_create"), {"method": "optimal"})
    assert response.status_code == 400
    assert response.context["form"].errors["recipients"] == ["请至少选择一家受扶医院"]
    assert MatchingRound.objects.count() == before


def test_accepting_from_the_page_creates_the_partnership(client, province_officer, rounds):
    client.force_login(province_officer)
    round_ = rounds["province"]
    proposal = round_.proposals.order_by("pk").first()
    response = client.post(
        reverse("matching:round_accept", args=[round_.pk]), {"proposal_ids": [proposal.pk]}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    assert Partnership.objects.filter(
        helper=proposal.helper, recipient=proposal.recipient, agreements__isnull=True
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert f"帮扶关系 #{proposal.partnership_id}" in page


def test_accepting_a_pair_of_another_round_shows_the_error(client, province_officer, rounds):
    client.force_login(province_officer)
    foreign = rounds["bijie"].proposals.first()
    response = client.post(
        reverse("matching:round_accept", args=[rounds["province"].pk]),
        {"proposal_ids": [foreign.pk]},
    )
    assert response.status_code == 400
    assert f"编号为 {foreign.pk} 的配对不属于本轮" in response.content.decode()


def test_excluding_then_adjusting_capacity_from_the_page_makes_a_linked_round(
    client, province_officer, rounds, helper_ids
):
    client.force_login(province_officer)
    round_ = rounds["province"]
    proposal = round_.proposals.first()
    response = client.post(reverse("matching:proposal_exclude", args=[round_.pk, proposal.pk]))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "excluded"

    response = client.post(
        reverse("matching:round_capacity", args=[round_.pk]),
        {"helper": helper_ids[1], "capacity": 2},
    )
    new_round = MatchingRound.objects.latest("pk")
    assert response["Location"] == reverse("matching:round_detail", args=[new_round.pk])
    assert new_round.previous == round_
    assert new_round.parameters["capacity_overrides"][str(helper_ids[1])] == 2
    old_page = client.get(reverse("matching:round_detail", args=[round_.pk])).content.decode()
    assert "本轮已重新匹配为" in old_page


def test_a_negative_capacity_from_the_page_is_refused_on_the_field(
    client, province_officer, rounds, helper_ids
):
    client.force_login(province_officer)
    round_ = rounds["province"]
    before = MatchingRound.objects.count()
    response = client.post(
        reverse("matching:round_capacity", args=[round_.pk]),
        {"helper": helper_ids[0], "capacity": -1},
    )
    assert response.status_code == 400
    assert "名额不能为负数" in response.context["capacity_form"].errors["capacity"][0]
    assert MatchingRound.objects.count() == before


def test_the_proposal_export_lists_every_pair_with_its_parts(client, province_officer, rounds):
    client.force_login(province_officer)
    round_ = rounds["province"]
    response = client.get(reverse("matching:round_export", args=[round_.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:6] == ("受扶医院", "市州", "县", "帮扶医院", "帮扶医院所在地", "契合度")
    expected = {(p.recipient.name, p.helper.name) for p in round_.proposals.all()}
    assert {(r[0], r[3]) for r in rows[1:]} == expected
    assert all("专科契合" in r[15] for r in rows[1:])


# ---- query counts ----


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_round_list_query_count_does_not_grow_with_rounds(client, province_officer, small_round):
    small_round()
    client.force_login(province_officer)
    url = reverse("matching:round_list")
    before = _queries(client, url)
    for _ in range(3):
        small_round()
    assert _queries(client, url) == before


def test_round_detail_query_count_does_not_grow_with_proposals(
    client, province_officer, small_round, bijie_recipient_ids, helper_ids
):
    client.force_login(province_officer)
    small = small_round(recipient_ids=bijie_recipient_ids[:1])
    large = small_round(capacity_overrides=dict.fromkeys(helper_ids, 2))
    assert MatchingProposal.objects.filter(round=small).count() == 1
    assert MatchingProposal.objects.filter(round=large).count() == 4
    MatchingProposal.objects.filter(pk=large.proposals.first().pk).update(status="excluded")
    assert _queries(client, reverse("matching:round_detail", args=[small.pk])) == _queries(
        client, reverse("matching:round_detail", args=[large.pk])
    )


@pytest.mark.parametrize("who", ["province_officer", "prefecture_officer"])
def test_round_form_query_count_does_not_grow_with_partnerships(client, request, who):
    """The form's preselection reads every partnership in scope with its cycles: a constant
    number of queries at two data sizes (it once read each partnership's agreements again)."""
    from bangfu.partnerships.models import Agreement
    from bangfu.registry.models import County, Institution

    client.force_login(request.getfixturevalue(who))
    url = reverse("matching:round_create")
    _queries(client, url)  # warm caches (policy file, session)
    before = _queries(client, url)
    template = Agreement.objects.exclude(signed_on=None).first()
    county = County.objects.get(code="520526")  # 威宁, in both officers' scope
    helpers = list(Institution.objects.filter(category="helper").order_by("pk")[:4])
    for n, helper in enumerate(helpers * 2):
        recipient = Institution.objects.create(
            name=f"测试受扶医院{n}",
            category="recipient",
            county=county,
            prefecture=county.prefecture,
        )
        partnership = Partnership.objects.create(helper=helper, recipient=recipient, modes=[])
        Agreement.objects.create(
            partnership=partnership,
            party_c=f"{county.name}人民政府",
            start=template.start,
            end=template.end,
            signed_on=template.signed_on if n % 2 else None,
        )
    assert _queries(client, url) == before


def test_round_list_counts_each_rounds_accepted_proposals(
    client, province_officer, small_round, helper_ids
):
    """`accepted_count` (a sub-query per round, issue #13) is each round's accepted proposals,
    zero for a round with none, and the page's total is every round in scope."""
    none_accepted = small_round()
    some_accepted = small_round(capacity_overrides=dict.fromkeys(helper_ids, 2))
    MatchingProposal.objects.filter(round=none_accepted).update(status="excluded")
    accepted = list(MatchingProposal.objects.filter(round=some_accepted).order_by("pk")[:2])
    MatchingProposal.objects.filter(round=some_accepted).update(status="excluded")
    MatchingProposal.objects.filter(pk__in=[p.pk for p in accepted]).update(status="accepted")
    client.force_login(province_officer)
    page = client.get(reverse("matching:round_list")).context["page"]
    counts = {r.pk: r.accepted_count for r in page.object_list}
    assert counts[none_accepted.pk] == 0
    assert counts[some_accepted.pk] == 2
    assert page.paginator.count == MatchingRound.objects.count()
