"""Who may read what: the one place where a user's role becomes a filter (F12).

Every selector that lists or fetches registry rows passes its queryset through the user's
`Scope`. Filters are expressed as sub-queries, so applying a scope costs no extra query and
never duplicates rows.

Scope per role (documented in docs/adr/0002-scopes.md):
- province officer, department observer: the whole province and the helper directory;
- prefecture officer: its prefecture, its counties, their institutions and its leading hospitals,
  plus the helper directory (it coordinates matching, §三(二)–(三));
- county officer: its county and the county's institutions, plus the helper directory;
- recipient-hospital user, expert: their own institution (and its county and prefecture);
- helper-hospital user: its own institution and the recipients it partners with.

The scope lives in registry (it filters registry rows) and sits below partnerships: the apps above
that widen a role's institutions register a widening in their `AppConfig.ready()` (partnerships:
a helper hospital's partner recipients), see ADR 0019.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from bangfu.accounts.models import Role, User
from bangfu.registry.models import County, Institution, InstitutionCategory, Prefecture

NOTHING = Q(pk__in=[])


def related_in(lookup: str, rows: QuerySet[Any]) -> Q:
    """Rows whose non-null foreign key `lookup` points at one of `rows`.

    A semi-join (`lookup__in` a sub-query), except when `rows` is a whole table without a filter
    (the province's scope): then no filter at all, since every non-null key points at a row of
    the table. Without this, PostgreSQL hash-joins the whole related table into every count and
    page of a province-wide list (bench/README.md, issue #13).
    """
    if not rows.query.where:
        return Q()
    return Q(**{f"{lookup}__in": rows})


# The institutions, beyond its own, that an institution-bound role sees: a filter on Institution
# from the user's institution id. Registered by the apps above registry, per role and name.
InstitutionWidening = Callable[[int], Q]
_WIDENINGS: dict[str, dict[str, InstitutionWidening]] = {}


def institution_widening_register(*, role: str, name: str, widening: InstitutionWidening) -> None:
    """Let `role` also see the institutions `widening` gives (registering a name again
    replaces it: `ready()` may run more than once)."""
    _WIDENINGS.setdefault(role, {})[name] = widening


@dataclass(frozen=True)
class Scope:
    role: str
    whole_province: bool
    prefecture_id: int | None
    county_id: int | None
    institution_id: int | None
    helper_directory: bool

    @property
    def can_edit_registry(self) -> bool:
        return self.role == Role.PROVINCE

    def _institution_ids(self) -> QuerySet[Institution, Any]:
        """The institutions granted one by one (own + partners), as a sub-query of ids."""
        if self.institution_id is None:
            return Institution.objects.none()
        ids = Q(pk=self.institution_id)
        for widening in _WIDENINGS.get(self.role, {}).values():
            ids |= widening(self.institution_id)
        return Institution.objects.filter(ids).values("pk")

    def institution_filter(self) -> Q:
        if self.whole_province:
            return Q()
        q = NOTHING
        if self.prefecture_id is not None:
            q |= Q(county__prefecture_id=self.prefecture_id) | Q(
                county__isnull=True, prefecture_id=self.prefecture_id
            )
        if self.county_id is not None:
            q |= Q(county_id=self.county_id)
        if self.institution_id is not None:
            q |= Q(pk__in=self._institution_ids())
        if self.helper_directory:
            q |= Q(category=InstitutionCategory.HELPER)
        return q

    def county_filter(self) -> Q:
        if self.whole_province:
            return Q()
        q = NOTHING
        if self.prefecture_id is not None:
            q |= Q(prefecture_id=self.prefecture_id)
        if self.county_id is not None:
            q |= Q(pk=self.county_id)
        if self.institution_id is not None:
            q |= Q(
                pk__in=Institution.objects.filter(
                    pk__in=self._institution_ids(), county__isnull=False
                ).values("county_id")
            )
        return q

    def prefecture_filter(self) -> Q:
        if self.whole_province:
            return Q()
        return Q(pk__in=County.objects.filter(self.county_filter()).values("prefecture_id")) | (
            Q(pk=self.prefecture_id) if self.prefecture_id is not None else NOTHING
        )

    def prefectures(self, qs: QuerySet[Prefecture]) -> QuerySet[Prefecture]:
        return qs.filter(self.prefecture_filter())

    def counties(self, qs: QuerySet[County]) -> QuerySet[County]:
        return qs.filter(self.county_filter())

    def institutions(self, qs: QuerySet[Institution]) -> QuerySet[Institution]:
        return qs.filter(self.institution_filter())


def scope_for_user(user: User) -> Scope:
    """The scope of an authenticated, active user. Inactive or anonymous users see nothing."""
    cached: Scope | None = getattr(user, "_bangfu_scope", None)
    if cached is not None:
        return cached
    role = user.role if user.is_active else ""
    scope = Scope(
        role=role,
        whole_province=role in (Role.PROVINCE, Role.OBSERVER),
        prefecture_id=user.prefecture_id if role == Role.PREFECTURE else None,
        county_id=user.county_id if role == Role.COUNTY else None,
        institution_id=user.institution_id
        if role in (Role.RECIPIENT, Role.HELPER, Role.EXPERT)
        else None,
        helper_directory=role in (Role.PROVINCE, Role.OBSERVER, Role.PREFECTURE, Role.COUNTY),
    )
    user._bangfu_scope = scope  # type: ignore[attr-defined]
    return scope
