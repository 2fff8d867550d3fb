"""How an institution's location reads: the province, then the city unless it is the province."""

from __future__ import annotations


def place_name(province: str, city: str) -> str:
    """Province then city, e.g. 广东省广州市; a municipality reads once (上海市, not
    上海市上海市); a missing city leaves the province alone."""
    province, city = province.strip(), city.strip()
    if not city or city == province:
        return province
    if not province:
        return city
    return f"{province}{city}"
