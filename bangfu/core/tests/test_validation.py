from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError

from bangfu.core.validation import raise_if_any


@dataclass(frozen=True)
class _Issue:
    field: str
    message: str


def test_no_issues_raises_nothing():
    raise_if_any([])
    raise_if_any(iter(()))


def test_issues_are_grouped_by_field_in_order_and_repeats_dropped():
    with pytest.raises(ValidationError) as caught:
        raise_if_any(
            [
                ("start", "开始日期不能晚于结束日期"),
                _Issue("end", "结束日期超出协议期限"),
                ("start", "开始日期早于协议生效日"),
                _Issue("start", "开始日期不能晚于结束日期"),
            ]
        )
    assert caught.value.message_dict == {
        "start": ["开始日期不能晚于结束日期", "开始日期早于协议生效日"],
        "end": ["结束日期超出协议期限"],
    }
