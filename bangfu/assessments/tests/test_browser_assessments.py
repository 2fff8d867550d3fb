"""Browser journey (Playwright, Debian's Chromium) through the review chain (§七, issue #12):
the recipient hospital submits its self-assessment, the county returns it with a comment, the
hospital fixes and resubmits, the county and the prefecture approve and the province accepts."""

from __future__ import annotations

import re

import pytest

from conftest import browser_login, follow

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def as_user(chromium_browser, live_site):
    contexts = []

    def open_as(username):
        context = chromium_browser.new_context(base_url=live_site, locale="zh-CN")
        context.set_default_timeout(30000)
        contexts.append(context)
        page = context.new_page()
        browser_login(page, username)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _status(page):
    return page.get_by_test_id("status").get_attribute("data-status")


def _act(page, url, action, comment=""):
    page.goto(url)
    if comment:
        page.fill("#id_comment", comment)
    follow(page, page.get_by_test_id(f"action-{action}"))


def test_submit_return_fix_resubmit_and_approve_up_to_acceptance(as_user):
    hospital = as_user("demo_recipient")
    hospital.goto("/assessments/")
    hospital.get_by_test_id("not-submitted").locator("a").first.click()
    hospital.get_by_test_id("recipient-form").wait_for()
    url = re.sub(r"^https?://[^/]+", "", hospital.url)
    assert _status(hospital) == "draft"
    for select in hospital.locator("select[name^=rating_]").all():
        select.select_option("completed")
    hospital.fill("#id_results_text", "完成驻点帮扶和远程会诊")
    hospital.get_by_test_id("save").click()
    hospital.wait_for_selector("text=已保存")
    _act(hospital, url, "submit")
    assert _status(hospital) == "submitted"
    assert hospital.get_by_test_id("recipient-form").count() == 0  # no edits once submitted

    county = as_user("demo_county")
    county.goto("/assessments/")
    assert county.get_by_test_id("waiting").locator(f'a[href="{url}"]').count() == 1
    _act(county, url, "return", "请补充存在问题")
    assert _status(county) == "returned"

    hospital.goto(url)
    assert "请补充存在问题" in hospital.get_by_test_id("returned-comment").inner_text()
    hospital.fill("#id_problems_text", "专科人才不足，已补充")
    hospital.get_by_test_id("save").click()
    hospital.wait_for_selector("text=已保存")
    _act(hospital, url, "submit")
    assert _status(hospital) == "submitted"

    _act(county, url, "approve")
    assert _status(county) == "county_approved"
    prefecture = as_user("demo_prefecture")
    _act(prefecture, url, "approve", "同意上报")
    assert _status(prefecture) == "prefecture_approved"
    province = as_user("demo_province")
    _act(province, url, "approve")
    assert _status(province) == "accepted"
    rows = province.get_by_test_id("approvals").locator("tbody tr").all_inner_texts()
    assert len(rows) == 6 and "请补充存在问题" in rows[1] and "验收通过" in rows[5]

    hospital.goto(url)
    assert _status(hospital) == "accepted"
    assert hospital.get_by_test_id("recipient-form").count() == 0  # locked
    assert hospital.locator("[data-testid^=action-]").count() == 0
