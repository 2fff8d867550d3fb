"""The base of every form: Bootstrap styling and the input rules every field obeys.

`StyledForm` refuses, field by field and with a Chinese message next to the field:
- text containing control characters or lone surrogates (`bangfu.core.text`, the one rule);
- dates outside the programme window 2000-01-01–2100-12-31 (`bangfu.policy.domain.dates`),
  so no date that would overflow a cycle's arithmetic ever reaches a service;
- whole numbers beyond a 32-bit integer column when the field sets no tighter bound.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bangfu.core.text import forbidden_characters_message
from bangfu.policy.domain.dates import programme_date_problem

# The range of an integer column (IntegerField, PositiveIntegerField on PostgreSQL and SQLite).
INTEGER_COLUMN_MAX = 2_147_483_647
INTEGER_COLUMN_MIN = -2_147_483_648
# The largest value of a PositiveSmallIntegerField column on PostgreSQL (batch, attendees, capacity).
SMALL_INTEGER_MAX = 32_767


class DateInput(forms.DateInput):
    """A browser date picker (`<input type="date">`). Browsers read only ISO dates, and the
    Chinese locale would render 2025/01/01 — an edit page would show the date as blank."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def refuse_forbidden_characters(value: object) -> None:
    """Validator: text (or each text of a list) without control characters or lone surrogates."""
    texts = value if isinstance(value, (list, tuple)) else [value]
    for text in texts:
        if isinstance(text, str) and (message := forbidden_characters_message(text)):
            raise ValidationError(message, code="forbidden_characters")


def refuse_implausible_date(value: object) -> None:
    """Validator: a programme date within 2000-01-01–2100-12-31 (`policy.domain.dates`)."""
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and (message := programme_date_problem(day)):
        raise ValidationError(message, code="date_out_of_range")


def _input_rules(field: forms.Field) -> list[Callable[[Any], None]]:
    """The validators every field of this kind gets, beyond those it declares."""
    if isinstance(field, (forms.DateField, forms.DateTimeField)):
        return [refuse_implausible_date]
    if isinstance(field, forms.IntegerField):
        rules: list[Callable[[Any], None]] = []
        if field.max_value is None:
            rules.append(MaxValueValidator(INTEGER_COLUMN_MAX))
        if field.min_value is None:
            rules.append(MinValueValidator(INTEGER_COLUMN_MIN))
        return rules
    if isinstance(field, (forms.CharField, forms.ChoiceField)):
        return [refuse_forbidden_characters]
    return []


def apply_input_rules(form: forms.BaseForm) -> None:
    """Give every field of `form` its input rules once (fields added after `__init__` too).

    The Chinese control-character message replaces Django's NUL-only check on text fields."""
    for field in form.fields.values():
        if getattr(field, "_bangfu_input_rules", False):
            continue
        field.validators = [
            v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        field.validators.extend(_input_rules(field))
        field._bangfu_input_rules = True  # type: ignore[attr-defined]


class StyledForm(forms.Form):
    """Adds Bootstrap classes to every widget, so templates can render `{{ field }}`, and checks
    every field against the platform's input rules (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        apply_input_rules(self)
        super().full_clean()


# ---- forms whose data goes to a service, and the one POST flow for them ----


class ServiceForm(StyledForm):
    """A form whose data goes to a service; the service's field errors come back onto it."""

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's `ValidationError` on `form`: each key's messages next to the field of
    that name; keys the form has no field for, and an error without keys, on the form as a
    whole — so no message is ever lost."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ChoiceLabelField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A model choice named by the object's own `choice_label` (e.g. an expert with title and
    home hospital), so the app that owns the model decides how it reads in a list."""

    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "choice_label", obj))


FORM_PAGE_TEMPLATE = "core/form_page.html"

T = TypeVar("T")


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    back_url: str,
    submit: str = "保存",
    confirm: str = "",
    intro: str = "",
    multipart: bool = False,
    subnav: str = "",
    status: int = 200,
) -> HttpResponse:
    """The page a create/edit form renders into: `title`, the fields with their errors, a submit
    button (`submit`; `confirm` asks first), a 返回 link to `back_url`; `subnav` names a template
    included above the title (e.g. "people/_subnav.html")."""
    context = {
        "form": form,
        "title": title,
        "back_url": back_url,
        "submit": submit,
        "confirm": confirm,
        "intro": intro,
        "multipart": multipart,
        "subnav": subnav,
    }
    return render(request, FORM_PAGE_TEMPLATE, context, status=status)


def form_submit(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], T],
    *,
    done: Callable[[T], tuple[str, str]],
    render_page: Callable[[int], HttpResponse] | None = None,
    errors: Callable[[ValidationError], object] | None = None,
    title: str = "",
    back_url: str = "",
    **page: Any,
) -> HttpResponse:
    """The one GET/POST flow of a form whose data goes to one service call.

    On a valid POST, `save(form.cleaned_data)` calls the service (which validates, writes and
    audits in one transaction); on success the message of `done(result)` is flashed and the
    browser is redirected to its URL (post/redirect/get). A `ValidationError` from the service
    lands on the form (`errors(exc)`, by default `add_service_errors`: each key on its field,
    other keys and keyless errors on the form as a whole) and the page is shown again with
    status 400, as is an invalid form. A GET shows the empty or bound form with status 200.

    The page is `render_page(status)` when given — e.g. a detail page with the bound form in
    place of its empty one — else the standalone `form_page` with `title`, `back_url` and
    `page` (submit, confirm, intro, multipart, subnav).

    Example::

        return form_submit(
            request,
            TeamForm(request.POST or None),
            lambda data: team_create(actor=user, partnership=p, **data),
            done=lambda team: (f"已创建第{team.batch}批帮扶队", team_url(team)),
            title="新建帮扶队",
            back_url=back,
        )
    """
    if render_page is None and not (title and back_url):
        raise TypeError("form_submit needs render_page, or title and back_url for form_page")
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            if errors is None:
                add_service_errors(form, exc)
            else:
                errors(exc)
        else:
            message, url = done(result)
            messages.success(request, message)
            return redirect(url)
    status = 400 if request.method == "POST" else 200
    if render_page is not None:
        return render_page(status)
    return form_page(request, form, title=title, back_url=back_url, status=status, **page)
