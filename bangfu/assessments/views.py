"""Pages of the yearly self-assessment (§七, issue #12): the status board per level (with the
province's 开启年度 button and the Excel export), the form with the review buttons, attachments,
and the assessment as .docx / PDF.

Views authenticate, parse a form, call one selector or service and render. Reads go through the
scoped selectors (out of scope → 404); writes through the services (bad input → the page again
with the messages, status 400; not allowed → 403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from bangfu.accounts.models import Role
from bangfu.accounts.request import request_user
from bangfu.assessments.documents import (
    AssessmentRenderError,
    assessment_document,
    render_assessment_docx,
    render_assessment_pdf,
)
from bangfu.assessments.domain.review import DECISION_LABELS, LEVEL_BY_CODE, Action, Status
from bangfu.assessments.forms import (
    ActionForm,
    AttachmentForm,
    HelperForm,
    OpenYearForm,
    RecipientForm,
    YearForm,
)
from bangfu.assessments.models import Assessment
from bangfu.assessments.selectors import (
    Editor,
    assessment_actions_for_user,
    assessment_board_for_user,
    assessment_editor,
    assessment_get_for_user,
    assessment_measure_rows,
    latest_comment,
    today_local,
)
from bangfu.assessments.services import (
    AssessmentChanges,
    assessment_act,
    assessment_attachment_add,
    assessment_update,
    assessment_year_open,
)
from bangfu.core.excel import xlsx_response
from bangfu.core.forms import form_submit
from bangfu.core.uploads import upload_size_checked
from bangfu.registry.scope import scope_for_user


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET or None)
    if form.is_bound and form.is_valid():
        year: int = form.cleaned_data["year"]
        return year
    return today_local().year - 1


@login_required
def board(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = _year(request)
    data = assessment_board_for_user(user=user, year=year)
    return render(
        request,
        "assessments/board.html",
        {
            "board": data,
            "year": year,
            "year_form": YearForm(initial={"year": year}),
            "open_form": OpenYearForm(initial={"year": year})
            if scope_for_user(user).role == Role.PROVINCE
            else None,
            "statuses": [(s.value, s.label, data.by_status[s.value]) for s in Status],
        },
    )


@login_required
@require_POST
def open_year(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if scope_for_user(user).role != Role.PROVINCE:
        raise PermissionDenied("只有省卫生健康委可以开启年度自查自评")
    form = OpenYearForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "；".join(str(e) for errors in form.errors.values() for e in errors)
        )
        return redirect("assessments:board")
    year = form.cleaned_data["year"]
    opened = assessment_year_open(actor=user, year=year, due_on=form.cleaned_data["due_on"])
    messages.success(
        request, f"{year} 年度自查自评已开启：新建 {opened.created} 份，已有 {opened.existing} 份"
    )
    return redirect(f"{reverse('assessments:board')}?year={year}")


EXPORT_HEADERS = (
    "编号",
    "年度",
    "县",
    "受扶医院",
    "帮扶医院",
    "状态",
    "截止日期",
    "逾期",
    "最近提交",
)


@login_required
def board_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    data = assessment_board_for_user(user=request_user(request), year=year)
    rows = []
    for row in data.rows:
        a = row.assessment
        partnership = a.agreement.partnership
        county = partnership.recipient.county
        rows.append(
            [
                a.pk,
                a.year,
                county.name if county else "",
                partnership.recipient.name,
                partnership.helper.name,
                Status(a.status).label,
                a.due_on,
                "是" if row.overdue else "",
                a.submitted_at.strftime("%Y-%m-%d %H:%M") if a.submitted_at else "",
            ]
        )
    return xlsx_response(f"assessments_{year}.xlsx", f"{year}年度自查自评", EXPORT_HEADERS, rows)


def _detail_context(request: HttpRequest, assessment: Assessment) -> dict[str, object]:
    user = request_user(request)
    rows = assessment_measure_rows(user=user, assessment=assessment)
    editor = assessment_editor(user, assessment)
    editable = Status(assessment.status) in (Status.DRAFT, Status.RETURNED)
    return {
        "assessment": assessment,
        "status_label": Status(assessment.status).label,
        "rows": rows,
        "editor": editor.value if editor else "",
        "editable": editable and editor is not None,
        "recipient_form": RecipientForm(
            measures=rows,
            initial={
                "results_text": assessment.results_text,
                "problems_text": assessment.problems_text,
                "next_steps_text": assessment.next_steps_text,
                **{f"rating_{r.code}": r.rating for r in rows},
            },
        ),
        "helper_form": HelperForm(initial={"helper_comments": assessment.helper_comments}),
        "action_form": ActionForm(),
        "attachment_form": AttachmentForm(),
        "actions": [(a.value, a.label) for a in assessment_actions_for_user(user, assessment)],
        "returned": latest_comment(assessment),
        "approvals": [
            {
                "level": LEVEL_BY_CODE[a.level].label if a.level in LEVEL_BY_CODE else a.level,
                "decision": DECISION_LABELS.get(a.decision, a.decision),
                "by": a.by,
                "at": a.at,
                "comment": a.comment,
            }
            for a in assessment.approvals.all()
        ],
    }


def _detail_url(pk: int) -> str:
    return reverse("assessments:assessment_detail", args=[pk])


def _detail_page(request: HttpRequest, context: dict[str, object]) -> Callable[[int], HttpResponse]:
    """The assessment page with `context` (its bound form in place), at a given status."""
    return lambda status: render(
        request, "assessments/assessment_detail.html", context, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_get_for_user(user=user, pk=pk)
    context = _detail_context(request, assessment)
    if request.method == "GET":
        return render(request, "assessments/assessment_detail.html", context)
    editor = assessment_editor(user, assessment)
    if editor is None:
        raise PermissionDenied("只有帮扶关系双方的医院可以填写自查自评")
    if editor is Editor.RECIPIENT:
        form: RecipientForm | HelperForm = RecipientForm(
            request.POST,
            measures=context["rows"],  # type: ignore[arg-type]
        )
        context["recipient_form"] = form
    else:
        form = HelperForm(request.POST)
        context["helper_form"] = form

    def save(data: dict[str, Any]) -> None:
        if isinstance(form, RecipientForm):
            changes = AssessmentChanges(
                ratings=form.ratings(),
                results_text=data["results_text"],
                problems_text=data["problems_text"],
                next_steps_text=data["next_steps_text"],
            )
        else:
            changes = AssessmentChanges(helper_comments=data["helper_comments"])
        assessment_update(actor=user, assessment=assessment, changes=changes)

    return form_submit(
        request,
        form,
        save,
        done=lambda _: ("已保存", _detail_url(pk)),
        render_page=_detail_page(request, context),
    )


@login_required
@require_POST
def assessment_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_get_for_user(user=user, pk=pk)
    try:
        chosen = Action(action)
    except ValueError as exc:
        raise Http404("未知的操作") from exc
    form = ActionForm(request.POST)

    def detail_with_form(status: int) -> HttpResponse:
        context = _detail_context(request, assessment_get_for_user(user=user, pk=pk))
        context["action_form"] = form  # the refused comment stays, with its error
        return render(request, "assessments/assessment_detail.html", context, status=status)

    return form_submit(
        request,
        form,
        lambda data: assessment_act(
            actor=user, assessment=assessment, action=chosen, comment=data["comment"]
        ),
        done=lambda _: (f"已{chosen.label}", reverse("assessments:assessment_detail", args=[pk])),
        render_page=detail_with_form,
    )


@login_required
@require_POST
@upload_size_checked({"file": "附件"})
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_get_for_user(user=user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    return form_submit(
        request,
        form,
        lambda data: assessment_attachment_add(
            actor=user, assessment=assessment, upload=data["file"]
        ),
        done=lambda _: ("附件已上传", _detail_url(pk)),
        render_page=lambda status: render(
            request,
            "assessments/assessment_detail.html",
            {**_detail_context(request, assessment), "attachment_form": form},
            status=status,
        ),
    )


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    assessment = assessment_get_for_user(user=request_user(request), pk=pk)
    attachment = assessment.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("未找到该附件")
    with attachment.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def assessment_docx(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_get_for_user(user=user, pk=pk)
    data = assessment_document(
        assessment, assessment_measure_rows(user=user, assessment=assessment)
    )
    response = HttpResponse(
        render_assessment_docx(data),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename=assessment_{assessment.year}_{pk}.docx"
    return response


@login_required
def assessment_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    assessment = assessment_get_for_user(user=user, pk=pk)
    data = assessment_document(
        assessment, assessment_measure_rows(user=user, assessment=assessment)
    )
    try:
        pdf = render_assessment_pdf(data)
    except AssessmentRenderError as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename=assessment_{assessment.year}_{pk}.pdf"
    return response
