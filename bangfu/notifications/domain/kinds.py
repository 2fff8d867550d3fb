"""The kinds of notification a user can receive, each with its Chinese label (F11).

A user chooses per kind whether it also arrives by e-mail; the in-app inbox always has it."""

from __future__ import annotations

AGREEMENT_EXPIRING = "agreement_expiring"
AGREEMENT_UNFILED = "agreement_unfiled"
AGREEMENT_UNSIGNED = "agreement_unsigned"
INSURANCE_ENDING = "insurance_ending"
STATEMENTS_PENDING = "statements_pending"
TASK_ASSIGNED = "task_assigned"
TASK_DUE = "task_due"
PROBLEM_ANSWERED = "problem_answered"
PROBLEM_ROUTED = "problem_routed"
ASSESSMENT_RETURNED = "assessment_returned"
ASSESSMENT_APPROVED = "assessment_approved"
MATCH_ACCEPTED = "match_accepted"
SCITECH_STATUS = "scitech_status"
GENERAL = "general"

KIND_LABELS: dict[str, str] = {
    AGREEMENT_EXPIRING: "协议即将到期",
    AGREEMENT_UNFILED: "协议签订后未备案",
    AGREEMENT_UNSIGNED: "协议草稿未签订",
    INSURANCE_ENDING: "专家保险即将到期",
    STATEMENTS_PENDING: "待遇结算待核定",
    TASK_ASSIGNED: "协作任务分派",
    TASK_DUE: "跟进任务到期",
    PROBLEM_ANSWERED: "问题答复",
    PROBLEM_ROUTED: "转来的问题",
    ASSESSMENT_RETURNED: "自查自评被退回",
    ASSESSMENT_APPROVED: "自查自评审核通过",
    MATCH_ACCEPTED: "结对匹配已确认",
    SCITECH_STATUS: "科技项目状态更新",
    GENERAL: "其他通知",
}

# Kinds sent by e-mail unless the user turned them off (all of them: a reminder nobody reads
# is the problem F11 solves).
EMAIL_BY_DEFAULT: frozenset[str] = frozenset(KIND_LABELS)

# An e-mail that fails is retried by re-enqueueing it, at most this many attempts in all.
EMAIL_MAX_ATTEMPTS = 3


def email_wanted(kind: str, choices: dict[str, bool]) -> bool:
    """Whether a notification of `kind` also goes out by e-mail: the user's own choice for the
    kind when made, otherwise the default."""
    if kind in choices:
        return choices[kind]
    return kind in EMAIL_BY_DEFAULT


# Who acts on an object of each kind, among the parties it concerns: the users of the recipient
# hospital, of the helper hospital and the county office of the recipient's county. The one
# table `users_acting_on` reads (each such user's scope contains the object by construction).
RECIPIENT_SIDE = "recipient"
HELPER_SIDE = "helper"
COUNTY_SIDE = "county"
ACTING_SIDES: dict[str, frozenset[str]] = {
    AGREEMENT_EXPIRING: frozenset({RECIPIENT_SIDE, HELPER_SIDE, COUNTY_SIDE}),
    AGREEMENT_UNFILED: frozenset({RECIPIENT_SIDE, HELPER_SIDE, COUNTY_SIDE}),
    AGREEMENT_UNSIGNED: frozenset({RECIPIENT_SIDE, HELPER_SIDE, COUNTY_SIDE}),
    INSURANCE_ENDING: frozenset({RECIPIENT_SIDE, HELPER_SIDE}),
    # The recipient hospital pays and approves (§六; A2-四(三)), so only its users act.
    STATEMENTS_PENDING: frozenset({RECIPIENT_SIDE}),
}
