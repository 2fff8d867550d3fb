"""The county map in a real browser: it draws, hover names the figure, a click opens the county."""

from __future__ import annotations

import pytest

from conftest import PAGE_WIDER_THAN_SCREEN, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RENDERED = "document.querySelector('[data-testid=county-map]').dataset.rendered === '1'"


def _first_coloured_region(page):
    # ECharts draws each region as an SVG path; coloured ones are the user's counties.
    return page.locator(
        "[data-testid=county-map] svg path[fill='#198754'], "
        "[data-testid=county-map] svg path[fill='#dc3545']"
    ).first


def test_province_map_draws_88_units_and_hover_and_click_work(page):
    browser_login(page, "demo_province")
    page.goto("/overview/map/")
    page.wait_for_function(RENDERED)
    assert page.locator("[data-testid=county-map] svg path").count() >= 88
    region = _first_coloured_region(page)
    region.hover(force=True)
    tooltip = page.locator("text=覆盖状态：").first
    tooltip.wait_for(state="visible")
    region.click(force=True)
    page.wait_for_url("**/registry/counties/*/")
    assert page.locator("h1").first.inner_text()


def test_phone_map_fits_and_metric_switch_shows_experts(phone):
    browser_login(phone, "demo_prefecture")
    phone.goto("/overview/map/")
    phone.wait_for_function(RENDERED)
    assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN)
    phone.get_by_test_id("metric-experts").click()
    phone.wait_for_url("**/overview/map/?metric=experts")
    phone.wait_for_function(RENDERED)
    assert "在岗专家数" in phone.locator("h1").inner_text()
