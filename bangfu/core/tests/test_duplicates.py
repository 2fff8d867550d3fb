"""`refusing_duplicates`: a unique constraint refusing a row becomes a `DuplicateError` with the
service's Chinese message (the API's 409); any other integrity error is left alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from bangfu.core.duplicates import DuplicateError, refusing_duplicates
from bangfu.incentives.models import WorkFund
from bangfu.people.models import AppointmentLetter
from bangfu.registry.models import Institution, InstitutionCategory

pytestmark = pytest.mark.django_db


def _letter(helper: Institution, number: str) -> AppointmentLetter:
    return AppointmentLetter.objects.create(
        helper=helper, head_name="测试院长", letter_number=number, issued_on=date(2025, 1, 1)
    )


def test_a_unique_violation_becomes_a_duplicate_error_carrying_the_message():
    helper = Institution.objects.filter(category=InstitutionCategory.HELPER).first()
    _letter(helper, "重复测试-001")
    message = "聘书编号“重复测试-001”已存在"
    with pytest.raises(DuplicateError) as caught, refusing_duplicates("letter_number", message):
        _letter(helper, "重复测试-001")
    assert isinstance(caught.value, ValidationError)
    assert caught.value.message_dict == {"letter_number": [message]}
    assert isinstance(caught.value.__cause__, IntegrityError)
    # The savepoint was rolled back, so the surrounding transaction goes on working.
    assert AppointmentLetter.objects.filter(letter_number="重复测试-001").count() == 1


def test_other_integrity_errors_are_not_reported_as_duplicates():
    recipient = Institution.objects.filter(category=InstitutionCategory.RECIPIENT).first()
    with pytest.raises(IntegrityError), refusing_duplicates("amount", "不应出现"):
        WorkFund.objects.create(recipient=recipient, year=2099, amount=Decimal("-1"))
    assert not WorkFund.objects.filter(recipient=recipient, year=2099).exists()


def test_a_block_that_writes_nothing_twice_passes_through():
    helper = Institution.objects.filter(category=InstitutionCategory.HELPER).first()
    with refusing_duplicates("letter_number", "不应出现"):
        letter = _letter(helper, "重复测试-002")
    assert letter.pk is not None
