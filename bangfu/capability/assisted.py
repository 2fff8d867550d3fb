"""Which recipient hospitals are assisted in a year (§一), and their stored rows (ADR 0021):
the rule, and the rows it computes, written here and only here.

`assisted_q` is THE rule: a recipient is assisted in a year when, on some day of it, a
governing agreement of one of its partnerships counts toward the goal (in force, out-of-province
三甲 helper). `AssistedYear` holds a (recipient, year) exactly when `assisted_q` selects it: the
rows are the hospitals the rule itself selects, narrowed to the hospitals refreshed. The reads
(`selectors`) count over the rows, never over the agreements.

Years: those the refreshed hospitals' agreements span (the earliest start's year through the
latest end's). Outside them no agreement is in force on any day, so no year is left out, and
the programme's date window (`policy.domain.dates`), which bounds the agreements' dates, bounds
the years.

Kept in the writer's transaction. The inputs of the rule and who changes them:
- an agreement's dates, signature or termination (`partnerships.signals.agreement_changed`:
  create or renew, sign, terminate): its partnership's recipient is refreshed;
- a recipient's `category`, a helper's `province` or `grade` (registry's `institution_update`
  sends `registry.signals.institution_changed` with the changed fields): the institution and
  the recipients of every partnership it helps are refreshed;
- the policy's helper eligibility, and edits outside the services (the admin, SQL, bulk loads):
  `standings.standings_refresh_all` (`manage.py refresh_standings`; `--if-stale` at each start
  when the policy file changed) rebuilds every row with `assisted_refresh_all`.
The rows are derived, so writing them adds no audit row: the change that caused them has its
own.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from django.db import transaction
from django.db.models import Max, Min, Q

from bangfu.capability.models import AssistedYear
from bangfu.partnerships.models import Agreement, Partnership
from bangfu.partnerships.selectors import counting_helpers_q, in_force_during_q
from bangfu.registry.models import Institution, InstitutionCategory

BATCH = 2000


def assisted_q(year: int, helpers: Q, among: Collection[int] | None = None) -> Q:
    """A filter on Institution: recipients (of ``among``, ids, when given) with, on some day of
    ``year``, a governing agreement that counts toward the §一 goal (``helpers``:
    ``counting_helpers_q()``).

    A partnership is governed on some day of the year exactly when one of its agreements is in
    force on some day of it (``in_force_during_q``, in SQL); on such a day the governing
    agreement is in force, so its status is active or expiring, and it counts when the
    partnership's helper counts."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    agreements = Agreement.objects.filter(
        in_force_during_q(first, last),
        helpers,
        partnership__recipient__category=InstitutionCategory.RECIPIENT,
    )
    if among is not None:
        agreements = agreements.filter(partnership__recipient_id__in=among)
    return Q(pk__in=agreements.values("partnership__recipient_id"))


def _span(recipient_ids: list[int] | None) -> range:
    """The years the agreements (of these recipients, or of everyone) span."""
    agreements = Agreement.objects.all()
    if recipient_ids is not None:
        agreements = agreements.filter(partnership__recipient_id__in=recipient_ids)
    span = agreements.aggregate(first=Min("start"), last=Max("end"))
    if span["first"] is None:
        return range(0)
    return range(span["first"].year, span["last"].year + 1)


def _rewrite(recipient_ids: list[int] | None, year: int | None = None) -> int:
    """Rewrite the rows of these hospitals (None: of every hospital), of ``year`` or of every
    year, from the rule; returns the rows written."""
    helpers = counting_helpers_q()
    years = _span(recipient_ids)
    rows: list[AssistedYear] = []
    for y in years if year is None else [year]:
        hospitals = Institution.objects.filter(assisted_q(y, helpers, recipient_ids))
        rows.extend(
            AssistedYear(institution_id=pk, year=y)
            for pk in hospitals.order_by("pk").values_list("pk", flat=True)
        )
    old = AssistedYear.objects.all()
    if recipient_ids is not None:
        old = old.filter(institution_id__in=recipient_ids)
    if year is not None:
        old = old.filter(year=year)
    old.delete()  # the rows of years no agreement spans any more go too
    AssistedYear.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


@transaction.atomic
def assisted_refresh(institution_ids: Iterable[int]) -> int:
    """After an input of the rule changed for these hospitals (their agreements, their
    category, their helpers): their rows are rewritten. Returns the rows written."""
    ids = sorted(set(institution_ids))
    if not ids:
        return 0
    # One writer per hospital at a time (PostgreSQL): two transactions rewriting the same
    # hospital would otherwise both insert its rows.
    list(Institution.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
    return _rewrite(ids)


@transaction.atomic
def assisted_refresh_all(year: int | None = None) -> int:
    """Recompute every row (of ``year``, or of every year) from scratch: the load of existing
    data, the repair after edits outside the services, and the update after a change of the
    policy's helper eligibility. Returns the rows written. `standings_refresh_all` calls it."""
    return _rewrite(None, year)


def recipients_helped_by(helper_id: int) -> list[int]:
    """The recipients of every partnership ``helper_id`` helps."""
    return list(
        Partnership.objects.filter(helper_id=helper_id)
        .order_by()
        .values_list("recipient_id", flat=True)
        .distinct()
    )


# ---- receivers of partnerships' and registry's signals (connected in `CapabilityConfig.ready`) --

RULE_FIELDS = frozenset({"category", "province", "grade"})  # the institution's inputs of the rule


def on_agreement_changed(*, agreement: Agreement, **_: object) -> None:
    assisted_refresh([agreement.partnership.recipient_id])  # the services loaded the partnership


def on_institution_changed(
    *, institution: Institution, changed: frozenset[str] = frozenset(), **_: object
) -> None:
    if changed & RULE_FIELDS:
        assisted_refresh([institution.pk, *recipients_helped_by(institution.pk)])
