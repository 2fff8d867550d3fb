"""Pure rules of the people app (no Django, no I/O, no clock; §三(四), §五, §六, A1).

- `experts`: `Expert`, `Deployment`, `Title`, `Degree`, `DeploymentKind` — the facts about an
  expert and a stay that every rule reads (incentives' benefits and budgets included).
- `deployments`: which deployments may be recorded and may overlap (A1-(16)).
- `team`: `TeamRules` (`team_rules_from_terms`), `team_check` and one `*_findings` function per
  team-composition rule (size, captain, 3X, insurance, health check, mentor).
- `appointment`: `AppointmentRules`, `appointment_eligibility` (vice-president, president).
- `title_route`: `title_evaluation_route` (§五).
- `identity`, `privacy`: identity-number checks and masking of sensitive fields (F4, F12).
- `recognition`: dated recognitions as outstanding performer (§六).

Nothing here imports `bangfu.incentives`: incentives builds on people.
"""
