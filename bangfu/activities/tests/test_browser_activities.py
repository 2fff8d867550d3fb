"""Browser journey (Playwright, Debian's Chromium): an expert records an activity on a phone
(390 px), the recipient hospital confirms it, and the agreement's progress moves (F8; A1-(7))."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import PAGE_WIDER_THAN_SCREEN, browser_login, follow

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _rules_achieved(page, progress_url):
    page.goto(progress_url)
    return int(page.get_by_test_id("achieved-M07").first.inner_text())


def test_expert_records_on_a_phone_the_hospital_confirms_and_progress_moves(phone, page):
    browser_login(phone, "demo_expert")
    phone.goto("/activities/")
    follow(phone, phone.get_by_test_id("record"))
    form = phone.get_by_test_id("activity-form")
    form.wait_for()
    assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN)
    options = phone.locator("#id_partnership option").all_inner_texts()
    weining = next(o for o in options if "威宁" in o)
    phone.select_option("#id_partnership", label=weining)
    phone.select_option("#id_kind", "rules")
    phone.fill("#id_date", date.today().isoformat())
    phone.fill("#id_main_quantity", "10")
    phone.fill("#id_title", "浏览器填报：十项制度")
    phone.get_by_test_id("submit").click()
    phone.wait_for_selector("text=活动已填报，待另一方确认")
    assert phone.get_by_test_id("unconfirmed").is_visible()
    assert phone.get_by_test_id("confirm").count() == 0  # the recording side never confirms
    assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN)
    activity_url = re.sub(r"^https?://[^/]+", "", phone.url)
    partnership_id = weining.split("：", 1)[0]
    progress_url = f"/activities/progress/partnership/{partnership_id}/?year={date.today().year}"
    before = _rules_achieved(phone, progress_url)

    browser_login(page, "demo_recipient")
    page.goto(activity_url)
    page.get_by_test_id("confirm").click()
    page.wait_for_selector("text=已确认该活动")
    assert page.get_by_test_id("confirmed").is_visible()
    after = _rules_achieved(page, progress_url)
    assert after == before + 10
    assert page.get_by_test_id("status-M07").first.inner_text() == "达成"
