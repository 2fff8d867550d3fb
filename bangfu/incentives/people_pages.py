"""What incentives adds to people's pages (registered in `IncentivesConfig.ready()`, see
`people.contributions`): the 待遇台账 section of the expert page, and the insurance cover and
health checks the team composition check reads (§六; A2-四(三)3)."""

from __future__ import annotations

from bangfu.incentives.ledger_selectors import expert_ledger_for_user
from bangfu.people.contributions import ExpertPageReader, ExpertSection
from bangfu.people.models import Expert


def expert_ledger_section(*, reader: ExpertPageReader, expert: Expert) -> ExpertSection:
    """The expert page's ledger: the rows, and the links to record more where the reader may."""
    ledger = expert_ledger_for_user(user=reader.user, expert=expert)
    return ExpertSection(
        template="incentives/_expert_ledger.html",
        context={
            "expert": expert,
            "ledger": ledger,
            "can_pay": reader.can_pay,
            "is_self": reader.is_self,
        },
    )
