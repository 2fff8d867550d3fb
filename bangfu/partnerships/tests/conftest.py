"""Fixtures for the partnership page tests: eligible parties, partnerships made through the
services (the session database holds only the demo partnerships), and a valid form body."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bangfu.partnerships.demo import demo_measures
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import today_local
from bangfu.partnerships.services import AgreementInput, partnership_create
from bangfu.registry.models import Institution

WEINING = "520526"
BIJIE = "520500"


@pytest.fixture
def today() -> date:
    return today_local()


@pytest.fixture
def eligible_helper(db) -> Institution:
    """An out-of-province 三甲 hospital (§一) with no demo partnership."""
    return Institution.objects.get(name="上海演示第7医院")


@pytest.fixture
def unpaired_recipients(db) -> list[Institution]:
    """County people's hospitals of target counties that no partnership covers, in code order."""
    paired = Partnership.objects.values("recipient__county_id")
    return list(
        Institution.objects.filter(
            category="recipient",
            county__programme_group="target",
            name__endswith="人民医院",
        )
        .exclude(county_id__in=paired)
        .select_related("county")
        .order_by("county__code")
    )


@pytest.fixture
def make_partnership(province_officer, eligible_helper):
    """Create a partnership with one agreement through the service, as the province officer."""

    def make(
        recipient: Institution,
        *,
        start: date,
        signed: bool = True,
        end: date | None = None,
        helper: Institution | None = None,
    ) -> Partnership:
        return partnership_create(
            actor=province_officer,
            helper=helper or eligible_helper,
            recipient=recipient,
            modes=["east_west"],
            agreement=AgreementInput(
                start=start,
                end=end,
                signed_on=min(start, today_local()) - timedelta(days=3) if signed else None,
                measures=demo_measures(),
            ),
        )

    return make


def form_body(helper: Institution, recipient: Institution, **changes: object) -> dict[str, object]:
    """A valid partnership form submission: two measures with their targets, policy terms."""
    body: dict[str, object] = {
        "helper": str(helper.pk),
        "recipient": str(recipient.pk),
        "modes": ["east_west", "telemedicine"],
        "helper_liaison": "张联络",
        "recipient_liaison": "李联络",
        "party_c": "",
        "start": "2025-03-01",
        "end": "",
        "signed_on": "2025-02-20",
        "measures": ["M01", "M07"],
        "measures.M01.team_size": "4",
        "measures.M01.captains": "1",
        "measures.M01.residence_years": "1",
        "measures.M07.rules_per_year": "12",
        "guarantee_terms.top_up_multiplier": "1.5",
        "guarantee_terms.insurance_min_coverage": "1000000",
        "guarantee_terms.tourism_card": "on",
        "other_matters": "",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}
