"""One shape for the commands that rebuild stored derived rows: `--if-stale` (rebuild only when
the inputs' fingerprint differs from the last full rebuild's stamp, `core.derived_rows`), the
app's rebuild, one line said (`RefreshCommand`: `refresh_gaps`, ADR 0023); for rows by year
(`refresh_forecasts`, ADR 0018; `refresh_progress`, ADR 0020; `refresh_standings`, ADR 0021)
also an optional `--year` within the programme's date window (`policy.domain.dates`),
`YearRefreshCommand`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bangfu.core.derived_rows import derived_rows_stamp
from bangfu.policy.domain.dates import PROGRAMME_DATE_MAX, PROGRAMME_DATE_MIN


class RefreshCommand(BaseCommand):
    """Stored rows rebuilt all at once (e.g. `refresh_gaps`, ADR 0023): subclasses set
    ``help``, ``label`` (what the rows are) and ``stamp`` (their `DerivedRowsStamp` name), and
    implement ``fingerprint()`` (the current inputs' one) and ``refresh_all()``, which writes
    the stamp and returns what was rebuilt."""

    label: str
    stamp: str

    def fingerprint(self) -> str:
        raise NotImplementedError

    def refresh_all(self) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-stale",
            action="store_true",
            help="仅当输入（政策文件、指标目录或计算规则）自上次全部重算后有变化时才重算",
        )

    def up_to_date(self) -> bool:
        """With --if-stale: whether the last full rebuild's stamp has the current fingerprint
        (then say so); else say why the rows are rebuilt."""
        stamp = derived_rows_stamp(self.stamp)
        if stamp is not None and stamp.fingerprint == self.fingerprint():
            at = timezone.localtime(stamp.refreshed_at)
            self.stdout.write(
                f"{self.label}已是最新（输入自 {at:%Y-%m-%d %H:%M} 全部重算后未变），未重算。"
            )
            return True
        reason = "尚无全部重算记录" if stamp is None else "输入已变化"
        self.stdout.write(f"{self.label}需要重算：{reason}。")
        return False

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_stale"] and self.up_to_date():
            return
        self.stdout.write(f"已全部重算{self.refresh_all()}")


class YearRefreshCommand(RefreshCommand):
    """Subclasses set ``help``, ``label`` (what the rows are, e.g. "预算预测") and ``stamp``
    (their `DerivedRowsStamp` name), and implement ``fingerprint()`` (the current inputs' one)
    and ``refresh(year)``, returning what was rebuilt (e.g. "预算预测：… 行"); ``year`` is None
    for every year, and a rebuild of every year writes the stamp itself."""

    def refresh(self, year: int | None) -> str:
        raise NotImplementedError

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="只重算该年度（默认全部年度）")
        super().add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        first, last = PROGRAMME_DATE_MIN.year, PROGRAMME_DATE_MAX.year
        if year is not None and not first <= year <= last:
            raise CommandError(f"--year 应在 {first} 至 {last} 之间")
        if options["if_stale"]:
            if year is not None:
                raise CommandError("--if-stale 只用于全部年度的重算，不能与 --year 同时使用")
            if self.up_to_date():
                return
        done = self.refresh(year)
        scope = f"{year}年度" if year is not None else "全部年度"
        self.stdout.write(f"已重算{scope}{done}")
