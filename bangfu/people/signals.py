"""What people tells the apps above it, which keep data derived from its rows and may not be
called from here (incentives builds on people, never the reverse). Receivers run inside the
sending service's transaction, so what they write commits or rolls back with the change."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `services.deployment_create`, `deployment_update` and `deployment_end` after the
# deployment was written, with `deployment`. incentives rewrites its stored yearly forecasts
# (ADR 0018).
deployment_changed = Signal()

# Sent after what the benefit rules read about an expert changed — pay, title, degree,
# leadership (`services.expert_update`) or recognitions (`recognition_create`,
# `recognition_withdraw`) — with `expert_id`.
expert_changed = Signal()
