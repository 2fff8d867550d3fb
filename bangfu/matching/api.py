from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from bangfu.core.pagination import PageNumber
from bangfu.core.request import request_user
from bangfu.matching.models import MatchingProposal, MatchingRound
from bangfu.matching.selectors import (
    RoundDetail,
    can_run_matching,
    matching_round_detail_for_user,
    matching_round_get_for_user,
    matching_round_list_for_user,
)
from bangfu.matching.services import (
    matching_proposals_accept,
    matching_round_rerun,
    matching_round_run,
)

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
    recipient_ids: list[int] | None = Field(
        None, description="受扶医院编号；缺省为目标县中今天没有有效协议、也不在结对过程中的医院"
    )
    helper_ids: list[int] | None = Field(None, description="帮扶医院编号；缺省为还有名额的帮扶医院")
    capacity_overrides: dict[int, int] | None = Field(
        None, description='本轮名额：{"帮扶医院编号": 名额}'
    )
    excluded_pairs: list[tuple[int, int]] | None = Field(
        None, description="排除的配对：[[受扶医院编号, 帮扶医院编号], ...]"
    )


class RerunIn(Schema):
    method: Literal["stable", "optimal"] | None = Field(None, description="缺省沿用上一轮的方法")
    capacity_changes: dict[int, int] | None = Field(
        None, description='调整名额：{"帮扶医院编号": 名额}'
    )


class AcceptIn(Schema):
    proposal_ids: list[int] = Field(..., description="要接受的配对编号")
    modes: list[str] | None = Field(
        None,
        description="帮扶方式代码；缺省为每对配对的建议方式（专科联盟，粤黔结对时加东西部协作）",
    )


class AcceptOut(Schema):
    partnership_ids: list[int]


def _raise_validation(exc: ValidationError) -> None:
    detail = "；".join(f"{field}：{'；'.join(msgs)}" for field, msgs in exc.message_dict.items())
    raise HttpError(422, detail)


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
        "superseded": not detail.is_latest,
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


@router.get("/matching/rounds", response=list[RoundOut], summary="结对匹配轮次列表（新到旧）")
@paginate(PageNumber)
def rounds(request: HttpRequest) -> QuerySet[MatchingRound]:
    return matching_round_list_for_user(user=request_user(request))


@router.post(
    "/matching/rounds", response={201: RoundDetailOut}, summary="发起一轮结对匹配（§三(二)）"
)
def round_create(request: HttpRequest, body: RoundIn) -> Status[dict[str, object]]:
    _require_runner(request)
    user = request_user(request)
    try:
        round_ = matching_round_run(
            actor=user,
            method=body.method,
            recipient_ids=body.recipient_ids,
            helper_ids=body.helper_ids,
            capacity_overrides=body.capacity_overrides,
            excluded_pairs=[(r, h) for r, h in body.excluded_pairs or []],
        )
    except ValidationError as exc:
        _raise_validation(exc)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(201, _detail_out(matching_round_detail_for_user(user=user, pk=round_.pk)))


@router.get("/matching/rounds/{round_id}", response=RoundDetailOut, summary="匹配轮次详情")
def round_detail(request: HttpRequest, round_id: int) -> dict[str, object]:
    return _detail_out(matching_round_detail_for_user(user=request_user(request), pk=round_id))


@router.post(
    "/matching/rounds/{round_id}/rerun",
    response={201: RoundDetailOut},
    summary="按排除与名额调整重新匹配（生成新一轮）",
)
def round_rerun(request: HttpRequest, round_id: int, body: RerunIn) -> Status[dict[str, object]]:
    _require_runner(request)
    user = request_user(request)
    round_ = matching_round_get_for_user(user=user, pk=round_id)
    try:
        new_round = matching_round_rerun(
            actor=user, round_=round_, capacity_changes=body.capacity_changes, method=body.method
        )
    except ValidationError as exc:
        _raise_validation(exc)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return Status(201, _detail_out(matching_round_detail_for_user(user=user, pk=new_round.pk)))


@router.post(
    "/matching/rounds/{round_id}/accept",
    response=AcceptOut,
    summary="接受配对，生成待签协议的帮扶关系",
)
def round_accept(request: HttpRequest, round_id: int, body: AcceptIn) -> dict[str, object]:
    _require_runner(request)
    user = request_user(request)
    round_ = matching_round_get_for_user(user=user, pk=round_id)
    try:
        partnerships = matching_proposals_accept(
            actor=user, round_=round_, proposal_ids=body.proposal_ids, modes=body.modes
        )
    except ValidationError as exc:
        _raise_validation(exc)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return {"partnership_ids": [p.pk for p in partnerships]}
