"""The facts about an expert and a deployment that the people and incentive rules read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from bangfu.policy.domain.periods import Period, covers_years


class Title(StrEnum):
    """Professional title grade (职称级别)."""

    SENIOR = "正高"
    ASSOCIATE_SENIOR = "副高"
    INTERMEDIATE = "中级"
    JUNIOR = "初级"

    @property
    def rank(self) -> int:
        """Higher is more senior: 正高 4, 副高 3, 中级 2, 初级 1."""
        return TITLE_RANKS[self]


TITLE_RANKS: dict[Title, int] = {
    Title.SENIOR: 4,
    Title.ASSOCIATE_SENIOR: 3,
    Title.INTERMEDIATE: 2,
    Title.JUNIOR: 1,
}

# Physician job titles (医师系列) and the grade each belongs to; the policy names
# the mentor threshold as a job title ("副主任医师以上", A1-(5)).
PHYSICIAN_TITLE_GRADES: dict[str, Title] = {
    "主任医师": Title.SENIOR,
    "副主任医师": Title.ASSOCIATE_SENIOR,
    "主治医师": Title.INTERMEDIATE,
    "医师": Title.JUNIOR,
    "住院医师": Title.JUNIOR,
}


def title_from_text(text: str) -> Title:
    """Read a grade (正高…初级) or a physician job title (主任医师…) as a `Title`."""
    if text in PHYSICIAN_TITLE_GRADES:
        return PHYSICIAN_TITLE_GRADES[text]
    return Title(text)


class Degree(StrEnum):
    """Highest academic degree (学历学位)."""

    DOCTORATE = "博士"
    MASTER = "硕士"
    BACHELOR = "学士"
    NONE = "无"


class DeploymentKind(StrEnum):
    """How an expert serves the recipient hospital (派驻方式)."""

    RESIDENT = "resident"
    SHORT_TERM = "short_term"
    FLEXIBLE = "flexible"
    SILVER_AGE = "silver_age"
    REMOTE = "remote"
    SHORT_TRIP = "short_trip"
    """A1-(16): a short trip of an expert already deployed to a neighbouring recipient hospital
    (巡诊、坐诊、带教 at weekends or between duties); it may overlap the on-site deployment."""

    @property
    def label(self) -> str:
        return DEPLOYMENT_KIND_LABELS[self]

    @property
    def on_site(self) -> bool:
        """The expert is stationed on site at the recipient: every kind but remote and the
        A1-(16) short trip, which is a visit paid under the deployment the expert came from."""
        return self not in (DeploymentKind.REMOTE, DeploymentKind.SHORT_TRIP)


DEPLOYMENT_KIND_LABELS: dict[DeploymentKind, str] = {
    DeploymentKind.RESIDENT: "常驻",
    DeploymentKind.SHORT_TERM: "短期",
    DeploymentKind.FLEXIBLE: "柔性",
    DeploymentKind.SILVER_AGE: "银龄",
    DeploymentKind.REMOTE: "远程",
    DeploymentKind.SHORT_TRIP: "相邻受扶医院巡诊",
}


@dataclass(frozen=True)
class Expert:
    title: Title
    degree: Degree
    prior_year_pay: Decimal
    """Pay at the home hospital in the year before dispatch, performance pay included (yuan)."""
    outstanding: bool
    """Recognised as an outstanding performer (表现突出), the gate of the monthly subsidy."""
    leadership_qualified: bool
    """Holds the qualifications and conditions for public-hospital leadership posts."""
    recognised: tuple[Period, ...] | None = None
    """The days recognised as outstanding (dated recognitions, §六; open-ended ones end on
    `date.max`). None: `outstanding` holds for every day (previews and hypothetical cases)."""

    def __post_init__(self) -> None:
        if self.prior_year_pay < 0:
            raise ValueError("派驻前一年度薪酬不能为负数")


@dataclass(frozen=True)
class Deployment:
    kind: DeploymentKind
    start: date
    planned_end: date

    def __post_init__(self) -> None:
        if self.planned_end < self.start:
            raise ValueError(f"计划结束日期 {self.planned_end} 早于开始日期 {self.start}")

    @property
    def span(self) -> Period:
        return Period(self.start, self.planned_end)

    def resident_for_years(self, years: int) -> bool:
        """A resident deployment whose plan covers `years` years (see `covers_years`)."""
        return self.kind is DeploymentKind.RESIDENT and covers_years(
            self.start, self.planned_end, years
        )
