from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bangfu.core.request import request_user
from bangfu.registry.selectors import registry_summary_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    summary = registry_summary_for_user(user=request_user(request))
    return render(request, "core/home.html", {"summary": summary})
