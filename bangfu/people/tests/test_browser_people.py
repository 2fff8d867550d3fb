"""Browser journey (Playwright, Debian's Chromium): the helper registers an expert and puts them
on a team; the recipient hospital then sees its team on site and the expert's statement for this
year, with the salary top-up it must pay (§六)."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import browser_login, follow

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BATCH = "9"  # a batch the demo data does not use


def test_recipient_sees_its_team_on_site_and_an_experts_statement_for_this_year(page):
    this_year = date.today().year
    browser_login(page, "demo_helper")
    page.get_by_role("link", name="专家与帮扶队").click()
    page.get_by_role("link", name="登记专家").click()
    page.fill("#id_name", "浏览器专家")
    page.select_option("#id_sex", "F")
    page.select_option("#id_title", "正高")
    page.fill("#id_job_title", "主任医师")
    page.select_option("#id_degree", "博士")
    page.fill("#id_prior_year_pay", "300000")
    page.check("#id_leadership_qualified")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=已登记专家「浏览器专家」")
    assert page.get_by_test_id("pay").inner_text() == "***"  # the helper never sees pay

    page.get_by_test_id("people-subnav").get_by_role("link", name="帮扶队").click()
    page.get_by_role("link", name="组建帮扶队").click()
    page.select_option(
        "#id_partnership", label="广州市番禺区中心医院 → 威宁彝族回族苗族自治县人民医院"
    )
    page.fill("#id_batch", BATCH)
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("[data-testid=team-findings]")
    page.get_by_role("link", name="登记派驻").click()
    page.select_option("#id_expert", label="浏览器专家（正高，广州市番禺区中心医院）")
    page.select_option("#id_kind", "resident")
    page.fill("#id_start", f"{this_year}-01-10")
    page.fill("#id_planned_end", f"{this_year + 2}-01-09")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=已登记「浏览器专家」的派驻")
    page.get_by_role("button", name="退出").click()

    browser_login(page, "demo_recipient")
    follow(page, page.get_by_role("link", name="专家与帮扶队"))
    follow(page, page.get_by_test_id("people-subnav").get_by_role("link", name="帮扶队"))
    row = page.locator("[data-testid=team-table] tbody tr", has_text=f"第{BATCH}批")
    assert int(row.locator("td").nth(4).inner_text()) >= 1  # on site today
    follow(page, row.get_by_role("link"))
    members = page.get_by_test_id("member-table")
    assert "浏览器专家" in members.inner_text()
    assert "少于每批次3人" in page.get_by_test_id("team-findings").inner_text()
    members.locator("tr", has_text="浏览器专家").get_by_role("link", name="待遇明细").click()

    title = page.get_by_test_id("statement-title").inner_text()
    assert f"{this_year}-01-01 至 {this_year}-12-31" in title
    top_up = page.locator("[data-testid=statement-table] tr[data-item=salary_top_up]")
    assert "1.5×300000.00" in top_up.inner_text()
    assert page.get_by_test_id("statement-total").inner_text() not in ("", "***")
    with page.expect_download() as info:
        page.get_by_test_id("statement-pdf").click()
    assert info.value.suggested_filename.endswith(".pdf")
