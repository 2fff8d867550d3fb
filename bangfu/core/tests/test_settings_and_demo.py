"""Settings come from the environment; demo data refuses to run in production."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bangfu.accounts.models import Role, User
from bangfu.overview.demo import demo_data_load
from bangfu.registry.models import County, Institution

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def run_bangfu(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": "sqlite:///:memory:"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=base | env,
        check=False,
    )


def test_secret_key_is_required_outside_debug():
    result = run_bangfu("check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = run_bangfu(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "-production-secret-with-enough-entropy-" + "y" * 20,
        ALLOWED_HOSTS="bangfu.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_demo_data_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="拒绝执行"):
        call_command("demo_data")


@pytest.mark.django_db
def test_demo_data_is_deterministic_and_idempotent():
    names = list(Institution.objects.order_by("name").values_list("name", "capacity"))
    demo_data_load()
    assert list(Institution.objects.order_by("name").values_list("name", "capacity")) == names


@pytest.mark.django_db
def test_demo_data_gives_every_county_its_hospitals_and_every_role_a_user():
    for county in County.objects.all():
        assert Institution.objects.filter(county=county, category="recipient").count() == 3, (
            county.code
        )
    assert Institution.objects.filter(category="helper").count() >= 50
    assert not Institution.objects.filter(category="helper", province="贵州省").exists()
    assert set(
        User.objects.filter(username__startswith="demo_").values_list("role", flat=True)
    ) == set(Role.values)
    county_user = User.objects.get(username="demo_county")
    assert county_user.county.code == "520526"
    recipient = User.objects.get(username="demo_recipient")
    assert recipient.institution.name == "威宁彝族回族苗族自治县人民医院"
    assert User.objects.get(username="demo_prefecture").prefecture.name == "毕节市"


@pytest.mark.django_db
def test_demo_helpers_are_labelled_as_demo_in_the_ui(client, province_officer):
    client.force_login(province_officer)
    page = client.get("/registry/institutions/", {"category": "helper"}).content.decode()
    assert "演示数据" in page


@pytest.mark.django_db
def test_the_interface_is_chinese_only_with_no_language_switch(client, province_officer):
    """The users are Chinese officials; a switch that changed only Django's own strings was removed."""
    client.force_login(province_officer)
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert 'name="language"' not in page
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 404
    client.cookies["django_language"] = "en"
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, province_officer):
    client.force_login(province_officer)
    page = client.get("/admin/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "退出" in page or "注销" in page
