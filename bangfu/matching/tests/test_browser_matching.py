"""Browser journey through matching (Playwright driving Debian's Chromium): the province office
runs a round, reads the reasons, accepts a pair and finds the new partnership (issue #5)."""

from __future__ import annotations

import pytest

from conftest import browser_login, follow

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_province_officer_runs_a_round_accepts_a_pair_and_finds_the_partnership(page):
    browser_login(page, "demo_province")
    follow(page, page.get_by_role("link", name="结对匹配"))
    follow(page, page.get_by_test_id("new-round"))
    assert page.locator("#id_recipients option:checked").count() > 0  # preselected
    page.select_option("#id_method", "optimal")
    page.get_by_role("button", name="运行匹配").click()
    page.wait_for_selector("text=匹配完成")

    rows = page.get_by_test_id("proposal-row")
    assert rows.count() > 0
    first = rows.first
    recipient = first.get_attribute("data-recipient")
    parts = first.get_by_test_id("fit-parts").inner_text()
    for label in ("专科契合", "区域方向", "粤黔结对", "帮扶名额"):
        assert label in parts
    assert "§三" in parts
    assert "志愿" in first.get_by_test_id("proposal-reason").inner_text()
    assert page.get_by_test_id("objective").inner_text()

    first.locator("input[name=proposal_ids]").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("accept").click()
    page.wait_for_selector("text=已接受 1 对结对")
    row = page.locator(f"[data-testid=proposal-row][data-recipient='{recipient}']")
    assert "已接受" in row.get_by_test_id("proposal-status").inner_text()
    link = row.get_by_test_id("partnership-link")
    assert "待签协议" in row.get_by_test_id("proposal-status").inner_text()
    if link.evaluate("element => element.tagName") == "A":  # the partnership's own page
        follow(page, link)
        assert recipient in page.locator("main").inner_text()
    else:  # the partnerships app has no page yet: the round names the partnership
        assert link.inner_text().startswith("帮扶关系 #")

    follow(page, page.get_by_role("link", name="结对匹配").first)
    first_round = page.locator("[data-testid=round-table] tbody tr").first
    assert first_round.locator("td").nth(7).inner_text() == "1"  # accepted
