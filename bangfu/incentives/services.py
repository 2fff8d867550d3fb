"""Writes to the incentives ledger (F5; §六; A2-四(三)). One transaction and one audit row each.

Who records what: the recipient hospital that pays (or the province) records insurance, health
checks, tourism cards and its yearly work fund; travel claims also by the expert themself.
Bad input raises `ValidationError` keyed by field (Chinese) and writes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from bangfu.accounts.models import Role, User
from bangfu.core.audit import audit_changes, audit_record, model_snapshot
from bangfu.incentives.domain.money import yuan
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
    TourismCard,
    TravelClaim,
    WorkFund,
)
from bangfu.people import access
from bangfu.people.models import Deployment, Expert
from bangfu.people.selectors import policy_rates, today_local
from bangfu.registry.models import Institution, InstitutionCategory

RECEIPT_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")
RECEIPT_MAX_BYTES = 10 * 1024 * 1024


def _raise(errors: list[tuple[str, str]]) -> None:
    collected: dict[str, list[str]] = {}
    for where, message in errors:
        collected.setdefault(where, []).append(message)
    if collected:
        raise ValidationError(collected)


@transaction.atomic
def travel_claim_create(
    *,
    actor: User,
    deployment: Deployment,
    date: date,
    amount: Decimal,
    receipt: UploadedFile[bytes] | None = None,
    note: str = "",
    today: date | None = None,
) -> TravelClaim:
    """Record one round trip (§六; A2-四(三)4). Whether it is reimbursed (one a month, on-site
    deployments only) is decided on the statement by `travel_reimbursement`, with a reason."""
    deployment = Deployment.objects.select_related("expert", "team__partnership").get(
        pk=deployment.pk
    )
    allowed = access.is_the_expert(actor, deployment.expert) or access.can_pay(
        actor, deployment.team.partnership
    )
    if not allowed:
        raise PermissionDenied("只有专家本人、受扶医院或省卫健委可以登记交通费")
    today = today or today_local()
    errors = []
    if amount < 0:
        errors.append(("amount", "金额不能为负数"))
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors.append(("amount", "金额最多保留两位小数"))
    if date > today:
        errors.append(("date", "乘车日期不能晚于今天"))
    if not deployment.start <= date <= deployment.effective_end:
        errors.append(
            (
                "date",
                f"乘车日期应在派驻期内（{deployment.start:%Y-%m-%d}至"
                f"{deployment.effective_end:%Y-%m-%d}）",
            )
        )
    if receipt is not None:
        if not (receipt.name or "").lower().endswith(RECEIPT_SUFFIXES):
            errors.append(("receipt", "票据应为 PDF、JPG 或 PNG 文件"))
        elif (receipt.size or 0) > RECEIPT_MAX_BYTES:
            errors.append(("receipt", "票据文件不能超过 10 MB"))
    _raise(errors)
    claim = TravelClaim(deployment=deployment, date=date, amount=amount, note=note.strip())
    if receipt is not None:
        claim.receipt.save(receipt.name or "receipt.pdf", receipt, save=False)
    claim.save()
    audit_record(
        actor=actor,
        action="create",
        obj=claim,
        after=model_snapshot(claim, ("deployment", "date", "amount", "receipt", "note")),
    )
    return claim


def _check_pays_for(actor: User, expert: Expert, what: str) -> None:
    if not access.can_pay_for_expert(actor, expert):
        raise PermissionDenied(f"只有专家服务的受扶医院或省卫健委可以登记{what}")


@transaction.atomic
def insurance_policy_create(
    *,
    actor: User,
    expert: Expert,
    insurer: str,
    policy_number: str,
    coverage: Decimal,
    start: date,
    end: date,
) -> InsurancePolicy:
    """Record an accident-insurance policy; cover of at least 1,000,000 yuan (§六; A2-四(三)3)."""
    _check_pays_for(actor, expert, "意外伤害保险")
    minimum = policy_rates().insurance_min_coverage
    errors = []
    if not insurer.strip():
        errors.append(("insurer", "请填写保险公司"))
    if not policy_number.strip():
        errors.append(("policy_number", "请填写保单号"))
    elif InsurancePolicy.objects.filter(
        insurer=insurer.strip(), policy_number=policy_number.strip()
    ).exists():
        errors.append(("policy_number", "该保单已登记"))
    if coverage < minimum:
        errors.append(("coverage", f"保额不能低于{yuan(minimum)}元（依据§六；A2-四(三)3）"))
    if end < start:
        errors.append(("end", "保险止期不能早于起期"))
    _raise(errors)
    policy = InsurancePolicy.objects.create(
        expert=expert,
        insurer=insurer.strip(),
        policy_number=policy_number.strip(),
        coverage=coverage,
        start=start,
        end=end,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=policy,
        after=model_snapshot(
            policy, ("expert", "insurer", "policy_number", "coverage", "start", "end")
        ),
    )
    return policy


@transaction.atomic
def health_check_create(
    *,
    actor: User,
    expert: Expert,
    checked_on: date,
    provider: str = "",
    today: date | None = None,
) -> HealthCheck:
    """Record a yearly health check (§六; A2-四(三)3)."""
    _check_pays_for(actor, expert, "健康体检")
    if checked_on > (today or today_local()):
        _raise([("checked_on", "体检日期不能晚于今天")])
    check = HealthCheck.objects.create(
        expert=expert, checked_on=checked_on, provider=provider.strip()
    )
    audit_record(
        actor=actor,
        action="create",
        obj=check,
        after=model_snapshot(check, ("expert", "checked_on", "provider")),
    )
    return check


@transaction.atomic
def tourism_card_create(
    *,
    actor: User,
    expert: Expert,
    card_number: str,
    issued_on: date,
    expires_on: date | None = None,
    electronic: bool = False,
) -> TourismCard:
    """Record a 援黔专家旅游优惠证 (§五 文旅厅; §六; A2-四(三)7)."""
    _check_pays_for(actor, expert, "旅游优惠证")
    errors = []
    if not card_number.strip():
        errors.append(("card_number", "请填写证号"))
    elif TourismCard.objects.filter(card_number=card_number.strip()).exists():
        errors.append(("card_number", "该证号已登记"))
    if expires_on is not None and expires_on < issued_on:
        errors.append(("expires_on", "有效期不能早于办理日期"))
    _raise(errors)
    card = TourismCard.objects.create(
        expert=expert,
        card_number=card_number.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        electronic=electronic,
    )
    audit_record(
        actor=actor,
        action="create",
        obj=card,
        after=model_snapshot(
            card, ("expert", "card_number", "issued_on", "expires_on", "electronic")
        ),
    )
    return card


@transaction.atomic
def work_fund_set(
    *, actor: User, recipient: Institution, year: int, amount: Decimal, note: str = ""
) -> WorkFund:
    """Record (or correct) a recipient hospital's work fund for a year; at most the 200,000 yuan
    standard (§六; A2-四(三)5)."""
    if not (
        actor.role == Role.PROVINCE
        or (actor.role == Role.RECIPIENT and actor.institution_id == recipient.pk)
    ):
        raise PermissionDenied("只有受扶医院本院或省卫健委可以登记工作经费")
    standard = policy_rates().work_fund_per_hospital_per_year
    errors = []
    if recipient.category != InstitutionCategory.RECIPIENT:
        errors.append(("recipient", f"「{recipient.name}」不是受扶医院"))
    if not 2000 <= year <= 2100:
        errors.append(("year", "年度应为四位年份"))
    if amount < 0:
        errors.append(("amount", "金额不能为负数"))
    elif amount > standard:
        errors.append(("amount", f"不能超过每年{yuan(standard)}元的标准（依据§六；A2-四(三)5）"))
    _raise(errors)
    fund = WorkFund.objects.select_for_update().filter(recipient=recipient, year=year).first()
    if fund is None:
        fund = WorkFund.objects.create(
            recipient=recipient, year=year, amount=amount, note=note.strip()
        )
        audit_record(
            actor=actor,
            action="create",
            obj=fund,
            after=model_snapshot(fund, ("recipient", "year", "amount", "note")),
        )
        return fund
    before = model_snapshot(fund, ("amount", "note"))
    fund.amount = amount
    fund.note = note.strip()
    after = model_snapshot(fund, ("amount", "note"))
    changed = audit_changes(before, after)
    if changed:
        fund.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="update",
            obj=fund,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return fund
