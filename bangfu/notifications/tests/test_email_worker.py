"""A notification's e-mail goes through a REAL `bangfu db_worker` process: sent with Django's
locmem backend (the worker records it sent), and against a closed SMTP port retried by
re-enqueueing until the bound, the error kept (ADR 0014)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.xdist_group("worker")]

ROOT = Path(__file__).resolve().parents[3]

SEND = (
    "from bangfu.accounts.models import User; "
    "from bangfu.notifications.services import Message, notification_send; "
    "u = User.objects.get(username='mail_check'); "
    "n = notification_send(actor=None, recipients=[u], message=Message(kind='general', "
    "title='{title}')); print(n[0].pk)"
)
STATE = (
    "from bangfu.notifications.models import Notification; "
    "n = Notification.objects.get(title='{title}'); "
    "print(bool(n.emailed_at), n.email_attempts, bool(n.email_error))"
)


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise AssertionError(f"bangfu {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.fixture(scope="module")
def site_env(tmp_path_factory) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('mail') / 'mail.sqlite3'}",
        "BANGFU_VAR_DIR": str(tmp_path_factory.mktemp("mail-var")),
        "TASKS_BACKEND": "db",
    }
    _manage(env, "migrate", "--noinput")
    _manage(
        env,
        "shell",
        "-c",
        "from bangfu.accounts.models import User; User.objects.create_user("
        "username='mail_check', password=None, role='province', email='ops@example.org')",
    )
    return env


def _deliver_with_worker(env: dict[str, str], title: str, expected: str) -> str:
    _manage(env, "shell", "-c", SEND.format(title=title))
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        state = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = _manage(env, "shell", "-c", STATE.format(title=title))
            if state == expected:
                break
            time.sleep(0.5)
        return state
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_the_worker_sends_the_email_through_the_mail_backend(site_env):
    env = {**site_env, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    assert _deliver_with_worker(env, "worker-sent", "True 1 False") == "True 1 False"


def test_a_failing_mail_server_is_retried_by_the_worker_up_to_three_attempts(site_env):
    env = {
        **site_env,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": "9",  # discard: nothing listens, the connection is refused
        "EMAIL_TIMEOUT": "2",
    }
    assert _deliver_with_worker(env, "worker-retried", "False 3 True") == "False 3 True"
