"""Demo self-assessments: the year before the demo day opened, one assessment in every status.

The demo personas' own assessment (威宁县人民医院 with 广州市番禺区中心医院, in demo_county's
county and demo_prefecture's prefecture) stays a draft so the whole chain can be walked through
by hand or by the browser test; the others are spread over the statuses, a returned one among
them, with their review steps recorded (by the system: the demo has no officer for every county).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.assessments.domain.review import LEVEL_CODES, Level, Rating, Status
from bangfu.assessments.models import Approval, Assessment
from bangfu.assessments.services import assessment_year_open

MAIN_HELPER = "广州市番禺区中心医院"
MAIN_RECIPIENT = "威宁彝族回族苗族自治县人民医院"

# The statuses given to the other assessments in turn, and the steps that lead to each.
CYCLE = (
    Status.SUBMITTED,
    Status.COUNTY_APPROVED,
    Status.PREFECTURE_APPROVED,
    Status.ACCEPTED,
    Status.RETURNED,
    Status.DRAFT,
)
STEPS: dict[Status, list[tuple[Level, str, str]]] = {
    Status.DRAFT: [],
    Status.SUBMITTED: [(Level.HOSPITAL, "submit", "")],
    Status.COUNTY_APPROVED: [(Level.HOSPITAL, "submit", ""), (Level.COUNTY, "approve", "同意")],
    Status.PREFECTURE_APPROVED: [
        (Level.HOSPITAL, "submit", ""),
        (Level.COUNTY, "approve", "同意"),
        (Level.PREFECTURE, "approve", "同意上报"),
    ],
    Status.ACCEPTED: [
        (Level.HOSPITAL, "submit", ""),
        (Level.COUNTY, "approve", "同意"),
        (Level.PREFECTURE, "approve", "同意上报"),
        (Level.PROVINCE, "accept", "验收通过"),
    ],
    Status.RETURNED: [
        (Level.HOSPITAL, "submit", ""),
        (Level.COUNTY, "return", "请补充各措施的完成数据和佐证材料（演示）"),
    ],
}


@transaction.atomic
def assessments_demo_load(*, actor: User | None, today: date) -> int:
    """Open last year's self-assessment and spread it over the statuses; returns how many
    assessments were created (0 when the demo already has them)."""
    if Assessment.objects.filter(is_demo=True).exists():
        return 0
    year = today.year - 1
    opened = assessment_year_open(actor=actor, year=year, due_on=date(today.year, 3, 31))
    assessments = list(
        Assessment.objects.filter(year=year, agreement__partnership__is_demo=True)
        .select_related("agreement__partnership__helper", "agreement__partnership__recipient")
        .prefetch_related("agreement__measures")
        .order_by("pk")
    )
    approvals = []
    start = timezone.make_aware(datetime.combine(date(today.year, 1, 10), time(9, 0)))
    others = 0
    for assessment in assessments:
        partnership = assessment.agreement.partnership
        main = (
            partnership.helper.name == MAIN_HELPER and partnership.recipient.name == MAIN_RECIPIENT
        )
        status = Status.DRAFT if main else CYCLE[others % len(CYCLE)]
        others += 0 if main else 1
        assessment.is_demo = True
        assessment.status = status.value
        if status is not Status.DRAFT:
            codes = sorted(m.code for m in assessment.agreement.measures.all())
            ratings = [Rating.COMPLETED, Rating.BASICALLY_COMPLETED, Rating.NOT_COMPLETED]
            assessment.ratings = {c: ratings[i % 3].value for i, c in enumerate(codes)}
            assessment.results_text = (
                "按协议开展驻点帮扶、远程会诊和专科建设，年度任务大部分完成（演示）。"
            )
            assessment.problems_text = "部分措施进度滞后，人才梯队仍需加强（演示）。"
            assessment.next_steps_text = "下一年度重点推进中心建设和制度完善（演示）。"
            assessment.helper_comments = "帮扶医院认可自评结果（演示）。"
            assessment.submitted_at = start
        for index, (level, decision, comment) in enumerate(STEPS[status]):
            approvals.append(
                Approval(
                    assessment=assessment,
                    level=LEVEL_CODES[level],
                    decision=decision,
                    by=None,
                    at=start + timedelta(days=7 * index),
                    comment=comment,
                )
            )
    Assessment.objects.bulk_update(
        assessments,
        [
            "is_demo",
            "status",
            "ratings",
            "results_text",
            "problems_text",
            "next_steps_text",
            "helper_comments",
            "submitted_at",
        ],
    )
    Approval.objects.bulk_create(approvals)
    return opened.created
