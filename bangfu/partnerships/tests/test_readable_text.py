"""Quotes are never doubled (issue #10: "措施““组团”…")."""

from __future__ import annotations

from bangfu.partnerships.domain.validation import quoted
from bangfu.policy.loader import load_policy


def test_a_title_that_starts_with_a_quote_nests_it():
    assert quoted("“组团”派驻医疗专家") == "“‘组团’派驻医疗专家”"
    assert quoted("师带徒") == "“师带徒”"


def test_no_measure_title_is_double_quoted_in_messages():
    for measure in load_policy().measures:
        assert "““" not in f"措施{quoted(measure.title)}"
