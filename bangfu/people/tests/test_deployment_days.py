"""`deployments_with_days_in`: the one query of "a deployment with a day in a period" (on site on
a day, overlapping a year, a statement period or another deployment) equals the plain rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bangfu.people.models import Deployment, deployments_with_days_in

pytestmark = pytest.mark.django_db

ONE = timedelta(days=1)


def _has_day_in(d: Deployment, first: date, last: date) -> bool:
    return d.start <= last and d.effective_end >= first


def test_the_query_equals_the_rule_on_every_boundary_day():
    # Some end early (an actual end before the planned one), the others stay open: both
    # branches of the last day are exercised.
    for d in Deployment.objects.order_by("pk")[::3]:
        d.actual_end = d.start + (d.planned_end - d.start) / 2
        d.save(update_fields=["actual_end"])
    deployments = list(Deployment.objects.all())
    assert any(d.actual_end is not None for d in deployments)
    assert any(d.actual_end is None for d in deployments)
    days = sorted(
        {
            day + delta
            for d in deployments
            for day in (d.start, d.planned_end, d.actual_end)
            if day is not None
            for delta in (-ONE, timedelta(0), ONE)
        }
    )
    periods = [(day, day) for day in days] + [(a, b) for a, b in zip(days, days[5:], strict=False)]
    for first, last in periods[:: max(1, len(periods) // 150)]:
        expected = {d.pk for d in deployments if _has_day_in(d, first, last)}
        found = set(
            Deployment.objects.filter(deployments_with_days_in(first, last)).values_list(
                "pk", flat=True
            )
        )
        assert found == expected, (first, last)
