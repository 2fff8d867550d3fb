"""The ledger API (F13; §六; A2-四(三)): every persona lists exactly the rows the ledger page shows
it, writes go through the ledger services with one audit row each, bad bodies are refused in
Chinese naming the field and write nothing, and no pay or identity number is ever returned.
Expectations are written out (`fixtures.VISIBLE`, `WORK_FUND_VISIBLE`), not derived from scope code.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bangfu.core.models import AuditEntry
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
    TourismCard,
    TravelClaim,
    WorkFund,
)
from bangfu.incentives.services import (
    health_check_create,
    insurance_policy_create,
    tourism_card_create,
    travel_claim_create,
    work_fund_set,
)
from bangfu.people.tests.fixtures import ID_NUMBER, OTHER_ID_NUMBER, VISIBLE, deploy, make_expert

pytestmark = pytest.mark.django_db

API = "/api/v1/ledger"
NAMES = {"测试甲": "甲", "测试乙": "乙", "测试丙": "丙"}
FUND_YEAR = 2031  # no demo work fund is recorded for it
# Whose work fund each persona reads: 威宁 (pair.recipient) and 南明 (other_pair.recipient).
WORK_FUND_VISIBLE = {
    "demo_province": {"威宁", "南明"},
    "demo_observer": {"威宁", "南明"},
    "demo_prefecture": {"威宁"},
    "demo_county": {"威宁"},
    "demo_recipient": {"威宁"},
    "demo_helper": {"威宁"},
    "demo_expert": set(),
}
LIST_PATHS = (
    "travel-claims",
    "insurance-policies",
    "health-checks",
    "tourism-cards",
    "work-funds",
)


def ours(names):
    return {NAMES[n] for n in names if n in NAMES}


def _items(api_client, path, **params):
    response = api_client.get(f"{API}/{path}", page_size=500, **params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return body["items"]


def _counts():
    return (
        TravelClaim.objects.count(),
        InsurancePolicy.objects.count(),
        HealthCheck.objects.count(),
        TourismCard.objects.count(),
        WorkFund.objects.count(),
        AuditEntry.objects.count(),
    )


def _latest_audit(object_type):
    return AuditEntry.objects.filter(object_type=object_type).latest("id")


def _policy(actor, expert, number):
    return insurance_policy_create(
        actor=actor,
        expert=expert,
        insurer="测试保险",
        policy_number=number,
        coverage=Decimal("1000000"),
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
    )


@pytest.fixture
def ledger(world, province_officer, expert_user, pair, other_pair):
    """One row of each ledger for 甲, 乙 and 丙 (travel claims need a deployment: 甲 and 乙 only),
    and a work fund for 威宁 and for 南明."""
    resident = world["甲"].deployments.get()
    other = world["乙"].deployments.get()
    rows = {
        "claims": {
            "甲": travel_claim_create(
                actor=expert_user,
                deployment=resident,
                date=resident.start + timedelta(days=30),
                amount=Decimal("1180.00"),
                note="测试往返",
            ),
            "乙": travel_claim_create(
                actor=province_officer,
                deployment=other,
                date=other.start + timedelta(days=5),
                amount=Decimal("960.50"),
            ),
        },
        "funds": {
            "威宁": work_fund_set(
                actor=province_officer,
                recipient=pair.recipient,
                year=FUND_YEAR,
                amount=Decimal("200000"),
            ),
            "南明": work_fund_set(
                actor=province_officer,
                recipient=other_pair.recipient,
                year=FUND_YEAR,
                amount=Decimal("150000"),
            ),
        },
    }
    for key, expert in world.items():
        _policy(province_officer, expert, f"API-{key}")
        health_check_create(actor=province_officer, expert=expert, checked_on=date(2025, 6, 1))
        tourism_card_create(
            actor=province_officer,
            expert=expert,
            card_number=f"YQ-API-{key}",
            issued_on=date(2025, 3, 1),
        )
    return rows


# ---- reads ----


@pytest.mark.parametrize("path", ["insurance-policies", "health-checks", "tourism-cards"])
def test_expert_ledgers_list_exactly_the_experts_in_scope(api_client, persona, ledger, path):
    api_client.login(persona)
    items = _items(api_client, path, q="测试")
    assert ours(i["expert_name"] for i in items) == VISIBLE[persona.username]
    assert len(items) == len(VISIBLE[persona.username])


def test_travel_claims_list_exactly_the_deployments_in_scope(api_client, persona, ledger):
    api_client.login(persona)
    items = _items(api_client, "travel-claims", q="测试")
    assert ours(i["expert_name"] for i in items) == VISIBLE[persona.username] - {"丙"}
    assert len(items) == len(VISIBLE[persona.username] - {"丙"})


def test_work_funds_list_exactly_the_recipients_in_scope(api_client, persona, ledger):
    api_client.login(persona)
    items = _items(api_client, "work-funds", year=FUND_YEAR)
    expected = {
        ledger["funds"][k].pk: k for k in WORK_FUND_VISIBLE[persona.username]
    }  # only ours are recorded for that year
    assert {i["id"]: i["recipient_name"] for i in items}.keys() == expected.keys()


@pytest.mark.parametrize("path", LIST_PATHS)
def test_lists_hold_the_same_rows_as_the_ledger_page(client, api_client, persona, ledger, path):
    kind = {
        "travel-claims": "travel",
        "insurance-policies": "insurance",
        "health-checks": "health",
        "tourism-cards": "tourism",
        "work-funds": "work_fund",
    }[path]
    client.force_login(persona)
    page = client.get("/incentives/ledger/", {"kind": kind}).context["page"]
    api_client.login(persona)
    ids = {i["id"] for i in _items(api_client, path)}
    assert ids == {o.pk for o in page.paginator.object_list}


def test_items_carry_amounts_in_yuan_and_whether_a_receipt_is_attached(
    api_client, province_officer, ledger, world
):
    api_client.login(province_officer)
    claim = next(
        i for i in _items(api_client, "travel-claims", q="测试甲") if i["note"] == "测试往返"
    )
    resident = world["甲"].deployments.get()
    assert claim == {
        "id": ledger["claims"]["甲"].pk,
        "deployment_id": resident.pk,
        "expert_id": world["甲"].pk,
        "expert_name": "测试甲",
        "recipient_id": resident.team.partnership.recipient_id,
        "recipient_name": "威宁彝族回族苗族自治县人民医院",
        "date": (resident.start + timedelta(days=30)).isoformat(),
        "amount": "1180.00",
        "has_receipt": False,
        "note": "测试往返",
    }
    (policy,) = _items(api_client, "insurance-policies", q="测试乙")
    assert (policy["coverage"], policy["policy_number"]) == ("1000000.00", "API-乙")
    (fund,) = _items(api_client, "work-funds", q="南明", year=FUND_YEAR)
    assert (fund["amount"], fund["year"]) == ("150000.00", FUND_YEAR)


def test_filters_narrow_by_expert_and_year(api_client, province_officer, ledger, world):
    api_client.login(province_officer)
    by_expert = _items(api_client, "health-checks", expert=world["乙"].pk)
    assert {i["expert_name"] for i in by_expert} == {"测试乙"}
    assert _items(api_client, "health-checks", q="测试", year=2024) == []
    assert len(_items(api_client, "insurance-policies", q="测试", year=2025)) == 3
    assert _items(api_client, "tourism-cards", q="测试", year=2026) == []
    claim_year = ledger["claims"]["乙"].date.year
    claims = _items(api_client, "travel-claims", expert=world["乙"].pk, year=claim_year)
    assert [c["id"] for c in claims] == [ledger["claims"]["乙"].pk]


def test_a_bad_filter_is_a_422_naming_the_field(api_client, province_officer):
    api_client.login(province_officer)
    response = api_client.get(f"{API}/health-checks", year="abc")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "year"


def test_no_pay_or_identity_number_in_any_ledger_response(api_client, persona, ledger):
    api_client.login(persona)
    for path in LIST_PATHS:
        text = api_client.get(f"{API}/{path}", page_size=500).content.decode()
        for secret in ("300000", ID_NUMBER, OTHER_ID_NUMBER, "prior_year_pay", "id_number"):
            assert secret not in text, (path, secret)


def test_travel_claim_detail_in_scope_and_404_outside(api_client, persona, ledger):
    api_client.login(persona)
    for key, claim in ledger["claims"].items():
        response = api_client.get(f"{API}/travel-claims/{claim.pk}")
        if key in VISIBLE[persona.username]:
            assert response.status_code == 200
            assert response.json()["id"] == claim.pk
        else:
            assert response.status_code == 404
            assert response.json()["detail"] == "未找到该交通费记录"


def test_anonymous_gets_401_and_writes_nothing(api_client, ledger):
    before = _counts()
    for path in LIST_PATHS:
        assert api_client.get(f"{API}/{path}").status_code == 401
        assert api_client.post(f"{API}/{path}", {}).status_code == 401
    claim = ledger["claims"]["甲"].pk
    assert api_client.get(f"{API}/travel-claims/{claim}").status_code == 401
    assert _counts() == before


def test_an_inactive_account_gets_401(api_client, outsider, ledger):
    api_client.login(outsider)
    before = _counts()
    for path in LIST_PATHS:
        assert api_client.get(f"{API}/{path}").status_code == 401
        assert api_client.post(f"{API}/{path}", {}).status_code == 401
    assert _counts() == before


# ---- writes ----


def test_an_expert_records_their_own_travel_claim(api_client, expert_user, resident):
    api_client.login(expert_user)
    day = resident.start + timedelta(days=40)
    before = AuditEntry.objects.count()
    body = {"deployment_id": resident.pk, "date": day.isoformat(), "amount": "1180.5"}
    response = api_client.post(f"{API}/travel-claims", body | {"note": " 广州—威宁 "})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["amount"] == "1180.50" and created["has_receipt"] is False
    assert created["note"] == "广州—威宁" and created["expert_name"] == "测试甲"
    assert AuditEntry.objects.count() == before + 1
    row = _latest_audit("incentives.travelclaim")
    assert (row.actor, row.action, row.object_id) == (expert_user, "create", str(created["id"]))


@pytest.mark.parametrize(
    ("path", "body", "object_type"),
    [
        (
            "insurance-policies",
            {
                "insurer": "测试保险",
                "policy_number": "API-NEW",
                "coverage": "1000000",
                "start": "2025-01-01",
                "end": "2025-12-31",
            },
            "incentives.insurancepolicy",
        ),
        (
            "health-checks",
            {"checked_on": "2025-05-01", "provider": "威宁县人民医院体检中心"},
            "incentives.healthcheck",
        ),
        (
            "tourism-cards",
            {"card_number": "YQ-API-NEW", "issued_on": "2025-02-01", "electronic": True},
            "incentives.tourismcard",
        ),
    ],
)
def test_the_paying_recipient_records_an_experts_ledger_row(
    api_client, recipient_user, expert, path, body, object_type
):
    api_client.login(recipient_user)
    before = AuditEntry.objects.count()
    response = api_client.post(f"{API}/{path}", body | {"expert_id": expert.pk})
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["expert_id"], created["expert_name"]) == (expert.pk, "测试甲")
    assert AuditEntry.objects.count() == before + 1
    row = _latest_audit(object_type)
    assert (row.actor, row.action, row.object_id) == (recipient_user, "create", str(created["id"]))
    listed = _items(api_client, path, expert=expert.pk)
    assert created["id"] in {i["id"] for i in listed}


def test_a_work_fund_is_created_then_corrected(api_client, recipient_user, pair):
    api_client.login(recipient_user)
    body = {"recipient_id": pair.recipient_id, "year": FUND_YEAR + 1, "amount": "150000"}
    first = api_client.post(f"{API}/work-funds", body)
    assert first.status_code == 201, first.content
    assert first.json()["amount"] == "150000.00"
    assert _latest_audit("incentives.workfund").action == "create"
    second = api_client.post(f"{API}/work-funds", body | {"amount": "200000", "note": "更正"})
    assert second.status_code == 200, second.content
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["amount"] == "200000.00"
    row = _latest_audit("incentives.workfund")
    assert (row.actor, row.action, row.before) == (
        recipient_user,
        "update",
        {"amount": "150000.00", "note": ""},
    )


def _bad_bodies(resident, expert, pair):
    ok_day = (resident.start + timedelta(days=3)).isoformat()
    policy = {
        "expert_id": expert.pk,
        "insurer": "测试保险",
        "policy_number": "API-BAD",
        "coverage": "1000000",
        "start": "2025-01-01",
        "end": "2025-12-31",
    }
    future = (date.today() + timedelta(days=3)).isoformat()
    return [
        (
            "travel-claims",
            {"deployment_id": resident.pk, "date": ok_day, "amount": "-1"},
            "amount：金额不能为负数",
        ),
        (
            "travel-claims",
            {"deployment_id": resident.pk, "date": ok_day, "amount": "1.234"},
            "amount：金额最多保留两位小数",
        ),
        (
            "travel-claims",
            {
                "deployment_id": resident.pk,
                "date": (resident.start - timedelta(days=1)).isoformat(),
                "amount": "100",
            },
            "date：乘车日期应在派驻期内",
        ),
        (
            "travel-claims",
            {"deployment_id": resident.pk, "date": future, "amount": "100"},
            "date：乘车日期不能晚于今天",
        ),
        (
            "insurance-policies",
            policy | {"coverage": "999999.99"},
            "coverage：保额不能低于1000000.00元（依据§六；A2-四(三)3）",
        ),
        (
            "insurance-policies",
            policy | {"end": "2024-12-31"},
            "end：保险止期不能早于起期",
        ),
        (
            "insurance-policies",
            policy | {"insurer": " "},
            "insurer：请填写保险公司",
        ),
        (
            "health-checks",
            {"expert_id": expert.pk, "checked_on": future},
            "checked_on：体检日期不能晚于今天",
        ),
        (
            "tourism-cards",
            {
                "expert_id": expert.pk,
                "card_number": "YQ-BAD",
                "issued_on": "2025-03-01",
                "expires_on": "2025-02-01",
            },
            "expires_on：有效期不能早于办理日期",
        ),
        (
            "tourism-cards",
            {"expert_id": expert.pk, "card_number": " ", "issued_on": "2025-03-01"},
            "card_number：请填写证号",
        ),
        (
            "work-funds",
            {"recipient_id": pair.recipient_id, "year": FUND_YEAR, "amount": "200000.01"},
            "amount：不能超过每年200000.00元的标准（依据§六；A2-四(三)5）",
        ),
        (
            "work-funds",
            {"recipient_id": pair.recipient_id, "year": 1999, "amount": "1"},
            "year：年度应为四位年份",
        ),
    ]


def test_bad_bodies_get_422_naming_the_field_and_nothing_is_written(
    api_client, province_officer, resident, expert, pair
):
    api_client.login(province_officer)
    for path, body, fragment in _bad_bodies(resident, expert, pair):
        before = _counts()
        response = api_client.post(f"{API}/{path}", body)
        assert response.status_code == 422, (path, response.content)
        assert fragment in response.json()["detail"], (path, response.json())
        assert _counts() == before, path


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        ("travel-claims", "deployment_id"),
        ("insurance-policies", "coverage"),
        ("health-checks", "checked_on"),
        ("tourism-cards", "card_number"),
        ("work-funds", "amount"),
    ],
)
def test_a_missing_field_is_a_422_naming_it(
    api_client, province_officer, resident, expert, pair, path, missing
):
    complete = {
        "travel-claims": {
            "deployment_id": resident.pk,
            "date": resident.start.isoformat(),
            "amount": "1",
        },
        "insurance-policies": {
            "expert_id": expert.pk,
            "insurer": "测试保险",
            "policy_number": "API-MISSING",
            "coverage": "1000000",
            "start": "2025-01-01",
            "end": "2025-12-31",
        },
        "health-checks": {"expert_id": expert.pk, "checked_on": "2025-01-01"},
        "tourism-cards": {
            "expert_id": expert.pk,
            "card_number": "YQ-MISSING",
            "issued_on": "2025-01-01",
        },
        "work-funds": {"recipient_id": pair.recipient_id, "year": FUND_YEAR, "amount": "1"},
    }[path]
    del complete[missing]
    api_client.login(province_officer)
    before = _counts()
    response = api_client.post(f"{API}/{path}", complete)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [missing]
    assert f"{missing}：必填" in response.json()["detail"]
    assert _counts() == before


def test_referencing_rows_out_of_scope_is_404_and_writes_nothing(
    api_client, expert_user, recipient_user, world, other_pair
):
    other_deployment = world["乙"].deployments.get()
    api_client.login(expert_user)
    before = _counts()
    response = api_client.post(
        f"{API}/travel-claims",
        {"deployment_id": other_deployment.pk, "date": "2025-01-01", "amount": "1"},
    )
    assert (response.status_code, response.json()["detail"]) == (404, "未找到该派驻记录")
    assert _counts() == before
    api_client.login(recipient_user)  # logging in records a token (and its audit row)
    before = _counts()
    for path, extra in (
        ("health-checks", {"checked_on": "2025-01-01"}),
        ("tourism-cards", {"card_number": "YQ-404", "issued_on": "2025-01-01"}),
        (
            "insurance-policies",
            {
                "insurer": "测试保险",
                "policy_number": "API-404",
                "coverage": "1000000",
                "start": "2025-01-01",
                "end": "2025-12-31",
            },
        ),
    ):
        response = api_client.post(f"{API}/{path}", extra | {"expert_id": world["乙"].pk})
        assert (response.status_code, response.json()["detail"]) == (404, "未找到该专家"), path
    response = api_client.post(
        f"{API}/work-funds",
        {"recipient_id": other_pair.recipient_id, "year": FUND_YEAR, "amount": "1"},
    )
    assert (response.status_code, response.json()["detail"]) == (404, "未找到该受扶医院")
    assert _counts() == before


def test_in_scope_but_not_the_payer_is_403_and_writes_nothing(
    api_client, helper_user, county_officer, resident, expert, pair
):
    api_client.login(helper_user)
    before = _counts()
    response = api_client.post(
        f"{API}/health-checks", {"expert_id": expert.pk, "checked_on": "2025-01-01"}
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "只有专家服务的受扶医院或省卫健委可以登记健康体检"
    response = api_client.post(
        f"{API}/travel-claims",
        {"deployment_id": resident.pk, "date": resident.start.isoformat(), "amount": "1"},
    )
    assert response.status_code == 403
    assert _counts() == before
    api_client.login(county_officer)
    before = _counts()
    response = api_client.post(
        f"{API}/work-funds", {"recipient_id": pair.recipient_id, "year": FUND_YEAR, "amount": "1"}
    )
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "只有受扶医院本院或省卫健委可以登记工作经费",
    )
    assert _counts() == before


# ---- query counts ----


def _grow(actor, team, n=4):
    """More experts on the team, each with a row in every ledger, and more work funds."""
    for i in range(n):
        e = make_expert(actor, f"加量{i}", team.partnership.helper)
        d = deploy(actor, team, e)
        travel_claim_create(actor=actor, deployment=d, date=d.start, amount=Decimal("10"))
        _policy(actor, e, f"GROW-{i}")
        health_check_create(actor=actor, expert=e, checked_on=d.start)
        tourism_card_create(actor=actor, expert=e, card_number=f"YQ-GROW-{i}", issued_on=d.start)
        work_fund_set(
            actor=actor, recipient=team.partnership.recipient, year=2040 + i, amount=Decimal("1")
        )


@pytest.mark.parametrize("path", LIST_PATHS)
def test_query_count_is_constant_as_rows_grow(
    api_client, province_officer, recipient_user, team, ledger, path
):
    api_client.login(recipient_user)
    url = f"{API}/{path}"
    api_client.get(url)  # the first call stamps the token's last use

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(url, page_size=500)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    before, count = queries()
    _grow(province_officer, team)
    after, grown = queries()
    assert grown > count
    assert after == before
    assert before <= 10, before
