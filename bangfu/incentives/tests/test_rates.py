from dataclasses import replace
from types import MappingProxyType

import pytest

from bangfu.incentives.domain.rates import incentive_rates_from_terms
from bangfu.incentives.tests.guizhou_rates import RATES
from bangfu.people.domain.experts import Title, title_from_text
from bangfu.people.tests.guizhou_rules import APPOINTMENT_RULES
from bangfu.policy.loader import load_policy


def test_policy_file_gives_the_guizhou_rates_the_domain_tests_use():
    policy = load_policy()
    assert incentive_rates_from_terms(policy.incentives) == RATES


def test_missing_clause_in_policy_terms_is_refused():
    terms = load_policy().incentives
    clauses = {k: v for k, v in terms.clauses.items() if k != "travel"}
    broken = replace(terms, clauses=MappingProxyType(clauses))
    with pytest.raises(ValueError, match="travel"):
        incentive_rates_from_terms(broken)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("主任医师", Title.SENIOR),
        ("副主任医师", Title.ASSOCIATE_SENIOR),
        ("主治医师", Title.INTERMEDIATE),
        ("副高", Title.ASSOCIATE_SENIOR),
    ],
)
def test_physician_job_titles_map_to_title_grades(text, title):
    assert title_from_text(text) is title


def test_the_rates_carry_the_appointment_rules_of_the_people_domain():
    assert RATES.appointment_rules == APPOINTMENT_RULES
