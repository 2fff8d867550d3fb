from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from bangfu.accounts.request import request_user
from bangfu.core.request import query_without_page
from bangfu.jobs.services import job_start
from bangfu.overview.forms import ReportForm
from bangfu.overview.report_selectors import report_get_for_user, report_list_for_user
from bangfu.overview.tasks import report_job
from bangfu.partnerships.selectors import today_local
from bangfu.registry.selectors import prefecture_list_for_user


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    prefectures = list(prefecture_list_for_user(user=user).order_by("code"))
    today = today_local()
    initial = {"period": f"{today.year}-{today.month:02d}", "format": "pdf"}
    form = ReportForm(request.POST or None, prefectures=prefectures, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = next((p.name for p in prefectures if p.code == data["prefecture"]), "")
        job = job_start(
            actor=user,
            kind="report",
            title=f"工作报告 {data['period']} {scope or '全部'}（{data['format']}）",
            task=report_job,
            params={
                "period": data["period"],
                "prefecture": data["prefecture"],
                "format": data["format"],
            },
        )
        return redirect("jobs:job_detail", job_id=job.pk)
    reports = report_list_for_user(user=user)
    page = Paginator(reports, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "overview/report_page.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


@login_required
def report_download(request: HttpRequest, report_id: int) -> FileResponse:
    report = report_get_for_user(user=request_user(request), report_id=report_id)
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404("报告文件已不存在") from None
    return FileResponse(handle, as_attachment=True, filename=report.filename)
