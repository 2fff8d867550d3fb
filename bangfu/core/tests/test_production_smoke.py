"""Production smoke test (issue 9): the build `make serve` runs really serves.

`scripts/serve` collects the static files into a temporary STATIC_ROOT with the manifest
storage, applies migrations and starts gunicorn with DEBUG off and a real SECRET_KEY, on a
database prepared the way `make demo` prepares one (a temporary SQLite file, or a scratch
PostgreSQL database when the suite runs on PostgreSQL). Then, over HTTP as a browser would:
log in through the login form, open every page of the menu, fetch the CSS and JavaScript they
name, and check the API documentation and the error answers.

Slow (collectstatic compresses every file): the tests share one server, kept on one xdist worker.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
import requests

pytestmark = pytest.mark.xdist_group("production_smoke")

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
DEMO_PASSWORD = "bangfu-demo"
START_TIMEOUT = 300  # seconds: collectstatic on a busy CI machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _scratch_postgres(url: str, suffix: str) -> Iterator[str]:
    """A fresh database next to DATABASE_URL's, dropped afterwards (as conftest's live_site)."""
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_smoke_{suffix}"[:63]
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def smoke_database(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        with _scratch_postgres(url, worker_id) as scratch:
            yield scratch
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('smoke-db') / 'bangfu.sqlite3'}"


@pytest.fixture(scope="module")
def production_site(tmp_path_factory: pytest.TempPathFactory, smoke_database: str) -> Iterator[str]:
    work = tmp_path_factory.mktemp("production")
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),  # this tree's code, also for the console scripts
        "DATABASE_URL": smoke_database,
        "BANGFU_VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(work / "media"),
    }
    demo_env = base_env | {"DJANGO_DEBUG": "1"}
    for args in (["migrate", "--noinput", "-v0"], ["load_registry"], ["demo_data"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=demo_env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"bangfu {' '.join(args)}:\n{done.stdout}\n{done.stderr}"

    port = _free_port()
    serve_env = base_env | {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STATIC_ROOT": str(work / "static"),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on loopback, as on an intranet without TLS (README).
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "BANGFU_BIN": str(BIN),
    }
    log_path = work / "serve.log"
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--timeout", "120"],
            cwd=ROOT,
            env=serve_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # gunicorn and its workers in one group, stopped together
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if server.poll() is not None:
                    pytest.fail(
                        f"scripts/serve exited ({server.returncode}):\n{log_path.read_text()}"
                    )
                try:
                    requests.get(url + "/accounts/login/", timeout=30)
                    break
                except (requests.ConnectionError, requests.Timeout):
                    if time.monotonic() > deadline:
                        pytest.fail(f"gunicorn did not start:\n{log_path.read_text()}")
                    time.sleep(0.5)
            yield url
        finally:
            _stop(server)


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def logged_in(site: str, username: str) -> requests.Session:
    """Log in through the real login form, with its CSRF token."""
    session = requests.Session()
    form = session.get(site + "/accounts/login/", timeout=30)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, form.text
    response = session.post(
        site + "/accounts/login/",
        data={
            "username": username,
            "password": DEMO_PASSWORD,
            "csrfmiddlewaretoken": token.group(1),
        },
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    assert "sessionid" in session.cookies
    return session


def menu_links(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<a class="nav-link[^"]*" href="([^"]+)">([^<]+)</a>', page)


def assets(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page)


# What each menu page shows from the demo data, beyond the menu itself.
EXPECTED_TEXT = {
    "/": "首页",
    "/registry/prefectures/": "毕节市",
    "/registry/counties/": "威宁彝族回族苗族自治县",
    "/registry/institutions/": "人民医院",
}


@pytest.mark.parametrize("username", ["demo_province", "demo_county"])
def test_every_menu_page_is_served_in_chinese_with_its_static_files(
    production_site: str, username: str
) -> None:
    session = logged_in(production_site, username)
    home = session.get(production_site + "/", timeout=60)
    assert home.status_code == 200
    links = menu_links(home.text)
    assert len(links) >= 6, home.text
    expected_labels = {"首页", "市州", "医疗机构", "帮扶关系", "专家与帮扶队"}
    assert expected_labels <= {label for _, label in links}
    checked_assets: set[str] = set()
    for href, label in links:
        response = session.get(urljoin(production_site, href), timeout=60)
        assert response.status_code == 200, (href, response.text[:500])
        page = response.text
        assert '<html lang="zh-hans">' in page, href
        assert f'active" href="{href}">{label}</a>' in page, f"{href}: menu entry not active"
        assert EXPECTED_TEXT.get(href, label) in page, href
        for asset in assets(page):
            if asset in checked_assets:
                continue
            checked_assets.add(asset)
            served = session.get(production_site + asset, timeout=60)
            assert served.status_code == 200, asset
            assert served.content, asset
    # The manifest storage: every static URL names a hashed file, CSS and JavaScript alike.
    assert any(re.search(r"bootstrap\.min\.[0-9a-f]{12}\.css$", a) for a in checked_assets)
    assert any(re.search(r"bootstrap\.bundle\.min\.[0-9a-f]{12}\.js$", a) for a in checked_assets)
    assert any(a.endswith(".css") and "bangfu" in a for a in checked_assets)


def test_api_docs_load_only_local_assets(production_site: str) -> None:
    docs = requests.get(production_site + "/api/v1/docs", timeout=60)
    assert docs.status_code == 200
    assert "https://" not in docs.text and "http://" not in docs.text
    urls = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert any("swagger-ui-bundle" in u for u in urls)
    for url in urls:
        assert url.startswith("/static/"), url
        assert requests.get(production_site + url, timeout=60).status_code == 200, url
    schema = requests.get(production_site + "/api/v1/openapi.json", timeout=60)
    assert schema.status_code == 200 and schema.json()["info"]["title"] == "帮扶协作管理平台 API"


def test_api_errors_are_json_with_a_chinese_detail(production_site: str) -> None:
    missing = requests.get(production_site + "/api/v1/nope", timeout=60)
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith("application/json")
    assert missing.json()["detail"].startswith("未找到")
    unauthenticated = requests.get(production_site + "/api/v1/auth/tokens", timeout=60)
    assert unauthenticated.status_code == 401
    assert "未认证" in unauthenticated.json()["detail"]
    not_allowed = requests.put(production_site + "/api/v1/auth/token", timeout=60)
    assert not_allowed.status_code == 405 and "不支持" in not_allowed.json()["detail"]


def test_an_unknown_page_and_media_path_get_the_chinese_404(production_site: str) -> None:
    session = logged_in(production_site, "demo_province")
    for path in ("/no-such-page/", "/media/agreements/scans/2025/scan.pdf"):
        response = session.get(production_site + path, timeout=60)
        assert response.status_code == 404, path
        assert "<title>未找到 · 帮扶协作管理平台</title>" in response.text, path
        assert "URLconf" not in response.text and "Traceback" not in response.text


def test_serve_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "BANGFU_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [str(ROOT / "scripts" / "serve")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "未设置 SECRET_KEY" in done.stderr
    assert not (tmp_path / "staticfiles").exists()  # stopped before collecting anything
