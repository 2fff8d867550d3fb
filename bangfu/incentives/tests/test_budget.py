from datetime import date
from decimal import Decimal

from bangfu.incentives.domain.benefits import BenefitItem
from bangfu.incentives.domain.budget import BudgetDeployment, budget_forecast
from bangfu.incentives.tests.guizhou_rates import RATES
from bangfu.people.domain.experts import Degree, Deployment, DeploymentKind, Expert, Title

SENIOR = Expert(Title.SENIOR, Degree.NONE, Decimal(120000), True, True)
ROUND_TRIP = Decimal(1500)

RESIDENT = BudgetDeployment(
    "d1", "h1", SENIOR, Deployment(DeploymentKind.RESIDENT, date(2025, 3, 1), date(2026, 2, 28))
)
REMOTE = BudgetDeployment(
    "d2", "h3", SENIOR, Deployment(DeploymentKind.REMOTE, date(2025, 1, 1), date(2025, 12, 31))
)


def test_forecast_sums_each_benefit_per_hospital_plus_work_funds():
    forecast = budget_forecast(2025, [RESIDENT, REMOTE], ["h2"], RATES, ROUND_TRIP)
    by_hospital = {h.hospital_id: h for h in forecast.hospitals}
    assert list(by_hospital) == ["h1", "h2", "h3"]
    h1 = {line.item: line.amount for line in by_hospital["h1"].lines}
    assert h1 == {
        # 0.5 × 120000 × 306/365 (1 Mar..31 Dec) = 50301.369… → 50301.37
        BenefitItem.SALARY_TOP_UP: Decimal("50301.37"),
        # Mar..Dec = 10 months × 1000
        BenefitItem.MONTHLY_SUBSIDY: Decimal("10000.00"),
        BenefitItem.SETTLING_IN: Decimal("2000.00"),
        # 10 on-site months × 1 trip × 1500
        BenefitItem.TRAVEL: Decimal("15000.00"),
        BenefitItem.WORK_FUND: Decimal("200000.00"),
    }
    # 50301.37 + 10000 + 2000 + 15000 + 200000 = 277301.37
    assert by_hospital["h1"].total == Decimal("277301.37")
    # A hospital with no deployment, and one with only remote help: work funds only.
    assert by_hospital["h2"].total == Decimal("200000.00")
    assert [line.item for line in by_hospital["h3"].lines] == [BenefitItem.WORK_FUND]
    # 277301.37 + 200000 + 200000
    assert forecast.total == Decimal("677301.37")


def test_expected_travel_counts_a_month_with_a_single_day_on_site():
    short = BudgetDeployment(
        "d3",
        "h1",
        SENIOR,
        Deployment(DeploymentKind.SHORT_TERM, date(2025, 1, 31), date(2025, 2, 1)),
    )
    forecast = budget_forecast(2025, [short], [], RATES, ROUND_TRIP)
    travel = [line for line in forecast.hospitals[0].lines if line.item is BenefitItem.TRAVEL]
    # January and February each have one day on site: 2 × 1500.
    assert [line.amount for line in travel] == [Decimal("3000.00")]


def test_forecast_does_not_depend_on_input_order():
    other = BudgetDeployment(
        "d0", "h1", SENIOR, Deployment(DeploymentKind.FLEXIBLE, date(2025, 6, 1), date(2025, 8, 31))
    )
    first = budget_forecast(2025, [RESIDENT, other, REMOTE], ["h2"], RATES, ROUND_TRIP)
    second = budget_forecast(2025, [REMOTE, other, RESIDENT], ["h2", "h1"], RATES, ROUND_TRIP)
    assert first == second
    assert [line.deployment_id for line in first.hospitals[0].lines][:1] == ["d0"]


def test_work_fund_line_cites_its_clause_and_is_owed_by_the_hospital():
    forecast = budget_forecast(2025, [], ["h9"], RATES, ROUND_TRIP)
    (line,) = forecast.hospitals[0].lines
    assert (line.deployment_id, line.clause) == (None, "§六；A2-四(三)5")
