"""Pure rules of activities and outcomes (F8): record validation, confirmation, progress."""
