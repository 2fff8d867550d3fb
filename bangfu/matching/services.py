"""Writes for matching (F7, §三(二)): run a round, exclude a pair, re-run, accept pairs as draft
partnerships, record a recipient's needs and a hospital's ranked choices.

Each service runs in one transaction and writes an audit row. Bad input raises
`django.core.exceptions.ValidationError` keyed by field, with Chinese messages, and writes
nothing; a user who may not do it gets `PermissionDenied`.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from bangfu.accounts.models import Role, User
from bangfu.core.audit import audit_record, model_snapshot, save_changes_audited
from bangfu.core.validation import raise_if_any
from bangfu.matching.domain.fit import HelperProfile, RecipientNeeds
from bangfu.matching.domain.optimal import preload_solver
from bangfu.matching.domain.result import MatchResult, Method
from bangfu.matching.domain.rounds import (
    PART_LABELS,
    Pair,
    ProposalOutcome,
    RoundInstance,
    RoundIssue,
    RoundParameters,
    proposal_modes,
    proposal_reason,
    rerun_parameters,
    round_instance,
    round_parameter_issues,
    solve_round,
    unmatched_reasons,
)
from bangfu.matching.models import (
    MatchingProposal,
    MatchingRound,
    MatchPreference,
    ProposalStatus,
    RecipientNeed,
)
from bangfu.matching.selectors import (
    NEED_EDITOR_ROLES,
    NEEDS_AUDIT_NOTE,
    PREFERENCE_EDITOR_ROLES,
    can_run_matching,
    city_pairings,
    helper_profiles_for,
    matching_candidates_for_user,
    matching_helpers,
    matching_inputs_editable,
    matching_recipients_for_user,
    matching_round_filter_for_user,
    recipient_needs_for,
    stated_preferences_for,
)
from bangfu.notifications.domain.kinds import MATCH_ACCEPTED
from bangfu.notifications.services import Message, institution_users, notification_send
from bangfu.partnerships.models import Partnership
from bangfu.partnerships.services import partnership_create
from bangfu.registry.models import Institution, InstitutionCategory, Specialty
from bangfu.registry.scope import scope_for_user

METHOD_ERROR = "匹配方法应为 stable（稳定匹配）或 optimal（最大契合度）"


def _check_runner(actor: User) -> None:
    if not can_run_matching(actor):
        raise PermissionDenied("只有省卫生健康委和市州卫生健康局可以开展结对匹配")


def _check_round_scope(actor: User, round_: MatchingRound) -> None:
    _check_runner(actor)
    visible = MatchingRound.objects.filter(
        matching_round_filter_for_user(actor), pk=round_.pk
    ).exists()
    if not visible:
        raise PermissionDenied("该匹配轮次不在您的管辖范围内")


def _lock_latest(round_: MatchingRound) -> MatchingRound:
    """The round, locked; refused if a re-run has already replaced it."""
    locked = MatchingRound.objects.select_for_update().get(pk=round_.pk)
    successor = MatchingRound.objects.filter(previous=locked).order_by("pk").first()
    if successor is not None:
        raise_if_any(
            [("round", f"第{locked.pk}轮已重新匹配为第{successor.pk}轮，请在最新一轮上操作")]
        )
    return locked


def _method(value: str) -> Method:
    try:
        return Method(value)
    except ValueError:
        raise ValidationError({"method": [METHOD_ERROR]}) from None


@transaction.atomic
def matching_round_run(
    *,
    actor: User,
    method: str,
    recipient_ids: Iterable[int] | None = None,
    helper_ids: Iterable[int] | None = None,
    capacity_overrides: Mapping[int, int] | None = None,
    excluded_pairs: Iterable[Pair] = (),
    previous: MatchingRound | None = None,
    today: date | None = None,
    note: str = "",
) -> MatchingRound:
    """Run a matching round for recipients without a helper (§三(二)) and save it with its inputs,
    outputs and one proposal per matched recipient.

    `recipient_ids` / `helper_ids` default to the preselection of `matching_candidates_for_user`
    (target-county recipients with no agreement in force and not being paired; helpers with
    capacity). A prefecture officer may only put its own prefecture's recipients in a round.
    """
    _check_runner(actor)
    chosen_method = _method(method)
    if recipient_ids is None or helper_ids is None:
        candidates = matching_candidates_for_user(user=actor, today=today)
        if recipient_ids is None:
            recipient_ids = candidates.default_recipient_ids
        if helper_ids is None:
            helper_ids = candidates.default_helper_ids
    parameters = RoundParameters.build(
        method=chosen_method,
        recipient_ids=recipient_ids,
        helper_ids=helper_ids,
        capacity_overrides=capacity_overrides,
        excluded_pairs=excluded_pairs,
    )
    recipients = list(
        matching_recipients_for_user(user=actor)
        .filter(pk__in=parameters.recipient_ids)
        .order_by("pk")
    )
    helpers = list(matching_helpers().filter(pk__in=parameters.helper_ids).order_by("pk"))
    helper_names = {h.pk: h.name for h in helpers}
    raise_if_any(
        round_parameter_issues(
            parameters,
            known_recipient_ids={r.pk for r in recipients},
            known_helper_ids=set(helper_names),
            helper_names=helper_names,
        )
    )
    needs = recipient_needs_for(recipients=recipients)
    profiles = helper_profiles_for(
        helpers=helpers, capacity_overrides=parameters.capacity_by_helper
    )
    stated = stated_preferences_for(institution_ids=[*parameters.recipient_ids, *helper_names])
    prepared = round_instance(
        needs,
        profiles,
        stated_recipient_prefs={r.pk: stated[r.pk] for r in recipients if r.pk in stated},
        stated_helper_prefs={h.pk: stated[h.pk] for h in helpers if h.pk in stated},
        excluded_pairs=parameters.excluded_pairs,
        pairings=city_pairings(),
    )
    if chosen_method is Method.OPTIMAL:
        preload_solver()  # importing OR-Tools is start-up cost, not solve time
    started = time.perf_counter()
    result = solve_round(prepared, chosen_method)
    solve_seconds = time.perf_counter() - started

    names = {r.pk: r.name for r in recipients} | helper_names
    scope = scope_for_user(actor)
    round_ = MatchingRound.objects.create(
        method=chosen_method.value,
        prefecture_id=scope.prefecture_id if scope.role == Role.PREFECTURE else None,
        previous=previous,
        parameters=parameters.to_json(),
        instance=_instance_json(prepared, names),
        result=_result_json(result, prepared, names),
        recipient_count=len(recipients),
        helper_count=len(helpers),
        matched_count=len(result.assignments),
        objective=result.objective.quantize(Decimal("0.01")),
        solve_seconds=round(solve_seconds, 6),
        created_by=actor,
    )
    MatchingProposal.objects.bulk_create(
        _proposal(round_, assignment_index, result, prepared)
        for assignment_index in range(len(result.assignments))
    )
    audit_record(
        actor=actor,
        action="create",
        obj=round_,
        after={
            "method": round_.method,
            "parameters": round_.parameters,
            "matched": round_.matched_count,
            "unmatched": len(result.unmatched),
            "objective": round_.objective,
        },
        note=note or (f"由第{previous.pk}轮重新匹配" if previous else ""),
    )
    return round_


def _proposal(
    round_: MatchingRound, index: int, result: MatchResult, prepared: RoundInstance
) -> MatchingProposal:
    assignment = result.assignments[index]
    fit = prepared.fits[(int(assignment.recipient), int(assignment.helper))]
    return MatchingProposal(
        round=round_,
        recipient_id=int(assignment.recipient),
        helper_id=int(assignment.helper),
        fit_total=fit.total,
        parts=[
            {
                "name": part.name,
                "label": PART_LABELS.get(part.name, part.name),
                "value": str(part.value),
                "reason": part.reason_zh,
            }
            for part in fit.parts
        ],
        reason=proposal_reason(assignment, prepared)[:500],
        recipient_rank=assignment.recipient_rank,
        helper_rank=assignment.helper_rank,
        modes=list(proposal_modes(fit)),
    )


def _instance_json(prepared: RoundInstance, names: Mapping[int, str]) -> dict[str, object]:
    """The solver input in the `manage.py match` JSON shape (replayable), plus what it was
    built from: each recipient's needs and each helper's profile."""
    instance = prepared.instance
    return {
        "recipients": [{"id": r.id, "prefs": list(r.prefs)} for r in instance.recipients],
        "helpers": [
            {"id": h.id, "capacity": h.capacity, "prefs": list(h.prefs)} for h in instance.helpers
        ],
        "weights": [[w.recipient, w.helper, float(w.weight)] for w in instance.weights or ()],
        "recipient_needs": [_needs_json(n, names) for n in prepared.needs],
        "helper_profiles": [_profile_json(h, names) for h in prepared.profiles],
    }


def _needs_json(needs: RecipientNeeds, names: Mapping[int, str]) -> dict[str, object]:
    return {
        "id": needs.id,
        "name": names[int(needs.id)],
        "prefecture": needs.prefecture,
        "weak_specialties": list(needs.weak_specialties),
        "capability_gaps": list(needs.capability_gaps),
        "referrals": [[r.disease, r.specialty, r.count] for r in needs.referrals],
    }


def _profile_json(profile: HelperProfile, names: Mapping[int, str]) -> dict[str, object]:
    return {
        "id": profile.id,
        "name": names[int(profile.id)],
        "province": profile.province,
        "city": profile.city,
        "advantage_specialties": list(profile.advantage_specialties),
        "regions": sorted(r.value for r in profile.regions),
        "capacity": profile.capacity,
    }


def _result_json(
    result: MatchResult, prepared: RoundInstance, names: Mapping[int, str]
) -> dict[str, object]:
    why = unmatched_reasons(prepared, result)
    return {
        "method": result.method.value,
        "objective": str(result.objective),
        "reasons": list(result.reasons),
        "assignments": [
            {
                "recipient": a.recipient,
                "helper": a.helper,
                "weight": str(a.weight),
                "recipient_rank": a.recipient_rank,
                "helper_rank": a.helper_rank,
            }
            for a in result.assignments
        ],
        "unmatched": [
            {
                "id": rid,
                "name": names[int(rid)],
                "reason": why[int(rid)],
            }
            for rid in result.unmatched
        ],
    }


@transaction.atomic
def matching_proposal_exclude(*, actor: User, proposal: MatchingProposal) -> MatchingProposal:
    """Exclude a proposed pair: the next re-run will not propose it again (§三(二) 合理匹配 —
    the office adjusts what the solver proposes)."""
    proposal = MatchingProposal.objects.select_related("round", "recipient", "helper").get(
        pk=proposal.pk
    )
    _check_round_scope(actor, proposal.round)
    _lock_latest(proposal.round)
    if proposal.status != ProposalStatus.PROPOSED:
        raise_if_any(
            [("proposal", f"「{proposal}」{proposal.get_status_display()}，只能排除待定的配对")]
        )
    proposal.status = ProposalStatus.EXCLUDED
    proposal.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="exclude",
        obj=proposal,
        before={"status": ProposalStatus.PROPOSED.value},
        after={"status": proposal.status},
    )
    return proposal


@transaction.atomic
def matching_round_rerun(
    *,
    actor: User,
    round_: MatchingRound,
    capacity_changes: Mapping[int, int] | None = None,
    method: str | None = None,
) -> MatchingRound:
    """Run the round again after the office adjusted it (see `rerun_parameters`): accepted pairs
    settled, excluded pairs kept out, changed capacities applied. The new round links to this one."""
    _check_round_scope(actor, round_)
    locked = _lock_latest(round_)
    previous = RoundParameters.from_json(locked.parameters)
    changes = dict(capacity_changes or {})
    helper_ids = set(previous.helper_ids)
    issues = [
        RoundIssue("capacity_overrides", f"编号为 {hid} 的帮扶医院不在本轮匹配的帮扶医院中")
        for hid in changes
        if hid not in helper_ids
    ]
    raise_if_any(issues)
    rerun = rerun_parameters(
        previous,
        previous_capacities={h["id"]: h["capacity"] for h in locked.instance["helpers"]},
        outcomes=[
            ProposalOutcome(
                recipient_id=p.recipient_id,
                helper_id=p.helper_id,
                accepted=p.status == ProposalStatus.ACCEPTED,
                excluded=p.status == ProposalStatus.EXCLUDED,
            )
            for p in locked.proposals.all()
        ],
        capacity_changes=changes,
        method=_method(method) if method else None,
    )
    parameters = rerun.parameters
    return matching_round_run(
        actor=actor,
        method=parameters.method.value,
        recipient_ids=parameters.recipient_ids,
        helper_ids=parameters.helper_ids,
        capacity_overrides=parameters.capacity_by_helper,
        excluded_pairs=parameters.excluded_pairs,
        previous=locked,
        note="；".join((f"由第{locked.pk}轮重新匹配", *rerun.reasons)),
    )


@transaction.atomic
def matching_proposals_accept(
    *,
    actor: User,
    round_: MatchingRound,
    proposal_ids: Sequence[int],
    modes: Sequence[str] | None = None,
) -> list[Partnership]:
    """Turn accepted pairs into draft partnerships — partnerships awaiting their first agreement
    (§三(二) 建立结对帮扶关系) — all or none. Each proposal must be a pending pair of this round,
    and its recipient must not have accepted a pair already; `modes` default to the proposal's
    suggested modes (`proposal_modes`)."""
    _check_round_scope(actor, round_)
    locked = _lock_latest(round_)
    ids = list(dict.fromkeys(proposal_ids))
    if not ids:
        raise_if_any([("proposal_ids", "请至少选择一对配对")])
    proposals = {
        p.pk: p
        for p in MatchingProposal.objects.select_related("recipient", "helper").filter(
            round=locked, pk__in=ids
        )
    }
    already = set(
        MatchingProposal.objects.filter(
            status=ProposalStatus.ACCEPTED,
            recipient_id__in=[p.recipient_id for p in proposals.values()],
        ).values_list("recipient_id", flat=True)
    )
    issues: list[tuple[str, str]] = []
    for pk in ids:
        proposal = proposals.get(pk)
        if proposal is None:
            issues.append(("proposal_ids", f"编号为 {pk} 的配对不属于第{locked.pk}轮"))
        elif proposal.status != ProposalStatus.PROPOSED:
            issues.append(
                ("proposal_ids", f"「{proposal}」{proposal.get_status_display()}，不能接受")
            )
        elif proposal.recipient_id in already:
            issues.append(
                ("proposal_ids", f"「{proposal.recipient.name}」已接受过其他结对，不能重复接受")
            )
    raise_if_any(issues)
    partnerships = []
    for pk in ids:
        proposal = proposals[pk]
        partnership = partnership_create(
            actor=actor,
            helper=proposal.helper,
            recipient=proposal.recipient,
            modes=list(modes) if modes else list(proposal.modes),
            agreement=None,
            note=f"结对匹配第{locked.pk}轮",
        )
        proposal.status = ProposalStatus.ACCEPTED
        proposal.partnership = partnership
        proposal.save(update_fields=["status", "partnership", "updated_at"])
        audit_record(
            actor=actor,
            action="accept",
            obj=proposal,
            before={"status": ProposalStatus.PROPOSED.value},
            after={"status": proposal.status, "partnership": partnership.pk},
        )
        partnerships.append(partnership)
        notification_send(
            actor=actor,
            recipients=institution_users([partnership.helper_id, partnership.recipient_id]),
            message=Message(
                kind=MATCH_ACCEPTED,
                title=f"结对已确认：{partnership.helper.name} 帮扶 {partnership.recipient.name}",
                body="请双方商定并登记首期帮扶协议（§三(二)）。",
                link=reverse("partnerships:partnership_detail", args=[partnership.pk]),
                object_label=f"{partnership.recipient.name}（{partnership.helper.name}）",
            ),
            obj=partnership,
        )
    _use_helper_places(actor, locked, [proposals[pk].helper_id for pk in ids])
    return partnerships


def _use_helper_places(actor: User, round_: MatchingRound, helper_ids: Sequence[int]) -> None:
    """Each accepted pair takes one of the helper's places: its registry capacity (可再承接受扶
    医院数) goes down, never below 0, so the next round does not offer the same place again."""
    taken = Counter(helper_ids)
    for helper in Institution.objects.select_for_update().filter(pk__in=taken).order_by("pk"):
        before = model_snapshot(helper, ["capacity"])
        helper.capacity = max(0, helper.capacity - taken[helper.pk])
        save_changes_audited(
            actor=actor,
            obj=helper,
            fields=["capacity"],
            before=before,
            note=f"结对匹配第{round_.pk}轮接受配对，占用可承接名额",
        )


# ---- needs and ranked choices ----


@dataclass(frozen=True)
class NeedInput:
    """One specialty a recipient needs (as entered)."""

    specialty_code: str
    referrals_3y: int = 0
    disease: str = ""
    weak: bool = False
    gap: bool = False


def _check_institution_scope(actor: User, institution: Institution, roles: Iterable[str]) -> None:
    if not matching_inputs_editable(user=actor, institution=institution, roles=roles):
        raise PermissionDenied("您无权修改该医疗机构的结对信息")


@transaction.atomic
def recipient_needs_set(
    *,
    actor: User | None,
    institution: Institution,
    needs: Sequence[NeedInput],
    is_demo: bool = False,
) -> list[RecipientNeed]:
    """Replace a recipient hospital's needs (受扶地所需, §三(一); A1-(3) 近3年外转疾病谱).

    Officers of its province, prefecture or county and the hospital itself may record them
    (`actor=None` only for the demo loader)."""
    if actor is not None:
        _check_institution_scope(actor, institution, NEED_EDITOR_ROLES)
    # Replacing is delete + insert: the hospital's row is locked so that two replaces sent
    # together run one after the other (the later one wins) instead of colliding on insert.
    Institution.objects.select_for_update().get(pk=institution.pk)
    issues: list[tuple[str, str]] = []
    if institution.category != InstitutionCategory.RECIPIENT:
        issues.append(("institution", f"「{institution.name}」不是县级受扶医院"))
    specialties = {
        s.code: s for s in Specialty.objects.filter(code__in=[n.specialty_code for n in needs])
    }
    seen: set[str] = set()
    for index, need in enumerate(needs):
        where = f"needs[{index}]"
        if need.specialty_code not in specialties:
            issues.append((f"{where}.specialty", f"未知的专科代码“{need.specialty_code}”"))
        elif need.specialty_code in seen:
            issues.append((f"{where}.specialty", f"专科“{need.specialty_code}”重复填写"))
        seen.add(need.specialty_code)
        if need.referrals_3y < 0:
            issues.append(
                (f"{where}.referrals_3y", f"外转人次不能为负数（收到 {need.referrals_3y}）")
            )
        if len(need.disease) > 100:
            issues.append((f"{where}.disease", "主要外转病种不能超过 100 个字"))
    raise_if_any(issues)
    before = _needs_snapshot(
        RecipientNeed.objects.filter(institution=institution).select_related("specialty")
    )
    RecipientNeed.objects.filter(institution=institution).delete()
    rows = RecipientNeed.objects.bulk_create(
        RecipientNeed(
            institution=institution,
            specialty=specialties[n.specialty_code],
            referrals_3y=n.referrals_3y,
            disease=n.disease.strip(),
            weak=n.weak,
            gap=n.gap,
            is_demo=is_demo,
        )
        for n in needs
    )
    audit_record(
        actor=actor,
        action="update" if before else "create",
        obj=institution,
        before={"matching_needs": before} if before else None,
        after={"matching_needs": _needs_snapshot(rows)},
        note=NEEDS_AUDIT_NOTE,
    )
    return rows


def _needs_snapshot(rows: Iterable[RecipientNeed]) -> list[dict[str, object]]:
    return [
        {
            "specialty": n.specialty.code,
            "referrals_3y": n.referrals_3y,
            "disease": n.disease,
            "weak": n.weak,
            "gap": n.gap,
        }
        for n in sorted(rows, key=lambda n: n.specialty.code)
    ]


@transaction.atomic
def match_preference_set(
    *, actor: User, institution: Institution, ranked_ids: Sequence[int]
) -> MatchPreference:
    """Record a hospital's own ranked choices of the other side (§三(二) 自主选择、主动对接): a
    recipient ranks helpers, a helper ranks recipients; best first, no repeats. The hospital
    itself or the province/prefecture office may record them."""
    _check_institution_scope(actor, institution, PREFERENCE_EDITOR_ROLES)
    if institution.category == InstitutionCategory.RECIPIENT:
        other, label = InstitutionCategory.HELPER, "帮扶医院"
    elif institution.category == InstitutionCategory.HELPER:
        other, label = InstitutionCategory.RECIPIENT, "受扶医院"
    else:
        raise ValidationError({"institution": ["只有受扶医院和帮扶医院填报结对志愿"]})
    known = set(
        Institution.objects.filter(category=other, pk__in=list(ranked_ids)).values_list(
            "pk", flat=True
        )
    )
    issues: list[tuple[str, str]] = []
    seen: set[int] = set()
    for index, pk in enumerate(ranked_ids):
        if pk not in known:
            issues.append((f"ranked_ids[{index}]", f"未找到编号为 {pk} 的{label}"))
        elif pk in seen:
            issues.append((f"ranked_ids[{index}]", f"编号为 {pk} 的{label}重复出现"))
        seen.add(pk)
    raise_if_any(issues)
    preference, created = MatchPreference.objects.select_for_update().get_or_create(
        institution=institution
    )
    before = list(preference.ranked_ids)
    preference.ranked_ids = list(ranked_ids)
    preference.save(update_fields=["ranked_ids", "updated_at"])
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=preference,
        before=None if created else {"ranked_ids": before},
        after={"ranked_ids": preference.ranked_ids},
    )
    return preference
