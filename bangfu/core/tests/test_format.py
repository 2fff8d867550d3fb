"""The money display filter."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from bangfu.core.templatetags.bangfu_format import yuan


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("173287.67"), "173,287.67"),
        ("200000.00", "200,000.00"),
        (Decimal("0.005"), "0.01"),  # half up
        (Decimal("-1234.5"), "-1,234.50"),
        (0, "0.00"),
        ("***", "***"),  # a mask passes through
        ("", ""),
        (None, None),
    ],
)
def test_yuan(value, shown):
    assert yuan(value) == shown


def test_yuan_in_a_template():
    html = Template("{% load bangfu_format %}{{ a|yuan }}").render(
        Context({"a": Decimal("1500000")})
    )
    assert html == "1,500,000.00"
