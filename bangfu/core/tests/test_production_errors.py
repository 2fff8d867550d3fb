"""Error pages are the project's own Chinese pages, in the demo (DEBUG) and in production; the
API documentation loads nothing from the internet (an intranet has none)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client

from bangfu.core.views import bad_request, permission_denied, server_error

DEBUG_PAGE_MARKERS = ("URLconf", "Django tried these URL patterns", "DEBUG = True", "Traceback")


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def assert_project_404(response) -> None:
    page = response.content.decode()
    assert response.status_code == 404
    assert "<title>未找到 · 帮扶协作管理平台</title>" in page
    assert "该页面不存在，或不在您的权限范围内" in page
    for marker in DEBUG_PAGE_MARKERS:
        assert marker not in page
    assert "admin/" not in page and "api/v1/" not in page  # no list of URL patterns


@pytest.mark.django_db
def test_an_unknown_page_is_the_chinese_404_without_url_patterns(client, province_officer, debug):
    client.force_login(province_officer)
    assert_project_404(client.get("/no-such-page/"))


@pytest.mark.django_db
def test_a_missing_object_is_the_chinese_404_not_the_debug_page(client, province_officer, debug):
    client.force_login(province_officer)
    response = client.get("/partnerships/999999999/")
    assert_project_404(response)
    assert "Raised by" not in response.content.decode()


@pytest.mark.django_db
def test_an_address_without_its_slash_still_redirects(client, province_officer, debug):
    client.force_login(province_officer)
    response = client.get("/accounts/login")
    assert response.status_code == 301 and response["Location"] == "/accounts/login/"


@pytest.mark.django_db
def test_the_404_page_keeps_the_menu_for_a_logged_in_user(client, province_officer, debug):
    client.force_login(province_officer)
    page = client.get("/no-such-page/").content.decode()
    assert "退出" in page and "医疗机构" in page


@pytest.mark.django_db
def test_a_server_error_is_the_chinese_500_page_built_without_the_database(
    rf, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = server_error(rf.get("/partnerships/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器内部错误" in page and "错误已记录" in page
    assert "{%" not in page and "Traceback" not in page


@pytest.mark.django_db
def test_an_uncaught_exception_in_production_renders_the_500_page(
    settings, province_officer, monkeypatch
):
    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("bangfu.overview.views.dashboard_for_user", broken)
    client = Client(raise_request_exception=False)
    client.force_login(province_officer)
    response = client.get("/")
    assert response.status_code == 500
    assert "服务器内部错误" in response.content.decode()
    assert "boom" not in response.content.decode()


@pytest.mark.django_db
def test_a_request_for_an_unknown_host_is_the_chinese_400_page(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get(
        "/accounts/login/", HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


def test_bad_request_and_permission_denied_pages_are_chinese(rf):
    bad = bad_request(rf.get("/x/"), SuspiciousOperation("bad"))
    assert bad.status_code == 400 and "请求无效" in bad.content.decode()


@pytest.mark.django_db
def test_permission_denied_page_shows_the_reason(rf, province_officer):
    request = rf.get("/x/")
    request.user = province_officer
    denied = permission_denied(request, PermissionDenied("仅省卫生健康委可操作"))
    page = denied.content.decode()
    assert denied.status_code == 403 and "无权操作" in page and "仅省卫生健康委可操作" in page


# ---- /api/v1/docs on an intranet ----


def asset_urls(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


@pytest.mark.django_db
def test_api_docs_load_swagger_ui_from_local_static_files_only(client):
    response = client.get("/api/v1/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert "cdn" not in page.lower() and "http://" not in page and "https://" not in page
    urls = asset_urls(page)
    assert any(u.endswith(".js") and "swagger-ui-bundle" in u for u in urls)
    assert any(u.endswith(".css") and "swagger-ui" in u for u in urls)
    for url in urls:
        assert url.startswith("/static/"), url
        served = client.get(url)
        assert served.status_code == 200, url
        assert b"".join(served.streaming_content), url


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_gets_the_chinese_403_page(debug):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "demo_province", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "无权操作" in page and "请刷新页面后重新提交" in page
    assert "CSRF verification failed" not in page and "Forbidden" not in page
