"""The activity catalogue of a policy (F8): kinds of help, their quantities and what they count
towards (Annex 1 measures A1-(1)..(21), §二 modes). Pure data, read by ``bangfu.activities``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ActivityQuantity:
    """A whole-number quantity of an activity (e.g. sessions, patients), 0..``maximum``.

    ``main`` marks the quantity the Excel column 数量 fills and that counts towards targets;
    ``people`` marks the head count the column 受益人次 fills.
    """

    name: str
    label: str
    unit: str
    maximum: int
    main: bool = False
    people: bool = False


@dataclass(frozen=True)
class ActivityAttribute:
    """A short text describing an activity (which centre, which stage); ``choices`` when fixed."""

    key: str
    label: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActivityKind:
    code: str
    name: str
    clause: str
    measures: tuple[str, ...]
    modes: tuple[str, ...]
    quantities: tuple[ActivityQuantity, ...]
    attributes: tuple[ActivityAttribute, ...] = ()

    @property
    def main_quantity(self) -> ActivityQuantity:
        return next(q for q in self.quantities if q.main)

    @property
    def people_quantity(self) -> ActivityQuantity | None:
        return next((q for q in self.quantities if q.people), None)

    def quantity(self, name: str) -> ActivityQuantity | None:
        return next((q for q in self.quantities if q.name == name), None)

    def attribute(self, key: str) -> ActivityAttribute | None:
        return next((a for a in self.attributes if a.key == key), None)


@dataclass(frozen=True)
class ActivityCatalogue:
    """All activity kinds of one policy version, in file order."""

    version: str
    clause: str
    kinds: tuple[ActivityKind, ...]

    def kind(self, code: str) -> ActivityKind | None:
        return next((k for k in self.kinds if k.code == code), None)

    def kind_by_code_or_name(self, text: str) -> ActivityKind | None:
        """The kind whose code or Chinese name is ``text`` (the Excel column 活动类型 takes either)."""
        value = text.strip()
        return next((k for k in self.kinds if value in (k.code, k.name)), None)

    def kinds_for_measure(self, measure_code: str) -> tuple[ActivityKind, ...]:
        return tuple(k for k in self.kinds if measure_code in k.measures)


EMPTY_CATALOGUE = ActivityCatalogue(version="", clause="", kinds=())
