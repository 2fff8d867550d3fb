"""At phone width (390 px, experts record on site) the menu collapses, wide tables scroll inside
themselves and the page is never wider than the screen; at desktop width the menu is open."""

from __future__ import annotations

import pytest

from conftest import PAGE_WIDER_THAN_SCREEN, PHONE, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _menu_link(page, name):
    return page.locator("#main-menu").get_by_role("link", name=name, exact=True)


def test_phone_home_collapses_the_menu_until_the_toggle_opens_it(phone):
    browser_login(phone, "demo_province")
    phone.wait_for_function(
        "document.querySelector('[data-testid=coverage-chart]').dataset.rendered === '1'"
    )
    assert not _menu_link(phone, "帮扶关系").is_visible()
    assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN)
    phone.get_by_test_id("menu-toggle").click()
    _menu_link(phone, "帮扶关系").wait_for(state="visible")
    _menu_link(phone, "帮扶关系").click()
    phone.wait_for_url("**/partnerships/")


def test_phone_list_scrolls_its_table_not_the_page(phone):
    browser_login(phone, "demo_province")
    phone.goto("/partnerships/")
    table = phone.locator("main table").first
    assert table.is_visible()
    assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN)
    # The table is wider than the screen and scrolls inside itself; cells keep their text on
    # one line instead of one character a line.
    assert table.evaluate("t => t.scrollWidth > t.clientWidth")
    first_cell_height = table.locator("tbody tr td").first.evaluate(
        "td => td.getBoundingClientRect().height"
    )
    assert first_cell_height < 60


def test_phone_form_fits_the_screen(phone):
    browser_login(phone, "demo_province")
    phone.goto("/partnerships/new/")
    field = phone.locator("main form select, main form input[type=date]").first
    assert field.is_visible()
    box = field.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN)


def test_desktop_shows_the_menu_expanded(page):
    browser_login(page, "demo_province")
    assert _menu_link(page, "帮扶关系").is_visible()
    assert not page.get_by_test_id("menu-toggle").is_visible()
