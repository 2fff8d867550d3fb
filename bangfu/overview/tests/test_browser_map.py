"""The county map in a real browser: it draws, hover names the figure, a click opens the county."""

from __future__ import annotations

import pytest

from conftest import PAGE_WIDER_THAN_SCREEN, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RENDERED = "document.querySelector('[data-testid=county-map]').dataset.rendered === '1'"


# A point inside 威宁 (its label point, polylabel-computed, always inside the outline) in page
# pixels: clicking a path's bounding-box centre can miss a concave county.
INSIDE_WEINING = """async () => {
  const el = document.querySelector('[data-testid=county-map]');
  const geo = await (await fetch(el.dataset.geoUrl)).json();
  const county = geo.features.find(f => f.properties.adcode === '520526');
  const chart = echarts.getInstanceByDom(el);
  const [x, y] = chart.convertToPixel({seriesIndex: 0}, county.properties.cp);
  const box = el.getBoundingClientRect();
  return [box.left + x, box.top + y];
}"""


def test_province_map_draws_88_units_and_hover_and_click_work(page):
    browser_login(page, "demo_province")
    page.goto("/overview/map/")
    page.wait_for_function(RENDERED)
    assert page.locator("[data-testid=county-map] svg path").count() >= 88
    x, y = page.evaluate(INSIDE_WEINING)
    page.mouse.move(x, y)
    page.locator("text=覆盖状态：").first.wait_for(state="visible")
    page.mouse.click(x, y)
    page.wait_for_url("**/registry/counties/520526/")
    assert "威宁" in page.locator("h1").first.inner_text()


def test_phone_map_fits_and_metric_switch_shows_experts(phone):
    browser_login(phone, "demo_prefecture")
    phone.goto("/overview/map/")
    phone.wait_for_function(RENDERED)
    assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN)
    phone.get_by_test_id("metric-experts").click()
    phone.wait_for_url("**/overview/map/?metric=experts")
    phone.wait_for_function(RENDERED)
    assert "在岗专家数" in phone.locator("h1").inner_text()
