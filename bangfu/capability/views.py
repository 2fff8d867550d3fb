"""Capability pages: the standard share by prefecture with the hospitals closest to passing, a
hospital's indicators for a year (entered by the hospital, confirmed by the county), Excel
template and import."""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from bangfu.accounts.request import request_user
from bangfu.capability.forms import HospitalYearForm, ImportForm, YearForm
from bangfu.capability.selectors import (
    PlanYear,
    capability_catalogue,
    capability_summary,
    hospital_standings,
    hospital_year_for_user,
    plan_gaps_for_user,
    plan_year_for_user,
    recipient_get_for_user,
    summary_year,
    year_choices,
)
from bangfu.capability.services import (
    CapabilityImportResult,
    capability_import_file,
    capability_values_confirm,
    capability_values_save,
    county_plan_year_save,
)
from bangfu.capability.spreadsheets import capability_template_bytes
from bangfu.core.forms import form_submit
from bangfu.core.request import query_without_page
from bangfu.partnerships.selectors import today_local
from bangfu.registry.scope import scope_for_user

YEAR_MIN, YEAR_MAX = 2000, 2100


def _year_in_range(year: int) -> None:
    """URL years outside the programme's date range are not pages (404, not a 500 from a date)."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404("年度超出范围")


def _year(request: HttpRequest) -> tuple[YearForm, int]:
    years = year_choices()
    default = summary_year(today_local())
    form = YearForm(request.GET or None, years=years)
    year = form.cleaned_data["year"] if form.is_valid() else default
    if not form.is_bound:
        form = YearForm(initial={"year": year}, years=years)
    return form, year


@login_required
def summary_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form, year = _year(request)
    prefecture = request.GET.get("prefecture", "")[:12]
    summary = capability_summary(year=year, user=user, prefecture=prefecture)
    # Every assisted hospital, 50 a page, paged in SQL (ADR 0021).
    page = Paginator(summary.hospitals(), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "capability/summary.html",
        {
            "form": form,
            "year": year,
            "prefecture": prefecture,
            "summary": summary,
            "by_prefecture": summary.by_prefecture(),
            "page": page,
            "standings": hospital_standings(page.object_list, summary.catalogue),
            "query": query_without_page(request),
            "closest": summary.closest_to_passing(),
            "catalogue": capability_catalogue(),
            "own_institution_id": scope_for_user(user).institution_id,
        },
    )


@login_required
def hospital_page(request: HttpRequest, institution_id: int, year: int) -> HttpResponse:
    _year_in_range(year)
    user = request_user(request)
    hy = hospital_year_for_user(user=user, institution_id=institution_id, year=year)
    return render(request, "capability/hospital.html", {"hy": hy, "years": year_choices()})


@login_required
def hospital_edit(request: HttpRequest, institution_id: int, year: int) -> HttpResponse:
    _year_in_range(year)
    user = request_user(request)
    hy = hospital_year_for_user(user=user, institution_id=institution_id, year=year)
    if not hy.can_enter:
        messages.error(request, "只有本院用户可以填报本院的能力指标")
        return redirect("capability:hospital", institution_id=institution_id, year=year)
    indicators = hy.catalogue.for_type(hy.institution.institution_type)
    evidence = {code: row.evidence for code, row in hy.rows.items()}
    form = HospitalYearForm(
        request.POST or None, indicators=indicators, values=hy.values, evidence=evidence
    )

    def save(_: dict[str, Any]) -> None:
        values, notes = form.entered()
        capability_values_save(
            actor=user, institution=hy.institution, year=year, values=values, evidence=notes
        )

    return form_submit(
        request,
        form,
        save,
        done=lambda _: (
            f"{year} 年能力指标已保存",
            reverse("capability:hospital", args=[institution_id, year]),
        ),
        render_page=lambda status: render(
            request, "capability/hospital_edit.html", {"hy": hy, "form": form}, status=status
        ),
    )


@login_required
@require_POST
def hospital_confirm(request: HttpRequest, institution_id: int, year: int) -> HttpResponse:
    _year_in_range(year)
    user = request_user(request)
    institution = recipient_get_for_user(user=user, institution_id=institution_id)
    try:
        count = capability_values_confirm(actor=user, institution=institution, year=year)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已确认 {count} 项指标值")
    return redirect("capability:hospital", institution_id=institution_id, year=year)


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    _, year = _year(request)
    institution_id = scope_for_user(user).institution_id
    institution = None
    if institution_id is not None:
        institution = recipient_get_for_user(user=user, institution_id=institution_id)
    body = capability_template_bytes(capability_catalogue(), institution=institution, year=year)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="capability_template.xlsx"'
    return response


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result: CapabilityImportResult | None = None
    if request.method == "POST" and form.is_valid():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
            for chunk in form.cleaned_data["file"].chunks():
                handle.write(chunk)
            handle.flush()
            result = capability_import_file(actor=user, path=handle.name)
        if result.ok:
            c = result.counts
            messages.success(
                request,
                f"导入完成：新增 {c.get('created', 0)} 项，修改 {c.get('updated', 0)} 项，"
                f"未变 {c.get('unchanged', 0)} 项",
            )
            return redirect("capability:summary")
    return render(request, "capability/import.html", {"form": form, "result": result})


# ---- county plans: yearly targets, progress, review and versions ----

NEW_INDICATOR_ROWS = 3


def _plan_year_input(
    request: HttpRequest, py: PlanYear
) -> tuple[dict[str, object], dict[str, object], str]:
    measures: dict[str, object] = {
        m.code: request.POST.get(f"measure_{m.code}", "") for m in py.measures
    }
    indicators: dict[str, object] = {
        row.indicator.code: request.POST.get(f"indicator_{row.indicator.code}", "")
        for row in py.indicators
    }
    for n in range(NEW_INDICATOR_ROWS):
        code = request.POST.get(f"new_code_{n}", "").strip()[:12]
        if code:
            indicators[code] = request.POST.get(f"new_value_{n}", "")
    return measures, indicators, request.POST.get("review_note", "")


@login_required
def plan_year_page(request: HttpRequest, plan_id: int, year: int) -> HttpResponse:
    _year_in_range(year)
    user = request_user(request)
    py = plan_year_for_user(user=user, plan_id=plan_id, year=year)
    errors: list[str] = []
    if request.method == "POST":
        if not py.can_edit:
            raise PermissionDenied("只有本县及上级卫生健康部门可以调整一县一方案")
        measures, indicators, note = _plan_year_input(request, py)
        try:
            county_plan_year_save(
                actor=user,
                plan=py.plan,
                year=year,
                measure_targets=measures,
                indicator_targets=indicators,
                review_note=note,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"{year} 年目标已保存，原方案已保留为历史版本")
            return redirect("capability:plan_year", plan_id=plan_id, year=year)
    years = list(range(py.plan.cycle_start.year, py.plan.cycle_end.year + 1))
    return render(
        request,
        "capability/plan_year.html",
        {
            "py": py,
            "years": years,
            "errors": errors,
            "new_rows": range(NEW_INDICATOR_ROWS),
            "catalogue": py.catalogue,
            "indicator_choices": py.catalogue.entered_indicators(),
        },
    )


@login_required
def plan_gaps_page(request: HttpRequest) -> HttpResponse:
    gaps = plan_gaps_for_user(user=request_user(request), today=today_local())
    return render(request, "capability/plan_gaps.html", {"gaps": gaps})
