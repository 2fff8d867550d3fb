"""Personas shared by every app's tests (STYLE.md): permission tests read like prose."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("BANGFU_TESTING", "1")

# Speed is measured in bench/, never asserted in tests: hypothesis's per-example deadline
# (200 ms) only made property tests fail on a loaded CI machine.
hypothesis_settings.register_profile("bangfu", deadline=None)
hypothesis_settings.load_profile("bangfu")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load Guizhou's registry and the demo data once per test session."""
    from bangfu.overview.demo import demo_data_load
    from bangfu.registry.services import registry_load

    with django_db_blocker.unblock():
        registry_load(actor=None)
        demo_data_load()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(username: str):
    from bangfu.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def province_officer(db):
    return _user("demo_province")


@pytest.fixture
def prefecture_officer(db):
    return _user("demo_prefecture")


@pytest.fixture
def county_officer(db):
    return _user("demo_county")


@pytest.fixture
def recipient_user(db):
    return _user("demo_recipient")


@pytest.fixture
def helper_user(db):
    return _user("demo_helper")


@pytest.fixture
def expert_user(db):
    return _user("demo_expert")


@pytest.fixture
def observer_user(db):
    return _user("demo_observer")


@pytest.fixture
def outsider(db):
    """An inactive account: it sees nothing and cannot log in."""
    from bangfu.accounts.models import User

    return User.objects.create_user(username="outsider", password="x-Outsider-9", is_active=False)


PERSONAS = [
    "province_officer",
    "prefecture_officer",
    "county_officer",
    "recipient_user",
    "helper_user",
    "expert_user",
    "observer_user",
]


@pytest.fixture(params=PERSONAS)
def persona(request):
    return request.getfixturevalue(request.param)


@pytest.fixture
def api_client(client):
    """A Django test client that logs in to the API with a bearer token."""

    class ApiClient:
        def __init__(self):
            self.token = None

        def login(self, user):
            from bangfu.accounts.services import token_create

            self.token = token_create(user=user)
            return self

        def get(self, path, **params):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            return client.get(path, params, headers=headers)

        def post(self, path, payload):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            return client.post(path, payload, content_type="application/json", headers=headers)

    return ApiClient()


# ---- browser tests: a real server process driven by Playwright and Debian's Chromium ----

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _scratch_postgres(url: str, worker: str):
    """A fresh PostgreSQL database per test worker, named after BROWSER_DATABASE_URL's; dropped after."""
    from contextlib import contextmanager
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{worker}"
    admin = urlunsplit(parts._replace(path="/postgres"))

    @contextmanager
    def database():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlunsplit(parts._replace(path=f"/{name}"))
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return database()


@pytest.fixture(scope="session")
def live_site_database(tmp_path_factory, worker_id):
    """A temporary SQLite file, or (CI) a scratch PostgreSQL database per worker derived from
    BROWSER_DATABASE_URL. Never the developer's own database."""
    url = os.environ.get("BROWSER_DATABASE_URL")
    if url and url.startswith("postgres"):
        with _scratch_postgres(url, worker_id) as scratch:
            yield scratch
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('site') / 'site.sqlite3'}"


@pytest.fixture(scope="session")
def live_site(tmp_path_factory, live_site_database):
    """`bangfu runserver` on its own database, prepared the way `make demo` prepares one."""
    import subprocess
    import sys
    import time
    import urllib.request

    root = os.path.dirname(os.path.abspath(__file__))
    db_url = live_site_database
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": db_url,
        "BANGFU_VAR_DIR": str(tmp_path_factory.mktemp("var")),
    }

    def bangfu(*args):
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(f"bangfu {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")

    bangfu("migrate", "--noinput")
    bangfu("load_registry")
    bangfu("demo_data")
    port = _free_port()
    # The server's log goes to a file: a pipe nobody reads fills up and stalls the server.
    log_path = tmp_path_factory.mktemp("site-log") / "runserver.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed after the server stops
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    # Generous: on a loaded 2-core machine Django's start-up can take well over ten seconds.
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url + "/accounts/login/", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log.close()
                raise RuntimeError("server did not start: " + log_path.read_text()) from None
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def chromium_browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: install Debian's chromium (make setup does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser, live_site):
    context = chromium_browser.new_context(
        base_url=live_site, locale="zh-CN", accept_downloads=True
    )
    context.set_default_timeout(30000)  # generous: CI machines are shared
    page = context.new_page()
    yield page
    context.close()


PHONE = {"width": 390, "height": 844}  # experts record on site, on a phone
PAGE_WIDER_THAN_SCREEN = "document.documentElement.scrollWidth > window.innerWidth"


@pytest.fixture
def phone(chromium_browser, live_site):
    """A page in a phone-sized (390 px) touch browser context."""
    context = chromium_browser.new_context(
        base_url=live_site, locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(30000)
    page = context.new_page()
    yield page
    context.close()


def browser_login(page, username: str, password: str = "bangfu-demo") -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    # Until the next page has loaded (its stylesheets included), what a test reads or checks
    # for visibility may still be the login page, or the new page without its CSS.
    follow(page, page.locator("button[type=submit]"))


def follow(page, target) -> None:
    """Click a link or a submit button that loads a new page, and return once it has loaded.

    Playwright's click returns when the navigation has committed, before the new document is
    parsed: a check that does not wait (count(), is_visible(), all_inner_texts()) made right
    after it can see half a page. The matching journey failed that way in CI: no preselected
    option counted on a form whose select had not been parsed yet."""
    with page.expect_navigation(wait_until="load"):
        target.click()
