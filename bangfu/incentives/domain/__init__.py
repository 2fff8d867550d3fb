"""Pure incentive rules (§六, A2-四(三)).

No Django, no I/O, no clock: frozen dataclasses in, frozen dataclasses out.

- `rates`: `IncentiveRates`, built from the policy by
  `incentive_rates_from_terms(policy.incentives)`.
- `benefits`: `salary_top_up`, `monthly_subsidy`, `settling_in_allowance`,
  `travel_reimbursement`, `benefits_statement`.
- `budget`: `budget_forecast`.
- `preview`: `benefits_preview` (what `manage.py benefits_preview` prints).

The facts the rules read about experts and deployments (`Expert`, `Deployment`, `Title`,
`Degree`, `DeploymentKind`), the team checks, appointments and title routes are the people
domain's (`bangfu.people.domain`); periods and money rounding are shared calendar and yuan
arithmetic (`bangfu.policy.domain.periods`, `bangfu.policy.domain.money`). Incentives imports
people, never the reverse.
"""
