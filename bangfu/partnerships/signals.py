"""What partnerships tells the apps above it, which keep data of their own about its rows and may
not be called from here (ADR 0019)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `services.county_plan_save` inside its transaction just before it changes an existing
# plan, with `plan` (still as it was) and `actor`. capability keeps the plan's version on it (§七).
county_plan_changing = Signal()

# Sent by `services.agreement_create` (a first cycle or a renewal), `agreement_record_signing` and
# `agreement_terminate` inside their transaction after the agreement was written, with
# `agreement`: which agreement governs its partnership's days may have changed. incentives
# rewrites its stored yearly forecasts (ADR 0018), activities its stored progress (ADR 0020),
# capability the recipient's stored assisted years (ADR 0021); partnerships itself its stored gaps
# (`gap_store`, ADR 0023).
agreement_changed = Signal()
