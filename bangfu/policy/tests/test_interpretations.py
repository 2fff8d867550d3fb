"""The user-facing interpretations of §六 in the policy file: every statement footnote is one of
them, and a policy file missing one is refused when loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from bangfu.policy.domain.policy import STATEMENT_INTERPRETATIONS
from bangfu.policy.loader import POLICY_DIR, PolicyError, load_policy_file

POLICY_FILE = POLICY_DIR / "guizhou_2025.toml"


def test_the_statement_interpretations_are_written_in_the_policy_file():
    terms = load_policy_file(POLICY_FILE).incentives
    footnotes = terms.statement_footnotes()
    assert len(footnotes) == len(STATEMENT_INTERPRETATIONS)
    assert "2000" in terms.interpretations["settling_in_gate"]
    assert "常驻满1年" in terms.interpretations["settling_in_gate"]
    assert "以票据为准" in terms.interpretations["settling_in_reimbursement"]
    assert "20万元" in terms.interpretations["work_fund_cap"]
    assert "A2-四(三)" in terms.interpretations["a2_numbering"]
    assert "三、保障措施" in terms.interpretations["a2_numbering"]
    assert all(text and not text.endswith(("；", "，")) for text in footnotes)


def test_a_policy_file_without_an_interpretation_is_refused(tmp_path: Path):
    text = POLICY_FILE.read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith("work_fund_cap = ")]
    path = tmp_path / "broken.toml"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="work_fund_cap"):
        load_policy_file(path)
