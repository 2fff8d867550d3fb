"""Browser journey at phone width (390 px): the 省科技厅's account opens its workspace from the
menu and accepts an S&T project application (§五)."""

from __future__ import annotations

import pytest

from conftest import PAGE_WIDER_THAN_SCREEN, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_science_department_accepts_a_project_on_a_phone(phone):
    browser_login(phone, "demo_science")
    phone.goto("/coordination/workspace/")
    assert phone.get_by_test_id("workspace-title").inner_text() == "部门工作台 · 省科技厅"
    assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN)  # wide tables scroll inside their box
    section = phone.get_by_test_id("section-scitech_applications")
    item = section.get_by_test_id("item").filter(has_text="县域胸痛中心远程心电协同诊疗技术推广")
    assert item.get_by_test_id("item-status").inner_text() == "已申报"
    waiting = int(
        phone.get_by_test_id("card-scitech_applications")
        .get_by_test_id("card-waiting")
        .inner_text()
    )
    item.locator("input[name=note]").fill("材料齐全，予以受理")
    item.get_by_test_id("action-accepted").click()
    phone.wait_for_selector("text=已更新为已受理")
    item = (
        phone.get_by_test_id("section-scitech_applications")
        .get_by_test_id("item")
        .filter(has_text="县域胸痛中心远程心电协同诊疗技术推广")
    )
    assert item.get_by_test_id("item-status").inner_text() == "已受理"
    assert item.get_by_test_id("action-approved").is_visible()
    assert item.get_by_test_id("action-accepted").count() == 0
    still = phone.get_by_test_id("card-scitech_applications").get_by_test_id("card-waiting")
    assert int(still.inner_text()) == waiting  # accepted is still waiting for its decision
    assert not phone.evaluate(PAGE_WIDER_THAN_SCREEN)
