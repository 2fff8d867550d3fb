"""Browser journey (Playwright, Debian's Chromium): a county officer records a 会商 meeting
with a decision assigned to the recipient hospital; the hospital user finds it on the to-do list
(and in the notification badge) and marks it done (F11; 附件2 四(一))."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from conftest import PAGE_WIDER_THAN_SCREEN, browser_login, follow

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_county_records_a_consultation_and_the_hospital_completes_its_task(page):
    browser_login(page, "demo_county")
    page.goto("/coordination/")
    follow(page, page.get_by_test_id("meeting-new"))
    page.get_by_test_id("meeting-form").wait_for()
    page.select_option("#id_kind", "consultation")
    partnerships = page.locator("#id_partnership option").all_inner_texts()
    weining = next(o for o in partnerships if o.startswith("威宁") and "县人民医院" in o)
    page.select_option("#id_partnership", label=weining)
    page.fill("#id_held_on", date.today().isoformat())
    page.fill("#id_title", "浏览器登记：季度会商")
    page.fill("#id_decision_1_text", "浏览器任务：提交胸痛中心建设方案")
    owners = page.locator("#id_decision_1_owner option").all_inner_texts()
    hospital = next(o for o in owners if o.startswith("威宁") and o.endswith("县人民医院"))
    page.select_option("#id_decision_1_owner", label=hospital)
    page.fill("#id_decision_1_due", (date.today() + timedelta(days=30)).isoformat())
    page.get_by_test_id("submit").click()
    page.wait_for_selector("text=会议已登记")
    assert page.get_by_test_id("meeting-title").inner_text() == "浏览器登记：季度会商"
    assert "浏览器任务：提交胸痛中心建设方案" in page.get_by_test_id("task-list").inner_text()
    assert page.get_by_test_id("task-done").count() == 0  # the county office does not complete it

    page.context.clear_cookies()
    browser_login(page, "demo_recipient")
    assert int(page.get_by_test_id("unread-count").inner_text()) >= 1
    page.goto("/coordination/tasks/?mine=1")
    task = page.get_by_test_id("task").filter(has_text="浏览器任务：提交胸痛中心建设方案")
    assert task.get_by_test_id("task-status").inner_text() == "进行中"
    task.locator("input[name=result_note]").fill("方案已报县卫健局")
    task.get_by_test_id("task-done").click()
    page.wait_for_selector("text=任务已办结")
    task = page.get_by_test_id("task").filter(has_text="浏览器任务：提交胸痛中心建设方案")
    assert task.get_by_test_id("task-status").inner_text() == "已完成"
    assert "方案已报县卫健局" in task.inner_text()


def test_meeting_pages_and_the_to_do_list_fit_a_phone(phone):
    browser_login(phone, "demo_recipient")
    for url in ("/coordination/", "/coordination/new/", "/notifications/", "/coordination/tasks/"):
        phone.goto(url)
        assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN), url
    assert phone.get_by_test_id("task").count() >= 1  # the demo's tasks for the hospital
