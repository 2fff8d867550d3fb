import pytest

from bangfu.people.domain.title_route import (
    RecipientCounty,
    TitleRoute,
    title_evaluation_route,
)

WEINING = RecipientCounty("520526", "威宁彝族回族苗族自治县", national_key_county=True)
NANMING = RecipientCounty("520102", "南明区", national_key_county=False)


@pytest.mark.parametrize(
    ("county", "letter", "route", "scope"),
    [
        (WEINING, True, TitleRoute.DIRECTED, "仅限威宁彝族回族苗族自治县有效"),
        (NANMING, True, TitleRoute.COUNTY_LEVEL, "贵州省县级范围内有效"),
        (WEINING, False, TitleRoute.NEEDS_ENTRUSTMENT_LETTER, "尚无有效范围：须先取得委托评审函"),
        (NANMING, False, TitleRoute.NEEDS_ENTRUSTMENT_LETTER, "尚无有效范围：须先取得委托评审函"),
    ],
)
def test_key_counties_take_the_directed_route_others_county_level_after_a_letter(
    county, letter, route, scope
):
    decision = title_evaluation_route(county, letter, "§五")
    assert decision.route is route
    assert decision.valid_scope == scope
    assert all("§五" in reason for reason in decision.reasons)


def test_directed_route_reason_names_the_directed_evaluation_scheme():
    decision = title_evaluation_route(WEINING, True, "§五")
    assert "定向评价定向使用" in decision.reasons[0]
