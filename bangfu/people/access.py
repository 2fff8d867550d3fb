"""Who may read and change experts, teams and deployments (F4, F12): the one place roles become filters.

Read scope (out of scope is "not found", never "forbidden"):
- province officer, department observer: everything;
- prefecture / county officer: experts deployed to recipient hospitals in their region;
- recipient-hospital user: experts of teams on partnerships where it is the recipient;
- helper-hospital user: experts it sent (home institution) or deployed on its partnerships;
- expert: their own record and deployments, and the teams and partnerships they are deployed in
  (read-only).

Sensitive fields (pay, identity number, phone number) may be read in full only by the expert, the
recipient hospital the expert serves (through a team of one of its partnerships) and the
province, and only on the expert's detail page or API detail (each view audited); lists and
exports mask them for everyone (ADR 0004).

Writes: experts are registered by the province or by the helper that sends them; teams and
deployments by the province or either party of the partnership; appointments, the ledger and
the outstanding flag by the province or the recipient that pays (§六); an expert records their
own travel claims and title applications.
"""

from __future__ import annotations

from django.db.models import BooleanField, Expression, Q, QuerySet, Value
from django.db.models.expressions import Case, When

from bangfu.accounts.models import Role, User
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.selectors import partnership_filter_for_user
from bangfu.people.models import Deployment, Expert, Team
from bangfu.registry.models import Institution, InstitutionCategory
from bangfu.registry.scope import NOTHING, scope_for_user


def recipients_in_scope(user: User) -> QuerySet[Institution]:
    return scope_for_user(user).institutions(
        Institution.objects.filter(category=InstitutionCategory.RECIPIENT)
    )


def expert_filter_for_user(user: User) -> Q:
    """Which experts a user may read (see the module docstring)."""
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if scope.role == Role.EXPERT:
        return Q(user_id=user.pk)
    if scope.role == Role.HELPER:
        deployed = Deployment.objects.filter(
            team__partnership__helper_id=scope.institution_id
        ).values("expert_id")
        return Q(home_institution_id=scope.institution_id) | Q(pk__in=deployed)
    if scope.role in (Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT):
        deployed = Deployment.objects.filter(
            team__partnership__recipient__in=recipients_in_scope(user)
        ).values("expert_id")
        return Q(pk__in=deployed)
    return NOTHING


def team_filter_for_user(user: User) -> Q:
    """Teams on partnerships the user may read; an expert the teams it is deployed in."""
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if scope.role == Role.EXPERT:
        return Q(pk__in=Deployment.objects.filter(expert__user_id=user.pk).values("team_id"))
    if not scope.role:
        return NOTHING
    return Q(partnership__in=Partnership.objects.filter(partnership_filter_for_user(user)))


def deployment_filter_for_user(user: User) -> Q:
    scope = scope_for_user(user)
    if scope.whole_province:
        return Q()
    if scope.role == Role.EXPERT:
        return Q(expert__user_id=user.pk)
    if scope.role == Role.HELPER:
        # Its partnerships' teams, or its own experts (deployed anywhere): each a semi-join on
        # the deployment's own key. As an OR across two joins, PostgreSQL hash-joined every
        # deployment, team, partnership and expert into each count and page (the helper's
        # ledger at ×50: 320 ms, bench/README.md).
        helper = scope.institution_id
        return Q(team__in=Team.objects.filter(partnership__helper_id=helper)) | Q(
            expert__in=Expert.objects.filter(home_institution_id=helper)
        )
    if scope.role in (Role.PREFECTURE, Role.COUNTY, Role.RECIPIENT):
        return Q(team__partnership__recipient__in=recipients_in_scope(user))
    return NOTHING


def sensitive_filter_for_user(user: User) -> Q:
    """Experts whose pay, identity number and phone number the user may read in full (ADR 0004):
    the province, the expert themself, the recipient hospital the expert serves (through a team
    of one of its partnerships). Everyone else reads them masked."""
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return Q()
    if scope.role == Role.EXPERT:
        return Q(user_id=user.pk)
    if scope.role == Role.RECIPIENT:
        return Q(
            pk__in=Deployment.objects.filter(
                team__partnership__recipient_id=scope.institution_id
            ).values("expert_id")
        )
    return NOTHING


def sensitive_visible_expression(user: User) -> Expression:
    """An annotation for Expert rows: may this user read the sensitive fields in full?
    Lists and exports still show them masked; only the detail page and the API detail show
    them in full, and record that view (`expert_sensitive_view`)."""
    condition = sensitive_filter_for_user(user)
    if condition == Q():
        return Value(True, output_field=BooleanField())
    if condition == NOTHING:
        return Value(False, output_field=BooleanField())
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def can_see_pay_of_recipient(user: User, recipient_id: int) -> bool:
    """Budget figures built from pay (the salary top-up) per recipient hospital: the province
    and the paying recipient itself read them in full; others get small cells suppressed."""
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return True
    return scope.role == Role.RECIPIENT and scope.institution_id == recipient_id


def recipients_pay_seen_filter(user: User, field: str = "pk") -> Q:
    """`can_see_pay_of_recipient` as a filter on a recipient id column (never an empty `Q`, so
    it may be negated or excluded)."""
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return Q(**{f"{field}__isnull": False})
    if scope.role == Role.RECIPIENT and scope.institution_id is not None:
        return Q(**{field: scope.institution_id})
    return Q(**{f"{field}__isnull": True})


# ---- writes ----


def can_register_experts(user: User) -> bool:
    return scope_for_user(user).role in (Role.PROVINCE, Role.HELPER)


def can_edit_expert(user: User, expert: Expert) -> bool:
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return True
    return scope.role == Role.HELPER and expert.home_institution_id == scope.institution_id


def can_manage_team(user: User, partnership: Partnership) -> bool:
    """Teams and deployments: the province or either party of the partnership (§三(四))."""
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return True
    if scope.role == Role.HELPER:
        return partnership.helper_id == scope.institution_id
    if scope.role == Role.RECIPIENT:
        return partnership.recipient_id == scope.institution_id
    return False


def can_manage_teams_at_all(user: User) -> bool:
    return scope_for_user(user).role in (Role.PROVINCE, Role.HELPER, Role.RECIPIENT)


def can_pay(user: User, partnership: Partnership) -> bool:
    """Appointments, the ledger and the outstanding flag: the province or the recipient (§六)."""
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return True
    return scope.role == Role.RECIPIENT and partnership.recipient_id == scope.institution_id


def can_pay_for_expert(user: User, expert: Expert) -> bool:
    scope = scope_for_user(user)
    if scope.role == Role.PROVINCE:
        return True
    return (
        scope.role == Role.RECIPIENT
        and Deployment.objects.filter(
            expert=expert, team__partnership__recipient_id=scope.institution_id
        ).exists()
    )


def is_the_expert(user: User, expert: Expert) -> bool:
    return scope_for_user(user).role == Role.EXPERT and expert.user_id == user.pk


def can_issue_appointment_letters(user: User) -> bool:
    """聘书 for helper-hospital heads are issued by the provincial health commission (§六)."""
    return scope_for_user(user).role == Role.PROVINCE
