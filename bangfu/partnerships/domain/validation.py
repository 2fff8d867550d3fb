"""Validation of an agreement draft against the policy (§二, §三, §七, Annex 1, A2-四(三)).

Each rule is a named function returning ``ValidationIssue``s; ``agreement_validate`` runs them
all. ``field`` names the form field (``helper``, ``start``, ``end``, ``modes``, ``measures``,
``measures.<code>.<target key>``, ``guarantee_terms.<key>``, ``helper_exception_reason``) so
forms, Excel imports and the API can point at it; ``message`` is Chinese and cites the clause.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from bangfu.partnerships.domain.lifecycle import AgreementFacts, last_day_in_force
from bangfu.policy.domain import HelperEligibility, Policy

TargetValue = Decimal | str
TermValue = Decimal | bool


def quoted(text: str) -> str:
    """`text` in Chinese double quotes; quotes already inside it become single quotes
    (GB/T 15834 nesting), so a title such as “组团”派驻… reads “‘组团’派驻…”, never ““组团”…."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def _empty_measures() -> Mapping[str, Mapping[str, TargetValue]]:
    return MappingProxyType({})


def _empty_terms() -> Mapping[str, TermValue]:
    return MappingProxyType({})


@dataclass(frozen=True)
class AgreementDraft:
    """An agreement as entered, before it is saved.

    ``measures`` maps each chosen measure code ("M01") to its target values by key;
    ``guarantee_overrides`` maps guarantee-term keys to values replacing the policy default.
    ``id`` is the agreement being edited (None for a new one), so it does not overlap itself.
    """

    helper_province: str
    helper_grade: str
    start: date | None
    end: date | None
    id: int | None = None
    helper_exception: bool = False
    helper_exception_reason: str = ""
    modes: tuple[str, ...] = ()
    measures: Mapping[str, Mapping[str, TargetValue]] = field(default_factory=_empty_measures)
    guarantee_overrides: Mapping[str, TermValue] = field(default_factory=_empty_terms)


@dataclass(frozen=True)
class ValidationIssue:
    field: str
    message: str


def helper_eligibility_issues(
    draft: AgreementDraft, eligibility: HelperEligibility
) -> list[ValidationIssue]:
    """The helper must be an out-of-province (省外, not 贵州省) 三甲 hospital (§一, §三(二)),
    unless the draft records an explicit exception with a non-empty reason."""
    problems: list[str] = []
    if eligibility.is_home_province(draft.helper_province):
        problems.append(f"帮扶医院应为省外医院（不能是{eligibility.home_province}的医院）")
    if not eligibility.is_required_grade(draft.helper_grade):
        grade = draft.helper_grade.strip() or "未填写"
        problems.append(f"帮扶医院应为{eligibility.required_grade}医院（当前等级：{grade}）")
    if not problems:
        return []
    if draft.helper_exception and draft.helper_exception_reason.strip():
        return []
    if draft.helper_exception:
        return [
            ValidationIssue(
                "helper_exception_reason",
                f"按例外情况登记帮扶医院时必须填写例外原因（{eligibility.clause}）",
            )
        ]
    return [
        ValidationIssue(
            "helper",
            f"{problem}；如确需例外，请勾选例外并填写原因（{eligibility.clause}）",
        )
        for problem in problems
    ]


def period_issues(draft: AgreementDraft) -> list[ValidationIssue]:
    """An agreement needs a start and an end, and ends after it starts (§七 协议周期;
    附件2 一、协议期限)."""
    issues: list[ValidationIssue] = []
    if draft.start is None:
        issues.append(ValidationIssue("start", "请填写协议开始日期（附件2 一、协议期限）"))
    if draft.end is None:
        issues.append(ValidationIssue("end", "请填写协议结束日期（附件2 一、协议期限）"))
    if draft.start is not None and draft.end is not None and draft.end <= draft.start:
        issues.append(
            ValidationIssue(
                "end",
                f"协议结束日期（{draft.end.isoformat()}）应晚于开始日期"
                f"（{draft.start.isoformat()}）（§七）",
            )
        )
    return issues


def overlap_issues(
    draft: AgreementDraft, existing_cycles_of_pair: Iterable[AgreementFacts]
) -> list[ValidationIssue]:
    """A pair's cycles follow one another (§七 每3年为一个周期): the draft's period may not
    overlap another cycle of the same helper–recipient pair. Both end days are in force; a
    terminated cycle occupies its period only up to the day before its termination."""
    if draft.start is None or draft.end is None or draft.end <= draft.start:
        return []
    issues: list[ValidationIssue] = []
    others = sorted(
        (c for c in existing_cycles_of_pair if c.id != draft.id), key=lambda c: (c.start, c.id)
    )
    for cycle in others:
        last = last_day_in_force(cycle)
        if last < cycle.start:
            continue
        if draft.start <= last and cycle.start <= draft.end:
            issues.append(
                ValidationIssue(
                    "start",
                    f"协议期限与同一帮扶关系的已有协议（{cycle.start.isoformat()}至"
                    f"{last.isoformat()}）重叠，同一周期只能有一份协议（§七）",
                )
            )
    return issues


def mode_issues(draft: AgreementDraft, policy: Policy) -> list[ValidationIssue]:
    """Modes must be among the six of §二."""
    known = {mode.code for mode in policy.modes}
    return [
        ValidationIssue("modes", f"未知的帮扶方式“{code}”，应为§二规定的六种方式之一")
        for code in draft.modes
        if code not in known
    ]


def measure_issues(draft: AgreementDraft, policy: Policy) -> list[ValidationIssue]:
    """An agreement chooses at least one of the 21 measures of Annex 1 (附件2 二、协作主要内容),
    and sets every target of each chosen measure within the bounds its text states
    (e.g. A1-(1) 3-5人, A1-(7) 不少于10项, A1-(15) 不低于1:3)."""
    if not draft.measures:
        return [ValidationIssue("measures", "请至少选择一项帮扶措施（附件1；附件2 二）")]
    known = {measure.code: measure for measure in policy.measures}
    issues: list[ValidationIssue] = []
    for code in sorted(draft.measures):
        values = draft.measures[code]
        measure = known.get(code)
        if measure is None:
            issues.append(ValidationIssue("measures", f"未知的帮扶措施“{code}”（附件1 共21项）"))
            continue
        target_keys = {target.key for target in measure.targets}
        for target in measure.targets:
            where = f"measures.{code}.{target.key}"
            if target.key not in values:
                issues.append(
                    ValidationIssue(
                        where,
                        f"措施{quoted(measure.title)}的目标{quoted(target.label)}未填写（{measure.clause}）",
                    )
                )
                continue
            problem = target.value_problem(values[target.key])
            if problem is not None:
                issues.append(
                    ValidationIssue(
                        where, f"措施{quoted(measure.title)}：{problem}（{measure.clause}）"
                    )
                )
        for key in sorted(set(values) - target_keys):
            issues.append(
                ValidationIssue(
                    f"measures.{code}.{key}",
                    f"措施{quoted(measure.title)}没有目标{quoted(key)}（{measure.clause}）",
                )
            )
    return issues


def guarantee_term_issues(draft: AgreementDraft, policy: Policy) -> list[ValidationIssue]:
    """Guarantee terms overridden by the agreement must stay within the policy's bounds
    (A2-四(三) 1-7, §六; bounds in the policy file)."""
    known = {term.key: term for term in policy.guarantee_terms}
    issues: list[ValidationIssue] = []
    for key in sorted(draft.guarantee_overrides):
        where = f"guarantee_terms.{key}"
        term = known.get(key)
        if term is None:
            issues.append(ValidationIssue(where, f"未知的保障条款“{key}”（附件2 四(三)）"))
            continue
        problem = term.value_problem(draft.guarantee_overrides[key])
        if problem is not None:
            issues.append(ValidationIssue(where, f"{problem}（{term.clause}）"))
    return issues


def agreement_validate(
    draft: AgreementDraft,
    existing_cycles_of_pair: Iterable[AgreementFacts],
    policy: Policy,
) -> list[ValidationIssue]:
    """Every problem with ``draft`` (empty list when it may be saved): helper eligibility,
    period, overlap with the pair's other cycles, modes, measures and targets, guarantee
    terms, in that order."""
    return [
        *helper_eligibility_issues(draft, policy.helper_eligibility),
        *period_issues(draft),
        *overlap_issues(draft, existing_cycles_of_pair),
        *mode_issues(draft, policy),
        *measure_issues(draft, policy),
        *guarantee_term_issues(draft, policy),
    ]
