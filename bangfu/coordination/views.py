from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from bangfu.accounts.request import request_user
from bangfu.coordination.domain.meetings import TASK_STATUS_LABELS, TaskStatus, task_status
from bangfu.coordination.forms import (
    DECISION_ROWS,
    MeetingForm,
    TaskDoneForm,
    service_errors_on_form,
)
from bangfu.coordination.models import FollowUpTask
from bangfu.coordination.selectors import (
    meeting_get_for_user,
    meeting_list_for_user,
    meeting_tasks_for_user,
    task_get_for_user,
    task_list_for_user,
)
from bangfu.coordination.services import (
    RECORDING_ROLES,
    meeting_attachment_add,
    meeting_can_attach,
    meeting_create,
    task_can_complete,
    task_mark_done,
)
from bangfu.core.excel import xlsx_response
from bangfu.core.forms import form_submit
from bangfu.core.request import query_without_page
from bangfu.core.uploads import upload_size_checked


def _task_rows(tasks: list[FollowUpTask], user: object) -> list[dict[str, object]]:
    today = timezone.localdate()
    return [
        {
            "task": task,
            "status": task_status(task.due, task.done_on, today),
            "can_complete": task.done_on is None and task_can_complete(user, task),  # type: ignore[arg-type]
        }
        for task in tasks
    ]


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    meetings = meeting_list_for_user(user=user)
    page = Paginator(meetings, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/meeting_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "can_record": user.role in RECORDING_ROLES,
        },
    )


@login_required
def meeting_export(request: HttpRequest) -> HttpResponse:
    meetings = meeting_list_for_user(user=request_user(request))
    rows = (
        [
            m.held_on,
            m.get_kind_display(),
            m.get_level_display(),
            m.title,
            str(m.partnership or m.county or m.prefecture or "全省"),
            m.place,
        ]
        for m in meetings
    )
    return xlsx_response(
        "会商与督导.xlsx", "会商与督导", ["日期", "类型", "层级", "标题", "所涉对象", "地点"], rows
    )


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = request_user(request)
    meeting = meeting_get_for_user(user=user, meeting_id=meeting_id)
    tasks = list(meeting_tasks_for_user(user=user, meeting=meeting))
    return render(
        request,
        "coordination/meeting_detail.html",
        {
            "meeting": meeting,
            "task_rows": _task_rows(tasks, user),
            "can_attach": meeting_can_attach(user, meeting),
        },
    )


@login_required
@require_POST
@upload_size_checked({"file": "会议附件"})
def meeting_attachment_upload(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = request_user(request)
    meeting = meeting_get_for_user(user=user, meeting_id=meeting_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的文件")
    else:
        try:
            meeting_attachment_add(actor=user, meeting=meeting, upload=upload)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "附件已上传")
    return redirect("coordination:meeting_detail", meeting_id=meeting.pk)


@login_required
def meeting_attachment_file(
    request: HttpRequest, meeting_id: int, attachment_id: int
) -> FileResponse:
    """A meeting's file, to whoever reads the meeting (never a public media URL)."""
    meeting = meeting_get_for_user(user=request_user(request), meeting_id=meeting_id)
    attachment = meeting.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("未找到该附件")
    return FileResponse(
        attachment.file.open("rb"), filename=PurePath(attachment.file.name or "").name
    )


@login_required
def meeting_create_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.role not in RECORDING_ROLES:
        raise PermissionDenied("您的角色不能登记会商与督导")
    form = MeetingForm(request.POST or None, user=user)
    return form_submit(
        request,
        form,
        lambda _: meeting_create(actor=user, draft=form.draft()),
        done=lambda meeting: (
            "会议已登记，跟进任务已通知责任单位",
            reverse("coordination:meeting_detail", args=[meeting.pk]),
        ),
        errors=lambda exc: service_errors_on_form(form, exc),
        render_page=lambda status: render(
            request,
            "coordination/meeting_form.html",
            {"form": form, "decision_rows": DECISION_ROWS},
            status=status,
        ),
    )


def _task_filters(request: HttpRequest) -> tuple[bool, str]:
    mine = request.GET.get("mine", "1") == "1"
    status = request.GET.get("status", "")
    return mine, status if status in TaskStatus.__members__.values() else ""


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    mine, status = _task_filters(request)
    tasks = task_list_for_user(user=user, mine=mine, status=status, today=timezone.localdate())
    page = Paginator(tasks, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "coordination/task_list.html",
        {
            "page": page,
            "task_rows": _task_rows(list(page.object_list), user),
            "mine": mine,
            "status": status,
            "statuses": [(s.value, TASK_STATUS_LABELS[s]) for s in TaskStatus],
            "query": query_without_page(request),
            "done_form": TaskDoneForm(),
        },
    )


@login_required
def task_export(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    mine, status = _task_filters(request)
    today = timezone.localdate()
    tasks = task_list_for_user(user=user, mine=mine, status=status, today=today)
    rows = (
        [
            t.text,
            t.meeting.title,
            t.owner_institution.name if t.owner_institution else str(t.owner_user or ""),
            t.due,
            task_status(t.due, t.done_on, today).label,
            t.done_on,
            t.result_note,
        ]
        for t in tasks
    )
    headers = ["任务", "会议", "责任单位/责任人", "完成期限", "状态", "完成日期", "办理结果"]
    return xlsx_response("跟进任务.xlsx", "跟进任务", headers, rows)


@login_required
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    user = request_user(request)
    task = task_get_for_user(user=user, task_id=task_id)
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "；".join(str(e) for errors in form.errors.values() for e in errors)
        )
        return redirect("coordination:task_list")
    try:
        task_mark_done(
            actor=user,
            task=task,
            done_on=timezone.localdate(),
            result_note=form.cleaned_data["result_note"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "任务已办结")
    return redirect("coordination:task_list")
