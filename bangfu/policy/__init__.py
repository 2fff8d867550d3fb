"""Policy as data: ``load_policy("guizhou_2025")`` returns the typed policy (no Django import)."""

from bangfu.policy.loader import load_policy

__all__ = ["load_policy"]
