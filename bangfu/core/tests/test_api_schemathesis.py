"""Schemathesis over the whole OpenAPI description: no input, valid or not, is a server error.

Every operation is called in-process through Django's WSGI handler (the test database, inside
the test's transaction) as the province officer and as a recipient-hospital user, with a bounded,
derandomized set of examples per operation. The only check is `not_a_server_error`: a refusal must
be a 4xx, never a 500 (the Chinese details of the refusals are checked in test_api_bad_input).
Run it on PostgreSQL too: NUL bytes and lone surrogates only fail there.
"""

from __future__ import annotations

from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error

from bangfu.accounts.models import User
from bangfu.accounts.services import token_create
from bangfu.api import api

MAX_EXAMPLES = 15


@pytest.fixture(scope="module")
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI handler, kept from closing the database connection after each request (as
    Django's test client does): the test's transaction, on PostgreSQL too, outlives each call."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")

SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=list(HealthCheck),
)


def _call(case, app: WSGIHandler, username: str) -> None:
    # A fresh token per call: DELETE /auth/token revokes the token it is called with.
    token = token_create(user=User.objects.get(username=username))
    response = case.call(app=app, headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error])


@schema.parametrize()
@SETTINGS
@pytest.mark.django_db
def test_no_server_error_as_province_officer(case, wsgi_app):
    _call(case, wsgi_app, "demo_province")


@schema.parametrize()
@SETTINGS
@pytest.mark.django_db
def test_no_server_error_as_recipient_hospital_user(case, wsgi_app):
    _call(case, wsgi_app, "demo_recipient")
