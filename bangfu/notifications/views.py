from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from bangfu.accounts.request import request_user
from bangfu.core.request import query_without_page
from bangfu.notifications.forms import EmailPreferencesForm
from bangfu.notifications.selectors import (
    email_choices_for_user,
    notification_get_for_user,
    notification_list_for_user,
)
from bangfu.notifications.services import (
    email_preferences_set,
    notification_mark_all_read,
    notification_mark_read,
)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    notifications = notification_list_for_user(user=request_user(request), unread=unread)
    page = Paginator(notifications, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": unread, "query": query_without_page(request)},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and go to the object it names (or back to the inbox)."""
    user = request_user(request)
    notification = notification_get_for_user(user=user, notification_id=notification_id)
    notification_mark_read(actor=user, notification=notification)
    target = notification.link
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notification_mark_all_read(actor=request_user(request))
    messages.success(request, f"已将 {count} 条通知标记为已读")
    return redirect("notifications:inbox")


@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = EmailPreferencesForm(
        request.POST or None, initial_choices=email_choices_for_user(user=user)
    )
    if request.method == "POST" and form.is_valid():
        email_preferences_set(actor=user, choices=form.choices())
        messages.success(request, "邮件通知设置已保存")
        return redirect("notifications:email_preferences")
    return render(
        request,
        "notifications/email_preferences.html",
        {"form": form, "has_email": bool(user.email)},
    )
