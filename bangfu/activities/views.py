"""Pages of activities and progress (F8): list, export, detail with confirm, the record form
(phone width), evidence, the Excel template and import with preview, progress pages.

Views authenticate, parse a form, call one selector or service and render. Reads go through the
scoped selectors (out of scope → 404); writes through the services (bad input → the form again
with the messages, status 400; not allowed → 403).
"""

from __future__ import annotations

import json
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bangfu.accounts.models import User
from bangfu.accounts.request import request_user
from bangfu.activities.domain.progress import ProgressStatus
from bangfu.activities.forms import (
    ActivityFilterForm,
    ActivityForm,
    EvidenceForm,
    ImportForm,
    YearForm,
)
from bangfu.activities.models import Activity
from bangfu.activities.selectors import (
    activity_catalogue,
    activity_change_problem,
    activity_confirm_problem,
    activity_get_for_user,
    activity_list_for_user,
    agreement_in_force_on,
    partnership_progress,
    partnership_readable_get,
    progress_rows_for_user,
    progress_summary_for_user,
    today_local,
    writable_partnerships_for_user,
)
from bangfu.activities.services import (
    ActivityImportResult,
    activity_confirm,
    activity_create,
    activity_delete,
    activity_evidence_add,
    activity_import_file,
)
from bangfu.activities.spreadsheets import activity_template_bytes
from bangfu.activities.tasks import activity_import_job_start, sheet_row_count
from bangfu.core.excel import XLSX, xlsx_stream_response
from bangfu.core.forms import form_submit
from bangfu.core.request import id_from_query, query_without_page
from bangfu.core.selectors import audit_list_for_object
from bangfu.core.uploads import upload_size_checked
from bangfu.policy.loader import load_policy

# Files up to this many rows are imported inside the request; larger ones need a background job.
SYNC_IMPORT_MAX_ROWS = 5000
EXPORT_MAX_ROWS = 100_000


def _kind_names() -> dict[str, str]:
    return {k.code: k.name for k in activity_catalogue().kinds}


def _quantities_text(activity: Activity) -> str:
    kind = activity_catalogue().kind(activity.kind)
    if kind is None:
        return json.dumps(activity.quantities, ensure_ascii=False)
    parts = []
    for quantity in kind.quantities:
        if quantity.name in activity.quantities:
            parts.append(f"{quantity.label} {activity.quantities[quantity.name]}{quantity.unit}")
    return "，".join(parts)


@dataclass(frozen=True)
class ActivityItem:
    activity: Activity
    kind_name: str
    quantities: str


def _items(activities: list[Activity]) -> list[ActivityItem]:
    names = _kind_names()
    return [ActivityItem(a, names.get(a.kind, a.kind), _quantities_text(a)) for a in activities]


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ActivityFilterForm(request.GET, user=user, catalogue=activity_catalogue())
    activities = activity_list_for_user(user=user, filters=form.filters())
    page = Paginator(activities, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/activity_list.html",
        {
            "form": form,
            "page": page,
            "items": _items(list(page.object_list)),
            "query": query_without_page(request),
            "can_record": writable_partnerships_for_user(user).exists(),
        },
    )


@login_required
def activity_export(request: HttpRequest) -> FileResponse:
    user = request_user(request)
    form = ActivityFilterForm(request.GET, user=user, catalogue=activity_catalogue())
    activities = activity_list_for_user(user=user, filters=form.filters())[:EXPORT_MAX_ROWS]
    names = _kind_names()
    headers = [
        "编号",
        "帮扶关系编号",
        "帮扶医院",
        "受扶医院",
        "县",
        "日期",
        "活动类型",
        "数量",
        "科室/专科",
        "标题",
        "填报方",
        "确认状态",
        "确认时间",
        "外部编号",
    ]
    rows = (
        [
            a.pk,
            a.partnership_id,
            a.partnership.helper.name,
            a.partnership.recipient.name,
            a.partnership.recipient.county.name if a.partnership.recipient.county else "",
            a.date,
            names.get(a.kind, a.kind),
            _quantities_text(a),
            a.department,
            a.title,
            a.get_recorded_side_display(),
            "已确认" if a.is_confirmed else "待确认",
            a.confirmed_at.astimezone().strftime("%Y-%m-%d %H:%M") if a.confirmed_at else "",
            a.external_id,
        ]
        for a in activities.iterator(chunk_size=2000)
    )
    # Streamed (core.excel): rows are written as the chunked query yields them.
    return xlsx_stream_response("帮扶活动.xlsx", "帮扶活动", headers, rows)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = activity_get_for_user(user=user, pk=pk)
    kind = activity_catalogue().kind(activity.kind)
    attributes = []
    if kind is not None:
        for key, value in activity.attributes.items():
            attribute = kind.attribute(key)
            attributes.append((attribute.label if attribute else key, value))
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "kind_name": kind.name if kind else activity.kind,
            "quantities": _quantities_text(activity),
            "attributes": attributes,
            "agreement": agreement_in_force_on(
                activity.partnership.agreements.all(), activity.date
            ),
            "confirm_problem": activity_confirm_problem(user, activity),
            "change_problem": activity_change_problem(user, activity),
            "evidence_form": EvidenceForm(),
            "history": audit_list_for_object(obj=activity),
        },
    )


def _form(request: HttpRequest, user: User) -> ActivityForm:
    partnerships = writable_partnerships_for_user(user)
    initial = {}
    chosen = id_from_query(request.GET.get("partnership"))
    if chosen is not None:
        initial["partnership"] = chosen
    elif partnerships.count() == 1:
        first = partnerships.first()
        if first is not None:
            initial["partnership"] = first.pk
    return ActivityForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        partnerships=partnerships,
        catalogue=activity_catalogue(),
    )


@login_required
@upload_size_checked({"evidence": "佐证材料"})
@require_http_methods(["GET", "POST"])
def activity_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not writable_partnerships_for_user(user).exists():
        raise PermissionDenied("您没有可填报活动的帮扶关系")
    form = _form(request, user)

    def save(data: dict[str, Any]) -> Activity:
        activity = activity_create(
            actor=user, partnership=data["partnership"], data=form.activity_input()
        )
        if upload := data.get("evidence"):
            activity_evidence_add(actor=user, activity=activity, upload=upload)
        return activity

    return form_submit(
        request,
        form,
        save,
        done=lambda activity: (
            "活动已填报，待另一方确认",
            reverse("activities:activity_detail", args=[activity.pk]),
        ),
        render_page=lambda status: render(
            request,
            "activities/activity_form.html",
            {"form": form, "kinds": activity_catalogue().kinds},
            status=status,
        ),
    )


@login_required
@require_POST
def activity_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = activity_get_for_user(user=user, pk=pk)
    activity_confirm(actor=user, activity=activity)
    messages.success(request, "已确认该活动")
    return redirect("activities:activity_detail", pk=pk)


@login_required
@require_POST
def activity_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = activity_get_for_user(user=user, pk=pk)
    activity_delete(actor=user, activity=activity)
    messages.success(request, "活动已删除")
    return redirect("activities:activity_list")


@login_required
@upload_size_checked({"file": "佐证材料"})
@require_POST
def activity_evidence_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    activity = activity_get_for_user(user=user, pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            activity_evidence_add(actor=user, activity=activity, upload=form.cleaned_data["file"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, "佐证材料已上传")
    else:
        messages.error(request, "请选择要上传的文件")
    return redirect("activities:activity_detail", pk=pk)


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> HttpResponse:
    activity = activity_get_for_user(user=request_user(request), pk=pk)
    evidence = next((e for e in activity.evidence.all() if e.pk == evidence_id), None)
    if evidence is None:
        raise Http404("未找到该佐证材料")
    with evidence.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---- Excel template and import ----


@login_required
def activity_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(activity_template_bytes(activity_catalogue()), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''activity_template.xlsx"
    return response


def _upload_dir() -> Path:
    directory = Path(tempfile.gettempdir()) / "bangfu-activity-imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _pending_path(request: HttpRequest, token: str) -> Path | None:
    """The uploaded file kept between preview and import, owned by this session."""
    if not token.isalnum() or request.session.get("activity_import_token") != token:
        return None
    path = _upload_dir() / f"{token}.xlsx"
    return path if path.exists() else None


@login_required
@upload_size_checked({"file": "Excel "})
@require_http_methods(["GET", "POST"])
def activity_import_view(request: HttpRequest) -> HttpResponse:
    """Upload → preview (a dry run: every error, or the counts) → import the same file."""
    user = request_user(request)
    form = ImportForm()
    result: ActivityImportResult | None = None
    token = ""
    too_large = False
    if request.method == "POST" and request.POST.get("token"):
        path = _pending_path(request, request.POST["token"])
        if path is None:
            messages.error(request, "上传的文件已失效，请重新上传")
            return redirect("activities:activity_import")
        result = activity_import_file(actor=user, path=str(path), dry_run=False)
        path.unlink(missing_ok=True)
        request.session.pop("activity_import_token", None)
        if result.ok:
            messages.success(
                request,
                f"导入完成：新增 {result.created} 条，更新 {result.updated} 条，"
                f"未变 {result.unchanged} 条",
            )
            return redirect("activities:activity_list")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid() and sheet_row_count(form.cleaned_data["file"]) > SYNC_IMPORT_MAX_ROWS:
            # A large sheet is checked and imported by a background job (same all-or-nothing
            # rule); its progress and result stay on the job page.
            job = activity_import_job_start(actor=user, upload=form.cleaned_data["file"])
            return redirect("jobs:job_detail", job_id=job.pk)
        if form.is_valid():
            token = secrets.token_hex(16)
            path = _upload_dir() / f"{token}.xlsx"
            with path.open("wb") as handle:
                for chunk in form.cleaned_data["file"].chunks():
                    handle.write(chunk)
            result = activity_import_file(actor=user, path=str(path), dry_run=True)
            too_large = result.rows > SYNC_IMPORT_MAX_ROWS
            if result.ok and not too_large:
                request.session["activity_import_token"] = token
            else:
                path.unlink(missing_ok=True)
                token = ""
    status = 400 if result is not None and not result.ok else 200
    return render(
        request,
        "activities/activity_import.html",
        {
            "form": form,
            "result": result,
            "token": token,
            "too_large": too_large,
            "max_rows": SYNC_IMPORT_MAX_ROWS,
        },
        status=status,
    )


# ---- progress ----


def _year(request: HttpRequest) -> tuple[YearForm, int]:
    form = YearForm(request.GET)
    year = today_local().year
    if form.is_valid() and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
    return form, year


def _measure_titles() -> dict[str, str]:
    return {m.code: f"{m.clause} {m.title}" for m in load_policy().measures}


@login_required
def partnership_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    form, year = _year(request)
    partnership = partnership_readable_get(user=user, pk=pk)
    rows = partnership_progress(user=user, pk=pk, year=year)
    return render(
        request,
        "activities/partnership_progress.html",
        {
            "form": form,
            "year": year,
            "partnership": partnership,
            "rows": rows,
            "titles": _measure_titles(),
        },
    )


@login_required
def progress_overview(request: HttpRequest) -> HttpResponse:
    """Per prefecture (default) or per county: agreements and how many are behind on which
    measure; with ``county`` the agreements of that county one by one."""
    user = request_user(request)
    form, year = _year(request)
    county = request.GET.get("county", "")[:12]
    by = "county" if request.GET.get("by") == "county" else "prefecture"
    # The summary from the stored agreement-years in SQL (ADR 0020); a county's agreements one
    # by one computed (a county has few).
    summary = progress_summary_for_user(user=user, year=year, by=by, county=county)
    rows = progress_rows_for_user(user=user, year=year, county=county) if county else []
    measure_codes = sorted({c for s in summary for c in (*s.behind, *s.no_record)})
    table = [
        (s, [(s.behind.get(c, 0), s.no_record.get(c, 0)) for c in measure_codes]) for s in summary
    ]
    return render(
        request,
        "activities/progress_overview.html",
        {
            "form": form,
            "year": year,
            "by": by,
            "county": county,
            "table": table,
            "rows": rows,
            "measure_codes": measure_codes,
            "titles": _measure_titles(),
            "behind": ProgressStatus.BEHIND,
        },
    )
