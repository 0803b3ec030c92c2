"""The dashboard's chart of one country's allotment over its period: what was committed and what was pending, at
the end of each month, drawn as SVG on the server (no script, nothing fetched), with a title and a description for
screen readers and the same figures as a table. Pure: the figures come in (agreements.selectors.committed_by_day,
licensing.selectors.pending_by_day); coordinates go out to admin/agreements/allotment/_usage_chart.html."""

import datetime
import math
from typing import Any

from agreements.admin.display import whole_h100e
from portal.display import day

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 20, 16, 44
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def month_ends(start: datetime.date, end: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The last day of each month of the period up to today, today itself last (the period's first day if it has
    not started)."""
    last = min(end, today)
    if last < start:
        return [start]
    days, cursor = [], start
    while True:
        following = (cursor.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        month_end = following - datetime.timedelta(days=1)
        if month_end >= last:
            return [*days, last]
        days.append(month_end)
        cursor = following


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(tpp: int, top: int) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - tpp / top)


def _points(values: list[int], top: int) -> str:
    return " ".join(f"{_x(i, len(values)):.1f},{_y(v, top):.1f}" for i, v in enumerate(values))


def usage_chart(
    *, country_name: str, days: list[datetime.date], capacity_tpp: int, committed: list[int], pending: list[int]
) -> dict[str, Any]:
    """The chart's context: two series (committed; committed and pending) against the capacity."""
    demand = [c + p for c, p in zip(committed, pending, strict=True)]
    top = max(capacity_tpp, *demand, 1)
    every = max(1, math.ceil(len(days) / 6))  # at most six month labels, so they stay legible on a phone
    labels = [
        {"x": f"{_x(i, len(days)):.1f}", "text": MONTHS[d.month - 1] + (f" {d.year}" if i == 0 or d.month == 1 else "")}
        for i, d in enumerate(days)
        if i % every == 0 or i == len(days) - 1
    ]
    ticks = [{"y": f"{_y(v, top):.1f}", "text": whole_h100e(v)} for v in (0, top // 2, top)]
    last = len(days) - 1
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "tick_x": LEFT - 6,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - BOTTOM + 18,
        "committed_points": _points(committed, top),
        "committed_area": f"{_x(0, len(days)):.1f},{HEIGHT - BOTTOM} {_points(committed, top)} "
        f"{_x(last, len(days)):.1f},{HEIGHT - BOTTOM}",
        "demand_points": _points(demand, top),
        "markers": [
            {
                "x": f"{_x(i, len(days)):.1f}",
                "committed_y": f"{_y(c, top):.1f}",
                "square_x": f"{_x(i, len(days)) - 3:.1f}",
                "square_y": f"{_y(d, top) - 3:.1f}",
            }
            for i, (c, d) in enumerate(zip(committed, demand, strict=True))
        ],
        "capacity_y": f"{_y(capacity_tpp, top):.1f}",
        "ticks": ticks,
        "labels": labels,
        "title": f"{country_name}: committed and pending H100e, {day(days[0])} to {day(days[-1])}",
        "description": (
            f"On {day(days[-1])}, {whole_h100e(committed[-1])} H100e committed and {whole_h100e(pending[-1])} "
            f"H100e pending, of a capacity of {whole_h100e(capacity_tpp)} H100e. The table below gives every month."
        ),
        "rows": [
            {
                "day": day(d),
                "committed": whole_h100e(c),
                "pending": whole_h100e(p),
                "demand": whole_h100e(c + p),
            }
            for d, c, p in zip(days, committed, pending, strict=True)
        ],
        "capacity": whole_h100e(capacity_tpp),
    }
