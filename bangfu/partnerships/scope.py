"""How partnerships widen a helper hospital's scope (F12): it sees the recipients it partners with."""

from __future__ import annotations

from django.db.models import Q


def partner_recipient_filter(helper_institution_id: int) -> Q:
    from bangfu.partnerships.models import Partnership

    return Q(
        pk__in=Partnership.objects.filter(helper_id=helper_institution_id).values("recipient_id")
    )
