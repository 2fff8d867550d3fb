"""Browser journeys through the registry (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from conftest import browser_login, follow

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_province_officer_filters_counties_exports_and_edits_a_programme_group(page, tmp_path):
    browser_login(page, "demo_province")
    assert page.get_by_test_id("summary-counties").inner_text() == "88"
    assert page.get_by_test_id("summary-prefectures").inner_text() == "9"

    # htmx binds the filter form on DOMContentLoaded: a change fired before that is lost.
    follow(page, page.get_by_role("link", name="县（市、区）"))
    page.wait_for_url("**/registry/counties/")
    assert page.get_by_test_id("result-count").inner_text() == "共 88 个县级单位"
    page.select_option("#id_prefecture", "520500")
    page.wait_for_function(
        "document.querySelector('[data-testid=result-count]').innerText.includes('共 8 ')"
    )
    page.select_option("#id_key", "1")
    page.wait_for_function(
        "document.querySelector('[data-testid=result-count]').innerText.includes('共 4 ')"
    )
    codes = page.locator("[data-testid=county-table] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.code)"
    )
    assert codes == ["520524", "520525", "520526", "520527"]
    assert "prefecture=520500" in page.url  # the filter is in the address, so it can be shared

    with page.expect_download() as info:
        page.get_by_test_id("export").click()
    path = tmp_path / "export.xlsx"
    info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == codes

    follow(page, page.get_by_role("link", name="威宁彝族回族苗族自治县"))
    assert "推测" in page.get_by_test_id("programme-group").inner_text()
    page.locator("summary", has_text="修改项目分组").click()
    page.fill("#id_programme_group_basis", "省卫健委确认的70县名单（测试）")
    page.check("#id_programme_group_verified")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="保存分组").click()
    page.wait_for_selector("text=已更新")
    assert "已核实" in page.get_by_test_id("programme-group").inner_text()
    assert "demo_province" in page.get_by_test_id("history").inner_text()


def test_dismissing_the_confirmation_changes_nothing(page):
    browser_login(page, "demo_province")
    page.goto("/registry/counties/520102/")
    page.locator("summary", has_text="修改项目分组").click()
    page.select_option("#id_programme_group", "target")
    page.fill("#id_programme_group_basis", "不应保存")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="保存分组").click()
    page.goto("/registry/counties/520102/")
    assert "其余18个" in page.get_by_test_id("programme-group").inner_text()


def test_county_officer_sees_only_its_county(page):
    browser_login(page, "demo_county")
    page.goto("/registry/counties/")
    assert page.get_by_test_id("result-count").inner_text() == "共 1 个县级单位"
    assert page.locator("[data-testid=county-table] tbody tr").count() == 1
    response = page.goto("/registry/counties/520102/")
    assert response.status == 404
    assert "南明区" not in page.content()
    page.goto("/registry/institutions/")
    page.select_option("#id_category", "recipient")
    follow(page, page.get_by_role("button", name="筛选"))
    assert page.get_by_test_id("result-count").inner_text() == "共 3 家机构"
    text = page.get_by_test_id("institution-table").inner_text()
    assert "威宁彝族回族苗族自治县人民医院" in text
    assert "南明区人民医院" not in text


def test_wrong_password_shows_a_chinese_error(page):
    browser_login(page, "demo_county", "wrong-password")
    assert "用户名或密码错误" in page.get_by_test_id("login-error").inner_text()
