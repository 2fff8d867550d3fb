from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from bangfu.accounts.request import request_user
from bangfu.overview.dashboard import dashboard_for_user
from bangfu.overview.goals import coverage_trend_for_user, headline_goals_for_user
from bangfu.overview.selectors import MapMetric, county_map_for_user
from bangfu.partnerships.selectors import today_local


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The role-aware dashboard (F10): what needs attention today, scoped to the user."""
    return render(
        request, "overview/home.html", {"d": dashboard_for_user(user=request_user(request))}
    )


@login_required
def goals_panel(request: HttpRequest) -> HttpResponse:
    """The headline goals with their monthly trend, the month's activities and the agreements
    behind on a measure — loaded by the home page after it has shown (htmx), so the home page
    itself stays one cheap read."""
    user = request_user(request)
    day = today_local()
    trend = coverage_trend_for_user(user=user, day=day)
    goals = headline_goals_for_user(user=user, day=day)
    chart = {"months": [t.month for t in trend], "covered": [t.covered for t in trend]}
    return render(
        request,
        "overview/_goals_panel.html",
        {"goals": goals, "trend": trend, "chart": chart, "day": day},
    )


@login_required
def county_map(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("metric", MapMetric.COVERAGE.value)
    metric = MapMetric(raw) if raw in MapMetric._value2member_map_ else MapMetric.COVERAGE
    county_map_ = county_map_for_user(user=request_user(request), metric=metric, day=today_local())
    data = {
        "metric": metric.value,
        "metric_label": metric.label,
        "value_max": 100 if metric.percent else None,
        "legend": county_map_.legend,
        "prefectures": county_map_.prefecture_codes,
        "cells": [
            {
                "code": c.code,
                "name": c.name,
                "value": c.value,
                "label": c.label,
                "url": reverse("registry:county_detail", args=[c.code]),
            }
            for c in county_map_.cells
        ],
    }
    return render(
        request,
        "overview/county_map.html",
        {
            "map": county_map_,
            "map_data": data,
            "metrics": list(MapMetric),
            "metric": metric,
        },
    )
