"""Pure rules of the yearly self-assessment (§七 强化自查自评) and its review chain."""
