"""Pure rules of the people app: identity-number checks and masking of sensitive fields (F4, F12)."""
