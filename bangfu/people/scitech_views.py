"""The 省科技厅's status buttons on S&T applications (§五): a POST from the department
workspace (or any page that shows the buttons `scitech_actions_for_user` offers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bangfu.accounts.request import request_user
from bangfu.people.department_selectors import scitech_application_get_for_user
from bangfu.people.scitech_services import scitech_application_set_status


@login_required
@require_POST
def scitech_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    application = scitech_application_get_for_user(user=user, pk=pk)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("people:department_services")
    try:
        application = scitech_application_set_status(
            actor=user,
            application=application,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", "")[:500],
        )
    except ValidationError as exc:
        # A refused change (incomplete, or the status moved on meanwhile) is shown on the page
        # the user came from; a change not theirs to make is a 403 (PermissionDenied).
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            f"科技项目“{application.project_title}”已更新为{application.get_status_display()}",
        )
    return redirect(target)
