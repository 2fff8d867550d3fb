from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bangfu.accounts.request import request_user
from bangfu.core.request import query_without_page
from bangfu.jobs.selectors import job_get_for_user, job_list_for_user


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = job_list_for_user(user=request_user(request))
    page = Paginator(jobs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "jobs/job_list.html", {"page": page, "query": query_without_page(request)}
    )


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get_for_user(user=request_user(request), job_id=job_id)
    # htmx polls the status block every 2 s until the job has finished.
    template = "jobs/_job_status.html" if request.htmx else "jobs/job_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})
