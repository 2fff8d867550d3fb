"""What registry tells the apps above it, which keep data of their own about its rows and may not
be called from here (ADR 0019)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `services.institution_update` (and `institution_edit_profile`, for `grade`) inside its
# transaction after it changed an institution's
# `name`, `institution_type`, `category`, `province`, `grade` or `county`, with `institution` and
# `changed` (the frozenset of those field names that changed). capability rewrites the hospital's
# stored yearly standard results, judged by type, and the stored assisted years: a recipient's
# category and its helpers' province and grade decide whether it is assisted (ADR 0021);
# activities rewrites the stored progress of a recipient's partnerships, which carry its county
# (ADR 0020), and partnerships the stored gaps of its partnerships, which carry it too (ADR 0023),
# and the sort key of the institution's partnerships, which copies its name and county code
# (ADR 0024). Each receiver acts only on the fields it depends on.
institution_changed = Signal()

# Sent by `services.registry_load` (the official list) and `county_set_programme_group` inside
# their transaction after they changed a county's fields (`services.COUNTY_FIELDS`), with `county`
# and `changed` (the frozenset of those field names that changed). activities rewrites the stored
# progress of the partnerships of the county's recipients when its `prefecture` changed (the rows
# carry the county's prefecture, ADR 0020). Each receiver acts only on the fields it depends on.
county_changed = Signal()
