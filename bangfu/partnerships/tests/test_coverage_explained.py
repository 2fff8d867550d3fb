"""Coverage is actionable (issue #10): county badges open the county page, and a target county
with an agreement in force that does not count says why (the coverage domain's reason)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from bangfu.partnerships.coverage_store import coverage_refresh_all
from bangfu.partnerships.domain.coverage import (
    CoverageAgreement,
    agreement_counts_for_coverage,
    agreement_coverage_reason,
)
from bangfu.partnerships.domain.lifecycle import AgreementStatus
from bangfu.policy.loader import load_policy
from bangfu.registry.models import Institution


def _agreement(province: str, grade: str, status=AgreementStatus.ACTIVE) -> CoverageAgreement:
    return CoverageAgreement(1, "520526", province, grade, status)


@pytest.mark.parametrize(
    ("province", "grade", "status", "words"),
    [
        ("上海市", "三甲", AgreementStatus.ACTIVE, "计入覆盖"),
        ("上海市", "", AgreementStatus.ACTIVE, "等级为未填"),
        ("上海市", "三乙", AgreementStatus.EXPIRING, "等级为三乙"),
        ("贵州省", "三甲", AgreementStatus.ACTIVE, "不是省外医院"),
        ("上海市", "三甲", AgreementStatus.DRAFT, "不在执行期内"),
    ],
)
def test_each_agreement_says_why_it_counts_or_not(province, grade, status, words):
    eligibility = load_policy().helper_eligibility
    facts = _agreement(province, grade, status)
    reason = agreement_coverage_reason(facts, eligibility)
    assert words in reason and "§一" in reason
    assert ("计入覆盖（§一）" in reason and "不计入" not in reason) == (
        agreement_counts_for_coverage(facts, eligibility)
    )


@pytest.mark.django_db
def test_an_uncovered_county_with_an_exception_agreement_is_explained(
    client, province_officer, unpaired_recipients, make_partnership, eligible_helper, today
):
    recipient = unpaired_recipients[0]
    partnership = make_partnership(recipient, start=today - timedelta(days=30))
    Institution.objects.filter(pk=eligible_helper.pk).update(grade="")
    coverage_refresh_all()  # an edit outside the services, repaired as `refresh_coverage` does
    client.force_login(province_officer)
    response = client.get(reverse("partnerships:coverage"))
    html = response.content.decode()
    explained = [e for e in response.context["report"].explanations if e.partnership == partnership]
    assert len(explained) == 1 and not explained[0].counts
    assert "等级为未填" in explained[0].reason
    assert 'data-testid="coverage-explanations"' in html
    county_url = reverse("registry:county_detail", args=[recipient.county.code])
    # the county's badge and the explanation both open the county page
    assert f'href="{county_url}" class="badge' in html
    assert f'<a href="{county_url}">{recipient.county.name}</a>' in html


@pytest.mark.django_db
def test_a_counting_agreement_needs_no_explanation(
    client, province_officer, unpaired_recipients, make_partnership, today
):
    partnership = make_partnership(unpaired_recipients[0], start=today - timedelta(days=30))
    client.force_login(province_officer)
    report = client.get(reverse("partnerships:coverage")).context["report"]
    assert all(e.partnership != partnership for e in report.explanations)
