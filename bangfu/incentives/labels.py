"""What the statement, budget and payment pages call each benefit item, and why a masked
amount is masked (ADR 0004)."""

from __future__ import annotations

from bangfu.incentives.domain.benefits import BenefitItem

ITEM_LABELS: dict[BenefitItem, str] = {
    BenefitItem.SALARY_TOP_UP: "薪酬补足差额",
    BenefitItem.MONTHLY_SUBSIDY: "每月补贴",
    BenefitItem.SETTLING_IN: "到岗生活必需品一次性报销",
    BenefitItem.TRAVEL: "往返交通费",
    BenefitItem.WORK_FUND: "受扶医院工作经费",
}
ITEM_ORDER = tuple(ITEM_LABELS)
HIDDEN_REASON = "涉及专家个人薪酬，仅专家本人、其服务的受扶医院和省卫健委可见"
