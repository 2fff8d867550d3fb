"""Pure incentive and people rules (§五, §六, A1-(1), A1-(5), A1-(15), A2-四(三)).

No Django, no I/O, no clock: frozen dataclasses in, frozen dataclasses out.

- `rates`: `IncentiveRates`, `TeamRules`, built from the policy by
  `incentive_rates_from_terms(policy.incentives)` and
  `team_rules_from_terms(policy.team, policy.incentives)`.
- `people`: `Expert`, `Deployment`, `Title`, `Degree`, `DeploymentKind`.
- `periods`: `Period`, `covers_years`, `anniversary`, day and month counting.
- `benefits`: `salary_top_up`, `monthly_subsidy`, `settling_in_allowance`,
  `travel_reimbursement`, `benefits_statement`.
- `appointment`: `appointment_eligibility`.
- `title_route`: `title_evaluation_route`.
- `team`: `team_check` and one `*_findings` function per rule.
- `budget`: `budget_forecast`.
- `preview`: `benefits_preview` (what `manage.py benefits_preview` prints).
"""
