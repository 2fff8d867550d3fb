"""Writes to the incentives ledger (F5; §六; A2-四(三)). One transaction and one audit row each.

Who records what: the recipient hospital that pays (or the province) records insurance, health
checks, tourism cards and its yearly work fund; travel claims also by the expert themself. The
same people correct and remove those rows: an update is checked by the same rules as a create
(`_*_errors` below), and moving a row to another expert or deployment needs the right to record
for both.
Bad input raises `ValidationError` keyed by field (Chinese) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction

from bangfu.accounts.models import Role, User
from bangfu.core.audit import audit_record, model_snapshot, save_changes_audited
from bangfu.core.duplicates import DuplicateError, refusing_duplicates
from bangfu.core.uploads import (
    RECEIPT_KINDS,
    file_delete_on_commit,
    upload_problem,
    upload_stored_name,
)
from bangfu.core.validation import raise_if_any
from bangfu.incentives.agreement_terms import policy_rates
from bangfu.incentives.budget_selectors import hospital_rates_for_year
from bangfu.incentives.models import (
    HealthCheck,
    InsurancePolicy,
    TourismCard,
    TravelClaim,
    WorkFund,
)
from bangfu.incentives.statement_selectors import ExpertStatement
from bangfu.partnerships.models import Agreement
from bangfu.people import access
from bangfu.people.models import Deployment, Expert
from bangfu.people.selectors import today_local
from bangfu.people.services import expert_sensitive_view
from bangfu.policy.domain.dates import programme_date_issues
from bangfu.policy.domain.money import yuan
from bangfu.registry.models import Institution, InstitutionCategory

CENT = Decimal("0.01")

TRAVEL_CLAIM_FIELDS = ("deployment", "date", "amount", "receipt", "note")
INSURANCE_POLICY_FIELDS = ("expert", "insurer", "policy_number", "coverage", "start", "end")
HEALTH_CHECK_FIELDS = ("expert", "checked_on", "provider")
TOURISM_CARD_FIELDS = ("expert", "card_number", "issued_on", "expires_on", "electronic")
WORK_FUND_FIELDS = ("recipient", "year", "amount", "note")

Errors = list[tuple[str, str]]


def _delete_audited(*, actor: User, obj: models.Model, fields: Sequence[str]) -> None:
    audit_record(actor=actor, action="delete", obj=obj, before=model_snapshot(obj, fields))
    obj.delete()


# ---- travel claims ----


def _deployment_for_check(deployment_id: int) -> Deployment:
    return Deployment.objects.select_related("expert", "team__partnership").get(pk=deployment_id)


def _check_records_travel(actor: User, deployment: Deployment) -> None:
    allowed = access.is_the_expert(actor, deployment.expert) or access.can_pay(
        actor, deployment.team.partnership
    )
    if not allowed:
        raise PermissionDenied("只有专家本人、受扶医院或省卫健委可以登记交通费")


def _travel_claim_errors(
    *,
    deployment: Deployment,
    date: date,
    amount: Decimal,
    receipt: UploadedFile[bytes] | None,
    today: date,
) -> Errors:
    """A trip is within the deployment and not in the future; the amount is in yuan and cents;
    a receipt is a PDF, JPEG or PNG by content, at most UPLOAD_MAX_BYTES (`upload_problem`)."""
    errors: Errors = programme_date_issues(date=date)
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
    problem = upload_problem(receipt, label="票据", kinds=RECEIPT_KINDS) if receipt else None
    if problem is not None:
        errors.append(("receipt", problem))
    return errors


def _refuse_duplicate_trip(
    *, deployment: Deployment, date: date, amount: Decimal, claim_id: int | None
) -> None:
    """The same expert, date and amount recorded already (under any of the expert's
    deployments) is the same trip claimed twice. The expert's row is locked first, so two
    identical claims sent together are decided one after the other."""
    Expert.objects.select_for_update().get(pk=deployment.expert_id)
    duplicate = (
        TravelClaim.objects.filter(deployment__expert_id=deployment.expert_id, date=date)
        .filter(amount=amount)
        .exclude(pk__in=[] if claim_id is None else [claim_id])
        .exists()
    )
    if duplicate:
        raise DuplicateError({"date": [_duplicate_trip_message(date, amount)]})


def _duplicate_trip_message(date: date, amount: Decimal) -> str:
    return f"{date:%Y-%m-%d} 金额 {yuan(amount)} 元的往返交通费已登记，请勿重复登记"


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
    deployment = _deployment_for_check(deployment.pk)
    _check_records_travel(actor, deployment)
    raise_if_any(
        _travel_claim_errors(
            deployment=deployment,
            date=date,
            amount=amount,
            receipt=receipt,
            today=today or today_local(),
        )
    )
    _refuse_duplicate_trip(deployment=deployment, date=date, amount=amount, claim_id=None)
    claim = TravelClaim(deployment=deployment, date=date, amount=amount, note=note.strip())
    if receipt is not None:
        claim.receipt.save(upload_stored_name(receipt, RECEIPT_KINDS), receipt, save=False)
    with refusing_duplicates("date", _duplicate_trip_message(date, amount)):
        claim.save()
    audit_record(
        actor=actor,
        action="create",
        obj=claim,
        after=model_snapshot(claim, TRAVEL_CLAIM_FIELDS),
    )
    return claim


@transaction.atomic
def travel_claim_update(
    *,
    actor: User,
    claim: TravelClaim,
    deployment: Deployment,
    date: date,
    amount: Decimal,
    receipt: UploadedFile[bytes] | None = None,
    remove_receipt: bool = False,
    note: str = "",
    today: date | None = None,
) -> TravelClaim:
    """Correct a travel claim. `receipt` replaces the receipt, `remove_receipt` drops it; with
    neither the receipt stays. A replaced or removed file leaves storage once the change
    commits; the audit row names the old and the new file."""
    claim = TravelClaim.objects.select_for_update().get(pk=claim.pk)
    _check_records_travel(actor, _deployment_for_check(claim.deployment_id))
    deployment = _deployment_for_check(deployment.pk)
    _check_records_travel(actor, deployment)
    raise_if_any(
        _travel_claim_errors(
            deployment=deployment,
            date=date,
            amount=amount,
            receipt=receipt,
            today=today or today_local(),
        )
    )
    _refuse_duplicate_trip(deployment=deployment, date=date, amount=amount, claim_id=claim.pk)
    before = model_snapshot(claim, TRAVEL_CLAIM_FIELDS)
    claim.deployment = deployment
    claim.date = date
    claim.amount = amount.quantize(CENT)
    claim.note = note.strip()
    replaced = claim.receipt.name or ""
    if receipt is not None:
        claim.receipt.save(upload_stored_name(receipt, RECEIPT_KINDS), receipt, save=False)
    elif remove_receipt:
        claim.receipt = ""
    if replaced != (claim.receipt.name or ""):
        file_delete_on_commit(claim.receipt.storage, replaced)
    with refusing_duplicates("date", _duplicate_trip_message(date, amount)):
        save_changes_audited(actor=actor, obj=claim, fields=TRAVEL_CLAIM_FIELDS, before=before)
    return claim


@transaction.atomic
def travel_claim_delete(*, actor: User, claim: TravelClaim) -> None:
    """Remove a travel claim recorded in error; its receipt file leaves storage once this
    commits (the audit row names it)."""
    claim = TravelClaim.objects.select_for_update().get(pk=claim.pk)
    _check_records_travel(actor, _deployment_for_check(claim.deployment_id))
    file_delete_on_commit(claim.receipt.storage, claim.receipt.name or "")
    _delete_audited(actor=actor, obj=claim, fields=TRAVEL_CLAIM_FIELDS)


# ---- insurance, health checks and tourism cards: recorded by whoever pays for the expert ----


def _check_pays_for(actor: User, expert: Expert, what: str) -> None:
    if not access.can_pay_for_expert(actor, expert):
        raise PermissionDenied(f"只有专家服务的受扶医院或省卫健委可以登记{what}")


def _insurance_policy_errors(
    *,
    insurer: str,
    policy_number: str,
    coverage: Decimal,
    start: date,
    end: date,
    policy_id: int | None,
) -> Errors:
    """Cover of at least the policy minimum (1,000,000 yuan), a period that does not end before
    it starts, and a policy number not recorded already with the same insurer."""
    minimum = policy_rates().insurance_min_coverage
    errors: Errors = programme_date_issues(start=start, end=end)
    if not insurer.strip():
        errors.append(("insurer", "请填写保险公司"))
    if not policy_number.strip():
        errors.append(("policy_number", "请填写保单号"))
    elif (
        InsurancePolicy.objects.filter(insurer=insurer.strip(), policy_number=policy_number.strip())
        .exclude(pk__in=[] if policy_id is None else [policy_id])
        .exists()
    ):
        errors.append(("policy_number", "该保单已登记"))
    if coverage < minimum:
        errors.append(("coverage", f"保额不能低于{yuan(minimum)}元（依据§六；A2-四(三)3）"))
    if end < start:
        errors.append(("end", "保险止期不能早于起期"))
    return errors


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
    raise_if_any(
        _insurance_policy_errors(
            insurer=insurer,
            policy_number=policy_number,
            coverage=coverage,
            start=start,
            end=end,
            policy_id=None,
        )
    )
    # Two identical requests together both pass the check above; the unique policy decides.
    with refusing_duplicates("policy_number", "该保单已登记"):
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
        after=model_snapshot(policy, INSURANCE_POLICY_FIELDS),
    )
    return policy


@transaction.atomic
def insurance_policy_update(
    *,
    actor: User,
    policy: InsurancePolicy,
    expert: Expert,
    insurer: str,
    policy_number: str,
    coverage: Decimal,
    start: date,
    end: date,
) -> InsurancePolicy:
    """Correct an accident-insurance policy, by the rules of recording one (§六; A2-四(三)3)."""
    policy = InsurancePolicy.objects.select_for_update().get(pk=policy.pk)
    _check_pays_for(actor, policy.expert, "意外伤害保险")
    _check_pays_for(actor, expert, "意外伤害保险")
    raise_if_any(
        _insurance_policy_errors(
            insurer=insurer,
            policy_number=policy_number,
            coverage=coverage,
            start=start,
            end=end,
            policy_id=policy.pk,
        )
    )
    before = model_snapshot(policy, INSURANCE_POLICY_FIELDS)
    policy.expert = expert
    policy.insurer = insurer.strip()
    policy.policy_number = policy_number.strip()
    policy.coverage = coverage.quantize(CENT)
    policy.start = start
    policy.end = end
    save_changes_audited(actor=actor, obj=policy, fields=INSURANCE_POLICY_FIELDS, before=before)
    return policy


@transaction.atomic
def insurance_policy_delete(*, actor: User, policy: InsurancePolicy) -> None:
    policy = InsurancePolicy.objects.select_for_update().get(pk=policy.pk)
    _check_pays_for(actor, policy.expert, "意外伤害保险")
    _delete_audited(actor=actor, obj=policy, fields=INSURANCE_POLICY_FIELDS)


def _health_check_errors(*, checked_on: date, today: date) -> Errors:
    errors: Errors = programme_date_issues(checked_on=checked_on)
    if checked_on > today:
        errors.append(("checked_on", "体检日期不能晚于今天"))
    return errors


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
    raise_if_any(_health_check_errors(checked_on=checked_on, today=today or today_local()))
    check = HealthCheck.objects.create(
        expert=expert, checked_on=checked_on, provider=provider.strip()
    )
    audit_record(
        actor=actor,
        action="create",
        obj=check,
        after=model_snapshot(check, HEALTH_CHECK_FIELDS),
    )
    return check


@transaction.atomic
def health_check_update(
    *,
    actor: User,
    check: HealthCheck,
    expert: Expert,
    checked_on: date,
    provider: str = "",
    today: date | None = None,
) -> HealthCheck:
    check = HealthCheck.objects.select_for_update().get(pk=check.pk)
    _check_pays_for(actor, check.expert, "健康体检")
    _check_pays_for(actor, expert, "健康体检")
    raise_if_any(_health_check_errors(checked_on=checked_on, today=today or today_local()))
    before = model_snapshot(check, HEALTH_CHECK_FIELDS)
    check.expert = expert
    check.checked_on = checked_on
    check.provider = provider.strip()
    save_changes_audited(actor=actor, obj=check, fields=HEALTH_CHECK_FIELDS, before=before)
    return check


@transaction.atomic
def health_check_delete(*, actor: User, check: HealthCheck) -> None:
    check = HealthCheck.objects.select_for_update().get(pk=check.pk)
    _check_pays_for(actor, check.expert, "健康体检")
    _delete_audited(actor=actor, obj=check, fields=HEALTH_CHECK_FIELDS)


def _tourism_card_errors(
    *, card_number: str, issued_on: date, expires_on: date | None, card_id: int | None
) -> Errors:
    errors: Errors = programme_date_issues(issued_on=issued_on, expires_on=expires_on)
    if not card_number.strip():
        errors.append(("card_number", "请填写证号"))
    elif (
        TourismCard.objects.filter(card_number=card_number.strip())
        .exclude(pk__in=[] if card_id is None else [card_id])
        .exists()
    ):
        errors.append(("card_number", "该证号已登记"))
    if expires_on is not None and expires_on < issued_on:
        errors.append(("expires_on", "有效期不能早于办理日期"))
    return errors


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
    raise_if_any(
        _tourism_card_errors(
            card_number=card_number, issued_on=issued_on, expires_on=expires_on, card_id=None
        )
    )
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
        after=model_snapshot(card, TOURISM_CARD_FIELDS),
    )
    return card


@transaction.atomic
def tourism_card_update(
    *,
    actor: User,
    card: TourismCard,
    expert: Expert,
    card_number: str,
    issued_on: date,
    expires_on: date | None = None,
    electronic: bool = False,
) -> TourismCard:
    card = TourismCard.objects.select_for_update().get(pk=card.pk)
    _check_pays_for(actor, card.expert, "旅游优惠证")
    _check_pays_for(actor, expert, "旅游优惠证")
    raise_if_any(
        _tourism_card_errors(
            card_number=card_number, issued_on=issued_on, expires_on=expires_on, card_id=card.pk
        )
    )
    before = model_snapshot(card, TOURISM_CARD_FIELDS)
    card.expert = expert
    card.card_number = card_number.strip()
    card.issued_on = issued_on
    card.expires_on = expires_on
    card.electronic = electronic
    save_changes_audited(actor=actor, obj=card, fields=TOURISM_CARD_FIELDS, before=before)
    return card


@transaction.atomic
def tourism_card_delete(*, actor: User, card: TourismCard) -> None:
    card = TourismCard.objects.select_for_update().get(pk=card.pk)
    _check_pays_for(actor, card.expert, "旅游优惠证")
    _delete_audited(actor=actor, obj=card, fields=TOURISM_CARD_FIELDS)


# ---- work funds ----


def _check_funds(actor: User, recipient: Institution) -> None:
    if not (
        actor.role == Role.PROVINCE
        or (actor.role == Role.RECIPIENT and actor.institution_id == recipient.pk)
    ):
        raise PermissionDenied("只有受扶医院本院或省卫健委可以登记工作经费")


def _work_fund_errors(*, recipient: Institution, year: int, amount: Decimal) -> Errors:
    """A recipient hospital, a four-digit year, and at most the yearly standard."""
    # The figure agreed in the hospital's agreement for the year where it sets one (A2-四(三)5).
    standard = hospital_rates_for_year(
        Agreement.objects.filter(partnership__recipient=recipient), year, policy_rates()
    ).work_fund_per_hospital_per_year
    errors: Errors = []
    if recipient.category != InstitutionCategory.RECIPIENT:
        errors.append(("recipient", f"「{recipient.name}」不是受扶医院"))
    if not 2000 <= year <= 2100:
        errors.append(("year", "年度应为四位年份"))
    if amount < 0:
        errors.append(("amount", "金额不能为负数"))
    elif amount > standard:
        errors.append(("amount", f"不能超过每年{yuan(standard)}元的标准（依据§六；A2-四(三)5）"))
    return errors


def work_fund_set(
    *, actor: User, recipient: Institution, year: int, amount: Decimal, note: str = ""
) -> WorkFund:
    """Record (or correct) a recipient hospital's work fund for a year (`work_fund_save`)."""
    fund, _created = work_fund_save(
        actor=actor, recipient=recipient, year=year, amount=amount, note=note
    )
    return fund


@transaction.atomic
def work_fund_save(
    *, actor: User, recipient: Institution, year: int, amount: Decimal, note: str = ""
) -> tuple[WorkFund, bool]:
    """Record (or correct) a recipient hospital's work fund for a year; at most the 200,000 yuan
    standard (§六; A2-四(三)5). Returns the fund and whether this call recorded it first."""
    # The recipient's row is locked first: two first records for a year sent together are
    # decided one after the other (the second corrects the first), never two inserts.
    Institution.objects.select_for_update().get(pk=recipient.pk)
    _check_funds(actor, recipient)
    raise_if_any(_work_fund_errors(recipient=recipient, year=year, amount=amount))
    fund = WorkFund.objects.select_for_update().filter(recipient=recipient, year=year).first()
    if fund is None:
        with refusing_duplicates("year", f"「{recipient.name}」{year}年度的工作经费已登记"):
            fund = WorkFund.objects.create(
                recipient=recipient, year=year, amount=amount, note=note.strip()
            )
        audit_record(
            actor=actor,
            action="create",
            obj=fund,
            after=model_snapshot(fund, WORK_FUND_FIELDS),
        )
        return fund, True
    before = model_snapshot(fund, ("amount", "note"))
    fund.amount = amount
    fund.note = note.strip()
    save_changes_audited(actor=actor, obj=fund, fields=("amount", "note"), before=before)
    return fund, False


@transaction.atomic
def work_fund_delete(*, actor: User, fund: WorkFund) -> None:
    fund = WorkFund.objects.select_for_update().get(pk=fund.pk)
    _check_funds(actor, fund.recipient)
    _delete_audited(actor=actor, obj=fund, fields=WORK_FUND_FIELDS)


def statement_sensitive_view(*, actor: User, statement: ExpertStatement, channel: str) -> None:
    """A statement with a salary top-up gives away pay (§六: 1.5 × pay × d/Y − home pay), so an
    entitled reader's view of it is recorded like a full view of the expert's detail (ADR 0004);
    nothing is recorded for readers who see it masked."""
    if statement.has_top_up:
        expert_sensitive_view(
            actor=actor, expert=statement.expert, channel=channel, shown="薪酬补足（可推算薪酬）"
        )
