"""Schemathesis over the whole OpenAPI description: no input, valid or not, is a server error.

Every operation is called in-process through Django's WSGI handler (the test database, inside
the test's transaction) as the province officer and as a recipient-hospital user, with a bounded,
derandomized set of examples per operation. The only check is `not_a_server_error`: a refusal must
be a 4xx with a Chinese detail, never a 500.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck
from schemathesis.checks import not_a_server_error

from bangfu.accounts.models import User
from bangfu.accounts.services import token_create
from bangfu.api import api

MAX_EXAMPLES = 15


@pytest.fixture(scope="module")
def wsgi_app() -> WSGIHandler:
    return WSGIHandler()


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
