"""What registry tells the apps above it, which keep data of their own about its rows and may not
be called from here (ADR 0019)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `services.institution_update` inside its transaction after it changed an institution's
# `institution_type`, with `institution`. capability rewrites the hospital's stored yearly
# standard results, judged by type (ADR 0021).
institution_changed = Signal()
