"""Browser journeys through the partnership pages (Playwright driving Debian's Chromium)."""

from __future__ import annotations

from datetime import date, timedelta

import docx
import pytest

from bangfu.partnerships.domain.lifecycle import cycle_default_end
from conftest import PAGE_WIDER_THAN_SCREEN, browser_login, follow

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HELPER = "上海演示第7医院"  # an out-of-province 三甲 demo hospital with no demo partnership
RECIPIENT = "息烽县人民医院"  # a target county the demo leaves unpaired


def nav_link(page, name: str):
    return page.locator("nav.navbar").get_by_role("link", name=name, exact=True)


def _option_value(page, select: str, text: str) -> str:
    return page.locator(f"{select} option", has_text=text).first.get_attribute("value")


def test_province_officer_registers_a_partnership_and_downloads_its_agreement(page, tmp_path):
    browser_login(page, "demo_province")
    follow(page, nav_link(page, "帮扶关系"))
    follow(page, page.get_by_test_id("create"))

    page.select_option("#id_helper", _option_value(page, "#id_helper", HELPER))
    page.select_option("#id_recipient", _option_value(page, "#id_recipient", RECIPIENT))
    page.get_by_label("东西部协作", exact=True).check()
    page.get_by_label("远程医疗协作", exact=True).check()
    page.fill("#id_start", "2024-02-29")
    assert page.get_by_test_id("end-default").inner_text() == "2027-02-27"  # §七 3 years
    start = date.today() - timedelta(days=30)
    end = cycle_default_end(start, 3)
    page.fill("#id_start", start.isoformat())
    assert page.get_by_test_id("end-default").inner_text() == end.isoformat()
    page.fill("#id_signed_on", (start - timedelta(days=10)).isoformat())
    page.check("#measure-M01")
    page.fill('[name="measures.M01.team_size"]', "4")
    page.check("#measure-M04")
    page.fill('[name="measures.M04.plan"]', "每周远程会诊2次")
    page.get_by_role("button", name="登记帮扶关系").click()

    page.wait_for_selector("text=已登记帮扶关系")
    assert HELPER in page.get_by_test_id("parties").inner_text()
    assert "远程医疗协作" in page.get_by_test_id("modes").inner_text()
    cycle = page.get_by_test_id("cycle").first
    assert f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}" in cycle.inner_text()
    assert "执行中" in cycle.inner_text()

    with page.expect_download() as info:
        cycle.get_by_test_id("download-docx").click()
    path = tmp_path / "agreement.docx"
    info.value.save_as(path)
    assert info.value.suggested_filename.endswith(f"_{start.year}.docx")
    text = "".join("".join(p.text for p in docx.Document(path).paragraphs).split())
    for expected in (
        HELPER,
        RECIPIENT,
        "息烽县人民政府",
        f"{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日",
        "积极协商省外三甲医院组团派驻3-5人医疗专家",
        "每周远程会诊2次",
    ):
        assert expected in text, expected

    nav_link(page, "帮扶关系").click()
    page.fill("#id_q", "息烽")
    page.press("#id_q", "Enter")
    page.wait_for_function(
        "document.querySelector('[data-testid=result-count]').innerText.includes('共 1 ')"
    )
    row = page.locator("[data-testid=partnership-table] tbody tr")
    assert row.count() == 1
    assert HELPER in row.inner_text() and "执行中" in row.inner_text()


def test_a_bad_submission_keeps_the_input_and_shows_the_message_on_the_field(page):
    browser_login(page, "demo_province")
    page.goto("/partnerships/new/")
    page.select_option("#id_helper", _option_value(page, "#id_helper", HELPER))
    page.select_option("#id_recipient", _option_value(page, "#id_recipient", "修文县人民医院"))
    page.fill("#id_start", "2025-03-01")
    page.check("#measure-M01")
    page.fill('[name="measures.M01.team_size"]', "6")
    page.get_by_role("button", name="登记帮扶关系").click()
    assert "不得高于5" in page.locator('[data-field="measures.M01.team_size"]').inner_text()
    assert "请至少选择一种帮扶方式" in page.locator('[data-field="modes"]').inner_text()
    assert page.input_value('[name="measures.M01.team_size"]') == "6"
    assert page.is_checked("#measure-M01")


def test_county_officer_sees_only_its_county_partnerships(page):
    browser_login(page, "demo_province")
    page.goto("/partnerships/")
    every = page.locator("[data-testid=partnership-table] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.pk)"
    )
    page.get_by_role("button", name="退出").click()

    browser_login(page, "demo_county")
    follow(page, nav_link(page, "帮扶关系"))
    rows = page.locator("[data-testid=partnership-table] tbody tr")
    assert page.get_by_test_id("result-count").inner_text() == "共 1 个帮扶关系"
    assert "威宁彝族回族苗族自治县人民医院" in rows.inner_text()
    assert page.get_by_test_id("create").is_visible()
    own = rows.evaluate_all("rows => rows.map(r => r.dataset.pk)")
    other = next(pk for pk in every if pk not in own)
    response = page.goto(f"/partnerships/{other}/")
    assert response.status == 404

    page.goto("/partnerships/coverage/")
    assert page.get_by_test_id("target-total").inner_text() == "1"
    counties = page.locator("[data-testid=prefecture-progress] [data-county]").evaluate_all(
        "cells => cells.map(c => c.dataset.county)"
    )
    assert counties == ["520526"]


def test_officer_registers_the_first_agreement_of_a_matched_pair(page):
    """Matching → agreement: an accepted pair is a partnership 待签协议; its page offers
    登记首期协议, whose form records the first cycle (issue #10)."""
    browser_login(page, "demo_province")
    follow(page, page.get_by_role("link", name="结对匹配").first)
    follow(page, page.get_by_test_id("new-round"))
    page.select_option("#id_method", "optimal")
    page.get_by_role("button", name="运行匹配").click()
    page.wait_for_selector("text=匹配完成")
    row = (
        page.get_by_test_id("proposal-row")
        .filter(has=page.locator("input[name=proposal_ids]:not([disabled])"))
        .first
    )
    recipient = row.get_attribute("data-recipient")
    row.locator("input[name=proposal_ids]").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("accept").click()
    page.wait_for_selector("text=已接受 1 对结对")
    accepted = page.locator(f"[data-testid=proposal-row][data-recipient='{recipient}']")
    follow(page, accepted.get_by_test_id("partnership-link"))

    assert "待签协议" in page.locator("h1").inner_text()
    assert page.locator("[data-action=renew]").count() == 0
    # The form's script (which shows the default end for the typed start) must have run before
    # the start is typed: follow waits for the page to load, then wait for the text to follow.
    follow(page, page.get_by_test_id("first-agreement"))
    start = date.today() - timedelta(days=10)
    page.fill("#id_start", start.isoformat())
    page.wait_for_function(
        "expected => document.getElementById('end-default').textContent === expected",
        arg=cycle_default_end(start, 3).isoformat(),
    )
    page.fill("#id_signed_on", (start - timedelta(days=2)).isoformat())
    page.check("#measure-M01")
    page.fill('[name="measures.M01.team_size"]', "3")
    # The matched helper may not be a recorded 三甲 yet: register it as an exception, with why.
    page.check("#id_helper_exception")
    page.fill("#id_helper_exception_reason", "结对匹配确定，等级待省卫健委核实")
    page.get_by_role("button", name="登记首期协议").click()

    page.wait_for_selector("text=已登记首期协议")
    assert recipient in page.get_by_test_id("parties").inner_text()
    cycle = page.get_by_test_id("cycle").first
    assert "第1周期" in cycle.inner_text() and "执行中" in cycle.inner_text()
    assert page.get_by_test_id("first-agreement").count() == 0
    # The signed cycle in force now offers renewal and termination, from the same rule.
    assert cycle.locator("[data-action=renew]").count() == 1
    assert cycle.locator("[data-action=terminate]").count() == 1


@pytest.mark.parametrize("device", ["page", "phone"])
def test_coverage_lists_load_by_htmx_and_page_within_their_section(request, device):
    """The coverage page fetches each list into its section after it has shown; the collapsed
    从未结对 list when opened; paging that list swaps only its section (issue #13)."""
    page = request.getfixturevalue(device)
    browser_login(page, "demo_province")
    page.goto("/partnerships/coverage/")
    gaps = page.locator("[data-testid=gaps] tbody tr")
    gaps.first.wait_for()
    total = int(page.get_by_test_id("gaps-count").inner_text().strip("共 处"))
    assert gaps.count() == min(total, 20)
    assert page.get_by_test_id("gaps-loading").count() == 0

    never = page.locator("[data-testid=never-paired-list] tbody tr")
    assert never.count() == 0  # not fetched while collapsed
    page.get_by_test_id("never-paired").locator("summary").click()
    never.first.wait_for()
    pages = -(-int(page.get_by_test_id("never-paired-count").inner_text()) // 20)
    assert pages > 1  # the demo has hundreds of recipients that never had a helper
    indicator = page.get_by_test_id("never_paired-page")
    assert indicator.inner_text().startswith(f"第 1 / {pages} 页")
    first = never.evaluate_all("rows => rows.map(r => r.dataset.recipient)")
    assert len(first) == 20

    page.get_by_test_id("never_paired-next").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=never_paired-page]')"
        ".textContent.startsWith('第 2 /')"
    )
    second = never.evaluate_all("rows => rows.map(r => r.dataset.recipient)")
    assert len(second) == 20 and not set(first) & set(second)
    assert page.url.endswith("/partnerships/coverage/")  # the page stays; one section swapped
    assert gaps.count() == min(total, 20)
    assert page.get_by_test_id("never-paired").evaluate("d => d.open")
    page.get_by_test_id("never_paired-previous").click()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=never_paired-page]')"
        ".textContent.startsWith('第 1 /')"
    )
    assert never.evaluate_all("rows => rows.map(r => r.dataset.recipient)") == first
    if device == "phone":
        assert not page.evaluate(PAGE_WIDER_THAN_SCREEN)
