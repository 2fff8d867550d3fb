from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from bangfu.core.dashboard import dashboard_for_user
from bangfu.core.request import request_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"d": dashboard_for_user(user=request_user(request))})
