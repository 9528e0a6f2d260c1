"""The annual report as HTML (laid out like the reference report, with inline SVG charts, printable) and as
CSV (one row per figure, this year beside last year)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from markupsafe import Markup

from shared.reporting.annual import AnnualReport, StageTimeliness
from shared.templating import environment

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "report"
BAR = "#1d70b8"
PREVIOUS = "#b1b4b6"
LIMIT = "#d4351c"


def _flat(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flat(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and "quarter" in item:
                yield from _flat(
                    {k: v for k, v in item.items() if k != "quarter"}, f"{prefix}.Q{item['quarter']}"
                )
    else:
        yield prefix, value


def to_csv(report: AnnualReport) -> str:
    """``section,figure,<this year>,<last year>``: every figure of the JSON but the action plans' text."""
    now = dict(_flat(report.current.model_dump(mode="json", exclude={"year", "label"})))
    before = dict(_flat(report.previous.model_dump(mode="json", exclude={"year", "label"})))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "figure", report.current.label, report.previous.label])
    for key in dict.fromkeys([*now, *before]):
        section, _, figure = key.partition(".")
        writer.writerow([section, figure or section, _cell(now.get(key)), _cell(before.get(key))])
    return out.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def bar_chart(title: str, rows: list[tuple[str, int | float]], width: int = 640) -> Markup:
    """Horizontal bars, one per labelled value, the value written at the end of each."""
    row_height, label_width = 26, 260
    top = max((v for _, v in rows), default=0) or 1
    height = row_height * len(rows) + 10
    scale = (width - label_width - 60) / top
    bars = []
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_height
        length = value * scale
        bars.append(
            Markup(
                '<text x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{:.1f}" height="18" fill="{}"/><text x="{:.1f}" y="{}">{:g}</text>'
            ).format(
                label_width - 8,
                y + 17,
                label,
                label_width,
                y + 4,
                length,
                BAR,
                label_width + length + 6,
                y + 17,
                value,
            )
        )
    return _svg(title, width, height, bars)


def _svg(title: str, width: int, height: int, parts: list[Markup]) -> Markup:
    return Markup(
        '<svg role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" class="chart"><title>{}</title>{}</svg>'
    ).format(title, width, height, title, Markup("").join(parts))


def column_chart(
    title: str,
    groups: list[tuple[str, float | None, float | None]],
    limit: float | None = None,
    width: int = 640,
) -> Markup:
    """Pairs of columns (this year, last year) per group, with a dashed line at ``limit`` (a timescale)."""
    height, bottom, left = 240, 200, 40
    values = [v for _, a, b in groups for v in (a, b) if v is not None] + ([limit] if limit else [])
    top = max(values, default=0) or 1
    scale = (bottom - 20) / top
    step = (width - left - 10) / max(len(groups), 1)
    parts = [
        Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#0b0c0c"/>').format(
            left, bottom, width - 10, bottom
        )
    ]
    for i, (label, now, before) in enumerate(groups):
        x = left + i * step + step * 0.15
        for j, (value, colour) in enumerate(((now, BAR), (before, PREVIOUS))):
            if value is None:
                continue
            bar_x, tall = x + j * step * 0.36, value * scale
            parts.append(
                Markup(
                    '<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"/>'
                    '<text x="{:.1f}" y="{:.1f}" text-anchor="middle">{:g}</text>'
                ).format(
                    bar_x,
                    bottom - tall,
                    step * 0.34,
                    tall,
                    colour,
                    bar_x + step * 0.17,
                    bottom - tall - 4,
                    value,
                )
            )
        parts.append(
            Markup('<text x="{:.1f}" y="{}" text-anchor="middle">{}</text>').format(
                x + step * 0.35, bottom + 18, label
            )
        )
    if limit:
        y = bottom - limit * scale
        parts.append(
            Markup(
                '<line x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}" stroke="{}" stroke-dasharray="6 4"/>'
                '<text x="{}" y="{:.1f}" text-anchor="end" fill="{}">timescale {:g}</text>'
            ).format(left, y, width - 10, y, LIMIT, width - 12, y - 4, LIMIT, limit)
        )
    return _svg(title, width, height, parts)


def _quarters(now: StageTimeliness, before: StageTimeliness) -> list[tuple[str, float | None, float | None]]:
    return [
        (f"Q{a.quarter}", a.average_working_days, b.average_working_days)
        for a, b in zip(now.quarters, before.quarters, strict=True)
    ]


def to_html(report: AnnualReport, stage1_days: int = 10, stage2_days: int = 25) -> str:
    """The report as one printable HTML document (no script, no external resources)."""
    now, before = report.current, report.previous
    charts = {
        "compliments": bar_chart(
            f"Compliments by category, {now.label}", list(now.compliment_categories.items())
        ),
        "complaints": bar_chart(
            f"Complaints by category, {now.label}", list(now.complaint_categories.items())
        ),
        "stage1_quarters": column_chart(
            f"Stage 1: average working days by quarter, {now.label} and {before.label}",
            _quarters(now.stage1_timeliness, before.stage1_timeliness),
            stage1_days,
        ),
        "timeliness": column_chart(
            "Average working days to complete each stage",
            [
                (
                    "Stage 1",
                    now.stage1_timeliness.average_working_days,
                    before.stage1_timeliness.average_working_days,
                ),
                (
                    "Stage 2",
                    now.stage2_timeliness.average_working_days,
                    before.stage2_timeliness.average_working_days,
                ),
            ],
        ),
    }
    template = environment(TEMPLATES).get_template("annual.html")
    return template.render(report=report, now=now, before=before, charts=charts, pounds=pounds)


def pounds(pence: int) -> str:
    return f"£{pence / 100:,.2f}"
