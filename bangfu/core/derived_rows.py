"""Whether stored derived rows need a full rebuild: the one fingerprint of what they are computed
from, and its stamp (`DerivedRowsStamp`).

The services keep the stored forecasts (ADR 0018), progress (ADR 0020) and standings (ADR 0021)
current; what they cannot follow is a change of an input file (the policy file, the capability
catalogue) or of the code that computes the rows. Each kind therefore has a fingerprint: a hash
of its input files and of its module's ``RULE_VERSION``. A full rebuild stores it in its own
transaction; `refresh_* --if-stale` (`core.refresh_command`) rebuilds only when it changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.utils import timezone

from bangfu.core.models import DerivedRowsStamp


def inputs_fingerprint(rule_version: int, *files: Path) -> str:
    """A hex SHA-256 of ``rule_version`` and the bytes of ``files`` (in order): equal exactly
    when the rows computed from them would be equal, as far as the files and the code go."""
    digest = hashlib.sha256(f"rules {rule_version}\n".encode())
    for path in files:
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def derived_rows_stamp(name: str) -> DerivedRowsStamp | None:
    """The stamp of the last full rebuild of ``name``'s rows; None before the first one."""
    return DerivedRowsStamp.objects.filter(name=name).first()


def derived_rows_stamp_write(name: str, fingerprint: str) -> None:
    """Record a full rebuild of ``name``'s rows from inputs with ``fingerprint``; call it inside
    the rebuild's transaction, so the stamp never outlives rows it does not describe."""
    DerivedRowsStamp.objects.update_or_create(
        name=name, defaults={"fingerprint": fingerprint, "refreshed_at": timezone.now()}
    )
