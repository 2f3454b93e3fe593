"""Charts that open anywhere: inline SVG drawn here, plus the equivalent Vega-Lite spec.

No JavaScript and nothing from a CDN is needed to see them (a finance person may open the
report offline); the Vega-Lite spec is embedded beside the SVG for anyone who wants to render
it with Vega tools.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from .model import MEASURES

CB_COLOUR = "#ff7a00"  # Chargebee orange
NS_COLOUR = "#1f4e8c"  # NetSuite blue


def bars_svg(rows: list[dict[str, Any]], *, width: int = 520) -> str:
    """Grouped horizontal bars, Chargebee beside NetSuite, one group per measure.

    ``rows`` are the report's total rows of one subsidiary and currency.
    """
    by_measure = {row["measure"]: row for row in rows}
    measures = [m for m in MEASURES if m in by_measure]
    values = [
        abs(Decimal(by_measure[m][side])) for m in measures for side in ("chargebee", "netsuite")
    ]
    top = max(values, default=Decimal(0)) or Decimal(1)
    label_w, bar_h, gap = 110, 12, 10
    plot_w = width - label_w - 120
    height = len(measures) * (2 * bar_h + gap) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="Chargebee and NetSuite totals" class="chart">'
    ]
    y = 4
    for measure in measures:
        row = by_measure[measure]
        parts.append(
            f'<text x="0" y="{y + bar_h + 4}" font-size="12" fill="#333">{escape(measure)}</text>'
        )
        for offset, side, colour in ((0, "chargebee", CB_COLOUR), (bar_h, "netsuite", NS_COLOUR)):
            amount = Decimal(row[side])
            length = int(abs(amount) / top * plot_w)
            parts.append(
                f'<rect x="{label_w}" y="{y + offset}" width="{max(length, 1)}" '
                f'height="{bar_h - 2}" fill="{colour}"><title>{side} {escape(str(amount))}'
                "</title></rect>"
            )
            parts.append(
                f'<text x="{label_w + max(length, 1) + 4}" y="{y + offset + bar_h - 3}" '
                f'font-size="10" fill="#333">{escape(str(amount))}</text>'
            )
        y += 2 * bar_h + gap
    legend_y = height - 8
    parts.append(
        f'<rect x="{label_w}" y="{legend_y - 9}" width="10" height="10" fill="{CB_COLOUR}"/>'
        f'<text x="{label_w + 14}" y="{legend_y}" font-size="11">Chargebee</text>'
        f'<rect x="{label_w + 90}" y="{legend_y - 9}" width="10" height="10" fill="{NS_COLOUR}"/>'
        f'<text x="{label_w + 104}" y="{legend_y}" font-size="11">NetSuite</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def vega_lite_spec(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The same chart as a Vega-Lite v5 spec (amounts as strings in the data, cast in Vega)."""
    values = [
        {
            "subsidiary": row["subsidiary"],
            "currency": row["currency"],
            "measure": row["measure"],
            "side": side,
            "amount": row[side],
        }
        for row in rows
        for side in ("chargebee", "netsuite")
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": "Chargebee vs NetSuite per subsidiary, currency and measure",
        "data": {"values": values},
        "transform": [{"calculate": "toNumber(datum.amount)", "as": "value"}],
        "facet": {"row": {"field": "currency"}, "column": {"field": "subsidiary"}},
        "spec": {
            "mark": "bar",
            "encoding": {
                "y": {"field": "measure", "type": "nominal", "sort": list(MEASURES)},
                "yOffset": {"field": "side"},
                "x": {"field": "value", "type": "quantitative", "title": "amount"},
                "color": {
                    "field": "side",
                    "scale": {"range": [CB_COLOUR, NS_COLOUR]},
                },
            },
        },
    }
