"""How partnerships widen a helper hospital's scope (F12): it sees the recipients it partners with.

Partnerships arrive with issue #3; until then a helper sees only itself.
"""

from __future__ import annotations

from django.db.models import Q

from bangfu.accounts.scope import NOTHING


def partner_recipient_filter(helper_institution_id: int) -> Q:
    return NOTHING
