"""How partnerships widens a helper hospital's scope (F12): it sees the recipients it partners with.

Registered with `registry.scope` in `PartnershipsConfig.ready()`."""

from __future__ import annotations

from django.db.models import Q

from bangfu.partnerships.models import Partnership


def partner_recipient_filter(helper_institution_id: int) -> Q:
    return Q(
        pk__in=Partnership.objects.filter(helper_id=helper_institution_id).values("recipient_id")
    )
