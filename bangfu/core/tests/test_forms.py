"""Shared form widgets."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import translation

from bangfu.core.forms import DateInput, StyledForm


class _Form(StyledForm):
    day = forms.DateField(widget=DateInput())


def test_date_input_renders_iso_dates_in_the_chinese_locale():
    """A browser's date picker shows nothing for 2025/03/01, so edit pages would lose dates."""
    with translation.override("zh-hans"):
        html = str(_Form(initial={"day": date(2025, 3, 1)})["day"])
    assert 'type="date"' in html
    assert 'value="2025-03-01"' in html


def test_date_input_reads_back_what_it_renders():
    form = _Form({"day": "2025-03-01"})
    assert form.is_valid()
    assert form.cleaned_data["day"] == date(2025, 3, 1)
