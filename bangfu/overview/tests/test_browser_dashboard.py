"""The dashboard in a real browser: the ECharts chart draws, and its cards lead to the lists."""

from __future__ import annotations

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_province_dashboard_draws_the_chart_and_the_expiring_card_opens_the_filtered_list(page):
    browser_login(page, "demo_province")
    chart = page.get_by_test_id("coverage-chart")
    page.wait_for_function(
        "document.querySelector('[data-testid=coverage-chart]').dataset.rendered === '1'"
    )
    assert chart.locator("svg").count() == 1
    labels = chart.locator("svg text").evaluate_all("els => els.map(e => e.textContent)")
    assert "毕节市" in labels and "已覆盖" in labels

    expiring = int(page.get_by_test_id("expiring").inner_text())
    assert expiring > 0
    page.get_by_test_id("expiring").click()
    page.wait_for_url("**/partnerships/?status=expiring")
    assert page.locator("tbody tr").count() == expiring


def test_county_dashboard_has_no_chart_and_its_on_site_card_matches_the_list(page):
    browser_login(page, "demo_county")
    assert page.get_by_test_id("coverage-chart").count() == 0
    on_site = int(page.get_by_test_id("on-site").inner_text())
    page.get_by_test_id("on-site").click()
    page.wait_for_url("**/people/deployments/?on_site_on=*")
    if on_site:
        assert page.get_by_test_id("result-count").inner_text() == f"共 {on_site} 条派驻"
    else:
        assert page.get_by_test_id("empty").is_visible()


def test_home_loads_the_goals_panel_and_draws_the_trend(page):
    browser_login(page, "demo_province")
    page.get_by_test_id("goals-panel").wait_for()
    page.wait_for_function(
        "document.querySelector('[data-testid=coverage-trend]').dataset.rendered === '1'"
    )
    assert page.get_by_test_id("coverage-trend").locator("svg").count() == 1
    page.get_by_test_id("activities-month").click()
    page.wait_for_url("**/activities/?month=*")
