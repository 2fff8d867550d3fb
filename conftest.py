"""Personas shared by every app's tests (STYLE.md): permission tests read like prose."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("BANGFU_TESTING", "1")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: F811
    """Load Guizhou's registry and the demo data once per test session."""
    from bangfu.core.demo import demo_data_load
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
