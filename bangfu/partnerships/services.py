"""Writes to partnerships and agreements: create, renew, terminate, file (F2, F3).

Load → decide in the domain (`agreement_validate`) → persist → audit, in one transaction.
Bad input raises `django.core.exceptions.ValidationError` keyed by field, with Chinese
messages, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery

from bangfu.accounts.models import User
from bangfu.core.audit import audit_changes, audit_record, model_snapshot
from bangfu.core.duplicates import refusing_duplicates
from bangfu.core.programme_dates import programme_dates_validate
from bangfu.core.uploads import SCAN_KINDS, file_delete_on_commit, upload_checked
from bangfu.core.validation import raise_if_any
from bangfu.partnerships.domain.actions import (
    AgreementAction,
    agreement_actions,
    first_agreement_decision,
)
from bangfu.partnerships.domain.lifecycle import cycle_default_end, renewal_prefill
from bangfu.partnerships.domain.validation import (
    AgreementDraft,
    TargetValue,
    TermValue,
    agreement_validate,
    quoted,
)
from bangfu.partnerships.models import Agreement, AgreementMeasure, CountyPlan, Partnership
from bangfu.partnerships.selectors import agreement_facts, can_manage_partnerships, today_local
from bangfu.partnerships.signals import agreement_changed, county_plan_changing
from bangfu.policy.domain.policy import Policy, TargetKind, TermKind
from bangfu.policy.loader import load_policy
from bangfu.registry.models import County, Institution, InstitutionCategory
from bangfu.registry.scope import scope_for_user

PARTNERSHIP_FIELDS = ("helper", "recipient", "modes", "helper_liaison", "recipient_liaison")
AGREEMENT_FIELDS = (
    "cycle_number",
    "previous",
    "party_c",
    "start",
    "end",
    "signed_on",
    "terminated_on",
    "termination_reason",
    "helper_exception",
    "helper_exception_reason",
    "guarantee_overrides",
    "other_matters",
    "filed_province_on",
    "filed_prefecture_on",
    "filed_county_on",
)
FILING_LEVELS = {
    "province": "filed_province_on",
    "prefecture": "filed_prefecture_on",
    "county": "filed_county_on",
}


@dataclass(frozen=True)
class AgreementInput:
    """An agreement as entered in a form or an API body (values still as text)."""

    start: date | None
    end: date | None = None  # default: the cycle of §七 (3 years)
    signed_on: date | None = None
    measures: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    guarantee_overrides: Mapping[str, str | bool] = field(default_factory=dict)
    other_matters: str = ""
    helper_exception: bool = False
    helper_exception_reason: str = ""
    party_c: str = ""


def _coerce_measures(
    policy: Policy, measures: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, dict[str, TargetValue]], list[tuple[str, str]]]:
    """Text from forms → the typed values the domain validates (numbers as Decimal)."""
    typed: dict[str, dict[str, TargetValue]] = {}
    issues: list[tuple[str, str]] = []
    known = {m.code: m for m in policy.measures}
    for code, values in measures.items():
        measure = known.get(code)
        typed[code] = {}
        for key, raw in values.items():
            target = next((t for t in measure.targets if t.key == key), None) if measure else None
            text = str(raw).strip()
            if measure is not None and target is not None and target.kind is TargetKind.NUMBER:
                try:
                    typed[code][key] = Decimal(text)
                except InvalidOperation:
                    where = f"measures.{code}.{key}"
                    issues.append(
                        (where, f"措施{quoted(measure.title)}的{quoted(target.label)}应填写数字")
                    )
            elif text:
                typed[code][key] = text
    return typed, issues


def _coerce_terms(
    policy: Policy, overrides: Mapping[str, str | bool]
) -> tuple[dict[str, TermValue], list[tuple[str, str]]]:
    typed: dict[str, TermValue] = {}
    issues: list[tuple[str, str]] = []
    known = {t.key: t for t in policy.guarantee_terms}
    for key, raw in overrides.items():
        term = known.get(key)
        if term is None:
            issues.append((f"guarantee_terms.{key}", f"未知的保障条款“{key}”"))
            continue
        if term.kind is TermKind.FLAG:
            typed[key] = (
                raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "on", "是")
            )
            continue
        try:
            typed[key] = Decimal(str(raw).strip())
        except InvalidOperation:
            issues.append((f"guarantee_terms.{key}", f"“{term.label}”应填写数字"))
    # Keep only real overrides: a value equal to the policy default is not an override.
    typed = {k: v for k, v in typed.items() if v != known[k].value}
    return typed, issues


def _check_write_scope(actor: User, recipient: Institution) -> None:
    if not can_manage_partnerships(actor):
        raise PermissionDenied("只有省、市州、县卫生健康部门可以登记和变更帮扶关系")
    visible = (
        scope_for_user(actor).institutions(Institution.objects.filter(pk=recipient.pk)).exists()
    )
    if not visible:
        raise PermissionDenied("该受扶医院不在您的管辖范围内")


def _validated_agreement(
    *,
    policy: Policy,
    partnership_helper: Institution,
    data: AgreementInput,
    modes: Iterable[str],
    existing: Iterable[Agreement],
    agreement_id: int | None = None,
) -> tuple[date, date, dict[str, dict[str, TargetValue]], dict[str, TermValue]]:
    # Before the default end is computed: 9999-01-01 + 3 years does not exist.
    programme_dates_validate(start=data.start, end=data.end, signed_on=data.signed_on)
    end = data.end
    if data.start is not None and end is None:
        end = cycle_default_end(data.start, policy.cycle.years)
    measures, measure_errors = _coerce_measures(policy, data.measures)
    terms, term_errors = _coerce_terms(policy, data.guarantee_overrides)
    draft = AgreementDraft(
        id=agreement_id,
        helper_province=partnership_helper.province,
        helper_grade=partnership_helper.grade,
        start=data.start,
        end=end,
        helper_exception=data.helper_exception,
        helper_exception_reason=data.helper_exception_reason,
        modes=tuple(modes),
        measures=measures,
        guarantee_overrides=terms,
    )
    issues = [
        (i.field, i.message)
        for i in agreement_validate(
            draft, [agreement_facts(a, has_next_cycle=False) for a in existing], policy
        )
    ]
    if data.signed_on is not None and data.signed_on > today_local():
        issues.append(("signed_on", "签订日期不能晚于今天"))
    raise_if_any([*measure_errors, *term_errors, *issues])
    assert data.start is not None and end is not None
    return data.start, end, measures, terms


def _save_measures(agreement: Agreement, measures: Mapping[str, Mapping[str, TargetValue]]) -> None:
    AgreementMeasure.objects.bulk_create(
        AgreementMeasure(
            agreement=agreement, code=code, targets={k: str(v) for k, v in targets.items()}
        )
        for code, targets in sorted(measures.items())
    )


def _agreement_snapshot(agreement: Agreement) -> dict[str, object]:
    snapshot = model_snapshot(agreement, AGREEMENT_FIELDS)
    snapshot["measures"] = {m.code: m.targets for m in agreement.measures.all()}
    return snapshot


def _county_government(recipient: Institution) -> str:
    return f"{recipient.county.name}人民政府" if recipient.county else ""


def _partnership_validate(
    helper: Institution, recipient: Institution, modes: list[str], leading: list[Institution]
) -> None:
    errors: list[tuple[str, str]] = []
    if helper.category != InstitutionCategory.HELPER:
        errors.append(("helper", f"「{helper.name}」不是帮扶医院"))
    if recipient.category != InstitutionCategory.RECIPIENT:
        errors.append(("recipient", f"「{recipient.name}」不是县级受扶医院"))
    if not modes:
        errors.append(("modes", "请至少选择一种帮扶方式（§二）"))
    known_modes = {m.code for m in load_policy().modes}
    for code in modes:
        if code not in known_modes:
            errors.append(("modes", f"未知的帮扶方式“{code}”（§二）"))
    for inst in leading:
        if inst.category != InstitutionCategory.LEADING:
            errors.append(("leading_institutions", f"「{inst.name}」不是市州龙头医院"))
    if Partnership.objects.filter(helper=helper, recipient=recipient).exists():
        errors.append(
            (
                "recipient",
                f"「{helper.name}」与「{recipient.name}」的帮扶关系已存在，请在原关系上续签",
            )
        )
    raise_if_any(errors)


# ---- the stored sort key (ADR 0024) ----

SORT_KEY_FIELDS = ("sort_county_code", "sort_recipient_name", "sort_helper_name")
# The institution fields a partnership's sort key copies (`registry.signals.institution_changed`).
SORT_KEY_SOURCES = frozenset({"name", "county"})


def partnership_sort_keys_write(partnerships: QuerySet[Partnership]) -> int:
    """Rewrite these partnerships' sort key from their parties, in one UPDATE; returns the rows.

    The one rule of the key behind `models.PARTNERSHIP_ORDER` (the list order: the recipient's
    county code, the recipient's name, the helper's name). Called by `partnership_create`, by
    `on_institution_changed` (a party renamed or moved), by the admin after an edit, and by bulk
    loaders after `bulk_create` (bench/bench_pages.py). The key is derived: no audit row, and
    `updated_at` is left alone."""
    recipient = Institution.objects.filter(pk=OuterRef("recipient_id"))
    helper = Institution.objects.filter(pk=OuterRef("helper_id"))
    return partnerships.update(
        sort_county_code=Subquery(recipient.values("county__code")[:1]),
        sort_recipient_name=Subquery(recipient.values("name")[:1]),
        sort_helper_name=Subquery(helper.values("name")[:1]),
    )


def on_institution_changed(
    *, institution: Institution, changed: frozenset[str] = frozenset(), **_: object
) -> None:
    """registry renamed an institution or moved it to another county (in its transaction): the
    partnerships it is a party to sort by the new name or county code. Connected in
    `PartnershipsConfig.ready`."""
    if changed & SORT_KEY_SOURCES:
        partnership_sort_keys_write(
            Partnership.objects.filter(Q(helper=institution) | Q(recipient=institution))
        )


@transaction.atomic
def partnership_create(
    *,
    actor: User,
    helper: Institution,
    recipient: Institution,
    modes: list[str],
    agreement: AgreementInput | None,
    leading_institutions: Iterable[Institution] = (),
    helper_liaison: str = "",
    recipient_liaison: str = "",
    is_demo: bool = False,
    note: str = "",
) -> Partnership:
    """Register a partnership (§三(一)–(二)), with its first agreement when one is given.

    Without an agreement the partnership is a proposal (e.g. an accepted matching pair,
    §三(二)) waiting for its first agreement.
    """
    leading = list(leading_institutions)
    # Report the partnership's and the agreement's problems together, so a form shows them all.
    problems: dict[str, list[str]] = {}
    try:
        _partnership_validate(helper, recipient, modes, leading)
    except ValidationError as exc:
        problems = exc.message_dict
    if not problems:
        _check_write_scope(actor, recipient)
    if agreement is not None:
        # Validate before anything is written, so a bad agreement leaves no partnership behind.
        try:
            _validated_agreement(
                policy=load_policy(),
                partnership_helper=helper,
                data=agreement,
                modes=modes,
                existing=[],
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                known = problems.setdefault(key, [])
                known.extend(m for m in messages if m not in known)
    raise_if_any((key, message) for key, messages in problems.items() for message in messages)
    # Two identical requests together both pass the check above; the unique pair decides.
    with refusing_duplicates(
        "recipient", f"「{helper.name}」与「{recipient.name}」的帮扶关系已存在，请在原关系上续签"
    ):
        partnership = Partnership.objects.create(
            helper=helper,
            recipient=recipient,
            modes=list(modes),
            helper_liaison=helper_liaison.strip(),
            recipient_liaison=recipient_liaison.strip(),
            is_demo=is_demo,
        )
    partnership_sort_keys_write(Partnership.objects.filter(pk=partnership.pk))
    partnership.refresh_from_db(fields=SORT_KEY_FIELDS)
    partnership.leading_institutions.set(leading)
    audit_record(
        actor=actor,
        action="create",
        obj=partnership,
        after=model_snapshot(partnership, PARTNERSHIP_FIELDS),
        note=note,
    )
    if agreement is not None:
        agreement_create(actor=actor, partnership=partnership, data=agreement)
    return partnership


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    partnership: Partnership,
    data: AgreementInput,
    previous: Agreement | None = None,
) -> Agreement:
    """Add a cycle to a partnership: its first agreement, or (with `previous`) a renewal."""
    policy = load_policy()
    partnership = (
        Partnership.objects.select_for_update(of=("self",))
        .select_related("helper", "recipient__county")
        .get(pk=partnership.pk)
    )
    _check_write_scope(actor, partnership.recipient)
    existing = list(partnership.agreements.all())
    if previous is None:
        first = first_agreement_decision(len(existing))
        if not first.allowed:
            raise_if_any([("agreement", first.reason)])
    start, end, measures, terms = _validated_agreement(
        policy=policy,
        partnership_helper=partnership.helper,
        data=data,
        modes=partnership.modes,
        existing=existing,
    )
    agreement = Agreement.objects.create(
        partnership=partnership,
        cycle_number=max((a.cycle_number for a in existing), default=0) + 1,
        previous=previous,
        party_c=data.party_c.strip() or _county_government(partnership.recipient),
        start=start,
        end=end,
        signed_on=data.signed_on,
        helper_exception=data.helper_exception,
        helper_exception_reason=data.helper_exception_reason.strip(),
        guarantee_overrides={
            k: (str(v) if not isinstance(v, bool) else v) for k, v in terms.items()
        },
        other_matters=data.other_matters.strip(),
        policy_id=policy.id,
    )
    _save_measures(agreement, measures)
    agreement_changed.send(sender=Agreement, agreement=agreement)
    audit_record(
        actor=actor,
        action="renew" if previous else "create",
        obj=agreement,
        after=_agreement_snapshot(agreement),
        note=f"续签自协议 #{previous.pk}" if previous else "",
    )
    return agreement


@transaction.atomic
def agreement_renew(
    *, actor: User, previous: Agreement, data: AgreementInput | None = None
) -> Agreement:
    """Open the next cycle of a partnership, prefilled from the last one (§七 期满后重新签订, §三(一)).

    Anything `data` leaves empty is taken from the previous cycle; the period defaults to the
    day after the previous end plus the policy's cycle (3 years).
    """
    policy = load_policy()
    previous = (
        Agreement.objects.select_related("partnership__recipient")
        .prefetch_related("measures")
        .get(pk=previous.pk)
    )
    _check_write_scope(actor, previous.partnership.recipient)
    _check_action_allowed(previous, AgreementAction.RENEW)
    prefill = renewal_prefill(agreement_facts(previous, has_next_cycle=False), policy.cycle.years)
    data = data or AgreementInput(start=None)
    filled = AgreementInput(
        start=data.start or prefill.start,
        end=data.end or (prefill.end if data.start is None else None),
        signed_on=data.signed_on,
        measures=data.measures or {m.code: m.targets for m in previous.measures.all()},
        guarantee_overrides=data.guarantee_overrides or previous.guarantee_overrides,
        other_matters=data.other_matters or previous.other_matters,
        helper_exception=data.helper_exception or previous.helper_exception,
        helper_exception_reason=data.helper_exception_reason or previous.helper_exception_reason,
        party_c=data.party_c or previous.party_c,
    )
    return agreement_create(
        actor=actor, partnership=previous.partnership, data=filled, previous=previous
    )


def _agreement_for_update(actor: User, agreement: Agreement, action: AgreementAction) -> Agreement:
    """The agreement, locked for this transaction, once the actor may change it and the
    agreement allows `action` today (`domain.actions.agreement_actions`); else the reason."""
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("partnership__recipient")
        .get(pk=agreement.pk)
    )
    _check_write_scope(actor, locked.partnership.recipient)
    _check_action_allowed(locked, action)
    return locked


def _check_action_allowed(agreement: Agreement, action: AgreementAction) -> None:
    facts = agreement_facts(
        agreement, has_next_cycle=Agreement.objects.filter(previous=agreement).exists()
    )
    decision = agreement_actions(facts, today_local()).decision(action)
    if not decision.allowed:
        raise_if_any([("agreement", decision.reason)])


@transaction.atomic
def agreement_terminate(*, actor: User, agreement: Agreement, on: date, reason: str) -> Agreement:
    """End an agreement early: from `on` it is no longer in force (reason required)."""
    programme_dates_validate(on=on)
    agreement = _agreement_for_update(actor, agreement, AgreementAction.TERMINATE)
    errors = []
    if not reason.strip():
        errors.append(("reason", "请填写终止原因"))
    if on < agreement.start or on > agreement.end + timedelta(days=1):
        errors.append(
            (
                "on",
                f"终止日期应在协议期限内（{agreement.start:%Y-%m-%d} 至 {agreement.end:%Y-%m-%d}）",
            )
        )
    raise_if_any(errors)
    before = model_snapshot(agreement, ("terminated_on", "termination_reason"))
    agreement.terminated_on = on
    agreement.termination_reason = reason.strip()
    agreement.save(update_fields=["terminated_on", "termination_reason", "updated_at"])
    agreement_changed.send(sender=Agreement, agreement=agreement)
    audit_record(
        actor=actor,
        action="terminate",
        obj=agreement,
        before=before,
        after=model_snapshot(agreement, ("terminated_on", "termination_reason")),
    )
    return agreement


@transaction.atomic
def agreement_record_signing(
    *, actor: User, agreement: Agreement, signed_on: date, scan: UploadedFile[bytes] | None = None
) -> Agreement:
    """Record the signing date and the signed, sealed scan (A2-五(一)): a PDF, JPEG or PNG by
    content, at most UPLOAD_MAX_BYTES. A new scan replaces the previous one."""
    programme_dates_validate(signed_on=signed_on)
    agreement = _agreement_for_update(actor, agreement, AgreementAction.SIGN)
    if signed_on > today_local():
        raise_if_any([("signed_on", "签订日期不能晚于今天")])
    stored_name = (
        upload_checked(scan, field="scan", label="扫描件", kinds=SCAN_KINDS) if scan else ""
    )
    before = model_snapshot(agreement, ("signed_on", "signed_scan"))
    replaced = agreement.signed_scan.name or ""
    agreement.signed_on = signed_on
    fields = ["signed_on", "updated_at"]
    if scan is not None:
        # A new scan replaces the old one, which leaves storage once this commits; the audit
        # row names both.
        agreement.signed_scan.save(stored_name, scan, save=False)
        fields.append("signed_scan")
        if replaced != agreement.signed_scan.name:
            file_delete_on_commit(agreement.signed_scan.storage, replaced)
    agreement.save(update_fields=fields)
    agreement_changed.send(sender=Agreement, agreement=agreement)
    audit_record(
        actor=actor,
        action="sign",
        obj=agreement,
        before=before,
        after=model_snapshot(agreement, ("signed_on", "signed_scan")),
    )
    return agreement


@transaction.atomic
def agreement_record_filing(
    *, actor: User, agreement: Agreement, level: str, filed_on: date
) -> Agreement:
    """Record filing (备案) of the signed copy with the province, prefecture or county (A2-五(三))."""
    programme_dates_validate(filed_on=filed_on)
    agreement = _agreement_for_update(actor, agreement, AgreementAction.FILE)
    errors = []
    if level not in FILING_LEVELS:
        errors.append(("level", "备案层级应为省、市州或县"))
    if agreement.signed_on is None:
        errors.append(("agreement", "协议尚未签订，不能备案"))
    elif filed_on < agreement.signed_on:
        errors.append(("filed_on", "备案日期不能早于签订日期"))
    if filed_on > today_local():
        errors.append(("filed_on", "备案日期不能晚于今天"))
    raise_if_any(errors)
    name = FILING_LEVELS[level]
    before = model_snapshot(agreement, (name,))
    setattr(agreement, name, filed_on)
    agreement.save(update_fields=[name, "updated_at"])
    audit_record(
        actor=actor,
        action="file",
        obj=agreement,
        before=before,
        after=model_snapshot(agreement, (name,)),
    )
    return agreement


@transaction.atomic
def county_plan_save(
    *,
    actor: User,
    county: County,
    cycle_start: date,
    goals: str,
    specialty_ids: Iterable[int] = (),
    centres: Iterable[str] = (),
    measure_codes: Iterable[str] = (),
    agreement_ids: Iterable[int] = (),
) -> CountyPlan:
    """Create or update a county's plan for one cycle (一县一方案, §七)."""
    if (
        not can_manage_partnerships(actor)
        or not scope_for_user(actor).counties(County.objects.filter(pk=county.pk)).exists()
    ):
        raise PermissionDenied("只有本县及上级卫生健康部门可以编制一县一方案")
    programme_dates_validate(cycle_start=cycle_start)
    policy = load_policy()
    known = {m.code for m in policy.measures}
    errors = []
    if not goals.strip():
        errors.append(("goals", "请填写帮扶目标"))
    unknown = sorted(set(measure_codes) - known)
    if unknown:
        errors.append(("measure_codes", f"未知的帮扶措施：{'、'.join(unknown)}"))
    agreement_ids = list(agreement_ids)
    foreign = Agreement.objects.filter(pk__in=agreement_ids).exclude(
        partnership__recipient__county=county
    )
    if foreign.exists():
        errors.append(("agreements", "只能关联本县受扶医院的协议"))
    raise_if_any(errors)
    plan = CountyPlan.objects.filter(county=county, cycle_start=cycle_start).first()
    before = model_snapshot(plan, ("goals", "centres", "measure_codes")) if plan else None
    if plan is not None:
        county_plan_changing.send(sender=CountyPlan, plan=plan, actor=actor)
    if plan is None:
        plan = CountyPlan(county=county, cycle_start=cycle_start)
    plan.cycle_end = cycle_default_end(cycle_start, policy.cycle.years)
    plan.goals = goals.strip()
    plan.centres = list(centres)
    plan.measure_codes = sorted(set(measure_codes))
    plan.save()
    plan.specialties.set(list(specialty_ids))
    plan.agreements.set(agreement_ids)
    after = model_snapshot(plan, ("goals", "centres", "measure_codes"))
    audit_record(
        actor=actor,
        action="update" if before else "create",
        obj=plan,
        before=before,
        after=audit_changes(before, after) if before else after,
    )
    return plan
