from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from bangfu.accounts.request import request_user
from bangfu.core.pagination import PageNumber
from bangfu.core.schema_types import (
    CREATE_ERRORS,
    LIST_ERRORS,
    MODE_MAX_LENGTH,
    READ_ERRORS,
    Count,
    Id,
    Line,
    SmallCount,
)
from bangfu.matching.models import MatchingProposal, MatchingRound
from bangfu.matching.selectors import (
    MatchingInputs,
    RoundDetail,
    can_run_matching,
    matching_inputs_get_for_user,
    matching_round_detail_for_user,
    matching_round_get_for_user,
    matching_round_list_for_user,
    recipient_needs_list_for_user,
    recipient_needs_summary,
)
from bangfu.matching.services import (
    NeedInput,
    match_preference_set,
    matching_proposals_accept,
    matching_round_rerun,
    matching_round_run,
    recipient_needs_set,
)
from bangfu.registry.models import Institution

router = Router()

FORBIDDEN = "只有省卫生健康委和市州卫生健康局可以开展结对匹配"


class RoundFields(Schema):
    id: int
    method: str
    prefecture_code: str | None
    previous_id: int | None
    superseded: bool
    created_by: str
    created_at: datetime
    recipient_count: int
    helper_count: int
    matched_count: int
    accepted_count: int
    objective: Decimal
    solve_seconds: float


class RoundOut(RoundFields):
    @staticmethod
    def resolve_prefecture_code(obj: MatchingRound) -> str | None:
        return obj.prefecture.code if obj.prefecture else None

    @staticmethod
    def resolve_created_by(obj: MatchingRound) -> str:
        return obj.created_by.get_username()


class ScorePartOut(Schema):
    name: str
    label: str
    value: Decimal
    reason: str


class ProposalOut(Schema):
    id: int
    recipient_id: int
    recipient_name: str
    helper_id: int
    helper_name: str
    fit_total: Decimal
    parts: list[ScorePartOut]
    reason: str
    recipient_rank: int | None
    helper_rank: int | None
    modes: list[str]
    status: str
    partnership_id: int | None


class UnmatchedOut(Schema):
    id: int
    name: str
    reason: str


class RoundDetailOut(RoundFields):
    parameters: dict[str, object]
    reasons: list[str]
    proposals: list[ProposalOut]
    unmatched: list[UnmatchedOut]


class RoundIn(Schema):
    method: Literal["stable", "optimal"] = Field(
        ..., description="stable：稳定匹配（自主选择、主动对接）；optimal：最大契合度（合理匹配）"
    )
    recipient_ids: list[Id] | None = Field(
        None, description="受扶医院编号；缺省为目标县中今天没有有效协议、也不在结对过程中的医院"
    )
    helper_ids: list[Id] | None = Field(None, description="帮扶医院编号；缺省为还有名额的帮扶医院")
    capacity_overrides: dict[Id, SmallCount] | None = Field(
        None, description='本轮名额：{"帮扶医院编号": 名额}'
    )
    excluded_pairs: list[tuple[Id, Id]] | None = Field(
        None, description="排除的配对：[[受扶医院编号, 帮扶医院编号], ...]"
    )


class RerunIn(Schema):
    method: Literal["stable", "optimal"] | None = Field(None, description="缺省沿用上一轮的方法")
    capacity_changes: dict[Id, SmallCount] | None = Field(
        None, description='调整名额：{"帮扶医院编号": 名额}'
    )


class AcceptIn(Schema):
    proposal_ids: list[Id] = Field(..., description="要接受的配对编号")
    modes: list[Annotated[str, Line(MODE_MAX_LENGTH)]] | None = Field(
        None,
        description="帮扶方式代码；缺省为每对配对的建议方式（专科联盟，粤黔结对时加东西部协作）",
    )


class AcceptOut(Schema):
    partnership_ids: list[int]


def _require_runner(request: HttpRequest) -> None:
    if not can_run_matching(request_user(request)):
        raise HttpError(403, FORBIDDEN)


def _proposal_out(p: MatchingProposal) -> dict[str, object]:
    return {
        "id": p.pk,
        "recipient_id": p.recipient_id,
        "recipient_name": p.recipient.name,
        "helper_id": p.helper_id,
        "helper_name": p.helper.name,
        "fit_total": p.fit_total,
        "parts": p.parts,
        "reason": p.reason,
        "recipient_rank": p.recipient_rank,
        "helper_rank": p.helper_rank,
        "modes": p.modes,
        "status": p.status,
        "partnership_id": p.partnership_id,
    }


def _detail_out(detail: RoundDetail) -> dict[str, object]:
    r = detail.round
    return {
        "id": r.pk,
        "method": r.method,
        "prefecture_code": r.prefecture.code if r.prefecture else None,
        "previous_id": r.previous_id,
        "superseded": detail.successor is not None,
        "created_by": r.created_by.get_username(),
        "created_at": r.created_at,
        "recipient_count": r.recipient_count,
        "helper_count": r.helper_count,
        "matched_count": r.matched_count,
        "accepted_count": detail.counts["accepted"],
        "objective": r.objective,
        "solve_seconds": r.solve_seconds,
        "parameters": r.parameters,
        "reasons": detail.reasons,
        "proposals": [_proposal_out(p) for p in detail.proposals],
        "unmatched": [{"id": u.id, "name": u.name, "reason": u.reason} for u in detail.unmatched],
    }


@router.get(
    "/matching/rounds",
    response={200: list[RoundOut], **LIST_ERRORS},
    summary="结对匹配轮次列表（新到旧）",
)
@paginate(PageNumber)
def rounds(request: HttpRequest) -> QuerySet[MatchingRound]:
    return matching_round_list_for_user(user=request_user(request))


@router.post(
    "/matching/rounds",
    response={201: RoundDetailOut, **CREATE_ERRORS},
    summary="发起一轮结对匹配（§三(二)）",
)
def round_create(request: HttpRequest, body: RoundIn) -> Status[dict[str, object]]:
    _require_runner(request)
    user = request_user(request)
    round_ = matching_round_run(
        actor=user,
        method=body.method,
        recipient_ids=body.recipient_ids,
        helper_ids=body.helper_ids,
        capacity_overrides=body.capacity_overrides,
        excluded_pairs=[(r, h) for r, h in body.excluded_pairs or []],
    )
    return Status(201, _detail_out(matching_round_detail_for_user(user=user, pk=round_.pk)))


@router.get(
    "/matching/rounds/{round_id}",
    response={200: RoundDetailOut, **READ_ERRORS},
    summary="匹配轮次详情",
)
def round_detail(request: HttpRequest, round_id: int) -> dict[str, object]:
    return _detail_out(matching_round_detail_for_user(user=request_user(request), pk=round_id))


@router.post(
    "/matching/rounds/{round_id}/rerun",
    response={201: RoundDetailOut, **CREATE_ERRORS},
    summary="按排除与名额调整重新匹配（生成新一轮）",
)
def round_rerun(request: HttpRequest, round_id: int, body: RerunIn) -> Status[dict[str, object]]:
    _require_runner(request)
    user = request_user(request)
    round_ = matching_round_get_for_user(user=user, pk=round_id)
    new_round = matching_round_rerun(
        actor=user, round_=round_, capacity_changes=body.capacity_changes, method=body.method
    )
    return Status(201, _detail_out(matching_round_detail_for_user(user=user, pk=new_round.pk)))


@router.post(
    "/matching/rounds/{round_id}/accept",
    response={200: AcceptOut, **CREATE_ERRORS},
    summary="接受配对，生成待签协议的帮扶关系",
)
def round_accept(request: HttpRequest, round_id: int, body: AcceptIn) -> dict[str, object]:
    _require_runner(request)
    user = request_user(request)
    round_ = matching_round_get_for_user(user=user, pk=round_id)
    partnerships = matching_proposals_accept(
        actor=user, round_=round_, proposal_ids=body.proposal_ids, modes=body.modes
    )
    return {"partnership_ids": [p.pk for p in partnerships]}


# ---- needs and ranked choices (受扶地所需, §三(一); 自主选择, §三(二)) ----

NOT_A_RECIPIENT = "未找到该受扶医院"


class ReferralOut(Schema):
    disease: str
    specialty: str
    count: int


class NeedsSummaryOut(Schema):
    id: int
    name: str
    prefecture_code: str
    county_code: str
    county_name: str
    weak_specialties: list[str]
    capability_gaps: list[str]
    referrals: list[ReferralOut] = Field(..., description="近3年外转病种，人次多的在前")
    referral_total: int
    need_count: int
    preference_count: int = Field(..., description="已填报的结对志愿数；0 为未填（按契合度）")
    updated_at: datetime | None

    @staticmethod
    def resolve_prefecture_code(obj: Institution) -> str:
        return obj.county.prefecture.code if obj.county else ""

    @staticmethod
    def resolve_county_code(obj: Institution) -> str:
        return obj.county.code if obj.county else ""

    @staticmethod
    def resolve_county_name(obj: Institution) -> str:
        return obj.county.name if obj.county else ""

    @staticmethod
    def resolve_weak_specialties(obj: Institution) -> list[str]:
        return list(recipient_needs_summary(obj).weak_specialties)

    @staticmethod
    def resolve_capability_gaps(obj: Institution) -> list[str]:
        return list(recipient_needs_summary(obj).capability_gaps)

    @staticmethod
    def resolve_referrals(obj: Institution) -> list[dict[str, object]]:
        return [
            {"disease": r.disease, "specialty": r.specialty, "count": r.count}
            for r in recipient_needs_summary(obj).referrals
        ]

    @staticmethod
    def resolve_referral_total(obj: Institution) -> int:
        return recipient_needs_summary(obj).referral_total

    @staticmethod
    def resolve_need_count(obj: Institution) -> int:
        return recipient_needs_summary(obj).need_count

    @staticmethod
    def resolve_preference_count(obj: Institution) -> int:
        return recipient_needs_summary(obj).preference_count

    @staticmethod
    def resolve_updated_at(obj: Institution) -> datetime | None:
        return recipient_needs_summary(obj).updated_at


class NeedOut(Schema):
    specialty_code: str
    specialty_name: str
    referrals_3y: int
    disease: str
    weak: bool
    gap: bool


class NeedsOut(Schema):
    institution_id: int
    institution_name: str
    editable: bool = Field(..., description="当前用户能否修改")
    needs: list[NeedOut]


class NeedIn(Schema):
    specialty_code: Annotated[str, Line(8)] = Field(..., description="诊疗科目代码（见名录）")
    referrals_3y: Count = Field(0, description="近3年外转人次，不能为负数")
    disease: Annotated[str, Line()] = Field("", description="主要外转病种，最多 100 字")
    weak: bool = Field(False, description="薄弱专科")
    gap: bool = Field(False, description="能力短板")


class NeedsIn(Schema):
    needs: list[NeedIn] = Field(..., description="全部需求（整体替换），每个专科一项")


class RankedOut(Schema):
    rank: int
    id: int
    name: str


class PreferenceOut(Schema):
    institution_id: int
    institution_name: str
    category: str
    editable: bool = Field(..., description="当前用户能否修改")
    ranked_ids: list[int]
    ranked: list[RankedOut]
    updated_at: datetime | None


class PreferenceIn(Schema):
    ranked_ids: list[Id] = Field(
        ...,
        description="按先后排列的对方医院编号（受扶医院填帮扶医院，帮扶医院填受扶医院）；空列表为清除",
    )


def _recipient_inputs(request: HttpRequest, institution_id: int) -> MatchingInputs:
    inputs = matching_inputs_get_for_user(user=request_user(request), pk=institution_id)
    if not inputs.is_recipient:
        raise HttpError(404, NOT_A_RECIPIENT)
    return inputs


def _needs_out(inputs: MatchingInputs) -> dict[str, object]:
    return {
        "institution_id": inputs.institution.pk,
        "institution_name": inputs.institution.name,
        "editable": inputs.can_edit_needs,
        "needs": [
            {
                "specialty_code": n.specialty.code,
                "specialty_name": n.specialty.name,
                "referrals_3y": n.referrals_3y,
                "disease": n.disease,
                "weak": n.weak,
                "gap": n.gap,
            }
            for n in inputs.needs
        ],
    }


def _preference_out(inputs: MatchingInputs) -> dict[str, object]:
    return {
        "institution_id": inputs.institution.pk,
        "institution_name": inputs.institution.name,
        "category": inputs.institution.category,
        "editable": inputs.can_edit_preferences,
        "ranked_ids": [r.id for r in inputs.ranked],
        "ranked": [{"rank": r.rank, "id": r.id, "name": r.name} for r in inputs.ranked],
        "updated_at": inputs.preference.updated_at if inputs.preference else None,
    }


@router.get(
    "/matching/needs",
    response={200: list[NeedsSummaryOut], **LIST_ERRORS},
    summary="受扶医院需求列表（管辖范围内，按县排序）",
)
@paginate(PageNumber)
def needs_list(request: HttpRequest) -> QuerySet[Institution]:
    return recipient_needs_list_for_user(user=request_user(request))


@router.get(
    "/matching/needs/{institution_id}",
    response={200: NeedsOut, **READ_ERRORS},
    summary="受扶医院的需求",
)
def needs_get(request: HttpRequest, institution_id: int) -> dict[str, object]:
    return _needs_out(_recipient_inputs(request, institution_id))


@router.put(
    "/matching/needs/{institution_id}",
    response={200: NeedsOut, **CREATE_ERRORS},
    summary="整体替换受扶医院的需求（§三(一)“受扶地所需”）",
)
def needs_put(request: HttpRequest, institution_id: int, body: NeedsIn) -> dict[str, object]:
    inputs = _recipient_inputs(request, institution_id)
    user = request_user(request)
    recipient_needs_set(
        actor=user,
        institution=inputs.institution,
        needs=[
            NeedInput(
                specialty_code=n.specialty_code,
                referrals_3y=n.referrals_3y,
                disease=n.disease,
                weak=n.weak,
                gap=n.gap,
            )
            for n in body.needs
        ],
    )
    return _needs_out(matching_inputs_get_for_user(user=user, pk=institution_id))


@router.get(
    "/matching/preferences/{institution_id}",
    response={200: PreferenceOut, **READ_ERRORS},
    summary="医院的结对志愿（受扶医院或帮扶医院）",
)
def preference_get(request: HttpRequest, institution_id: int) -> dict[str, object]:
    return _preference_out(
        matching_inputs_get_for_user(user=request_user(request), pk=institution_id)
    )


@router.put(
    "/matching/preferences/{institution_id}",
    response={200: PreferenceOut, **CREATE_ERRORS},
    summary="整体替换医院的结对志愿（§三(二)“自主选择、主动对接”）",
)
def preference_put(
    request: HttpRequest, institution_id: int, body: PreferenceIn
) -> dict[str, object]:
    user = request_user(request)
    inputs = matching_inputs_get_for_user(user=user, pk=institution_id)
    match_preference_set(actor=user, institution=inputs.institution, ranked_ids=body.ranked_ids)
    return _preference_out(matching_inputs_get_for_user(user=user, pk=institution_id))
