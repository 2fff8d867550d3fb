from __future__ import annotations

from typing import Any

from django import forms

from bangfu.notifications.domain.kinds import KIND_LABELS


class EmailPreferencesForm(forms.Form):
    """One checkbox per kind: also send it by e-mail."""

    def __init__(self, *args: Any, initial_choices: dict[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in KIND_LABELS.items():
            self.fields[kind] = forms.BooleanField(
                label=label, required=False, initial=initial_choices.get(kind, True)
            )

    def choices(self) -> dict[str, bool]:
        return {kind: bool(self.cleaned_data.get(kind)) for kind in KIND_LABELS}
