"""Read and validate the capability indicator catalogue (``bangfu/capability/data/*.toml``; TOML because PyYAML is not a runtime dependency).

``load_catalogue()`` is the entry point (cached); ``load_catalogue_file(path)`` reads any file
(used by tests on broken copies). A file that breaks a rule is refused with ``CatalogueError``
whose Chinese problems name the bad entries. Replacing the data file (the official list and
rule) needs no code change.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from bangfu.capability.domain.catalogue import Catalogue, CatalogueError, catalogue_from_mapping

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_CATALOGUE = "capability_indicators_draft.toml"


def load_catalogue_file(path: Path) -> Catalogue:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError([f"无法读取指标目录 {path.name}：{exc}"]) from exc
    return catalogue_from_mapping(data)


def catalogue_file(name: str = DEFAULT_CATALOGUE) -> Path:
    """Where ``load_catalogue(name)`` reads from (the stored standings hash it, ADR 0021)."""
    return DATA_DIR / name


@lru_cache(maxsize=2)
def load_catalogue(name: str = DEFAULT_CATALOGUE) -> Catalogue:
    return load_catalogue_file(catalogue_file(name))
