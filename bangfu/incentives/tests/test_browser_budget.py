"""Browser: the budget page shows its hospital rows without their per-expert lines; opening a
row's 逐人明细 loads that hospital's lines (htmx), only for readers who may see the pay."""

from __future__ import annotations

import pytest

from conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_rows_lines_load_when_opened_and_only_for_pay_readers(page):
    browser_login(page, "demo_province")
    page.goto("/incentives/budget/")
    table = page.get_by_test_id("budget-table")
    table.wait_for()
    assert page.get_by_test_id("budget-lines").count() == 0  # nothing computed up front
    details = page.get_by_test_id("budget-details").first
    details.locator("summary").click()
    lines = details.get_by_test_id("budget-lines")
    lines.wait_for()
    assert "受扶医院工作经费" in lines.inner_text()
    page.get_by_role("button", name="退出").click()

    browser_login(page, "demo_county")
    page.goto("/incentives/budget/")
    page.get_by_test_id("budget-table").wait_for()
    assert page.get_by_test_id("budget-details").count() == 0
