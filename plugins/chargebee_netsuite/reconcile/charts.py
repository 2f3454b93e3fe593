"""Charts that open anywhere: inline SVG (``templates/bars.svg.j2``) and the same as Vega-Lite.

No JavaScript and nothing from a CDN is needed to see them (a finance person may open the
report offline); the Vega-Lite spec is embedded beside the SVG for anyone who wants to render
it with Vega tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from chargebee_netsuite.rendering import render

from .model import MEASURES

CB_COLOUR = "#ff7a00"  # Chargebee orange
NS_COLOUR = "#1f4e8c"  # NetSuite blue
LABEL_WIDTH, BAR_HEIGHT, GAP = 110, 12, 10


@dataclass(frozen=True)
class Bar:
    """One side's bar of one measure, placed on the chart."""

    side: str
    colour: str
    y: int
    length: int
    amount: Decimal


@dataclass(frozen=True)
class MeasureBars:
    """A measure's label and its two bars, Chargebee above NetSuite."""

    measure: str
    y: int
    bars: tuple[Bar, Bar]


def bars_svg(rows: list[dict[str, Any]], *, width: int = 520) -> Markup:
    """Grouped horizontal bars, Chargebee beside NetSuite, one group per measure.

    ``rows`` are the report's total rows of one subsidiary and currency.
    """
    by_measure = {row["measure"]: row for row in rows}
    measures = [m for m in MEASURES if m in by_measure]
    values = [
        abs(Decimal(by_measure[m][side])) for m in measures for side in ("chargebee", "netsuite")
    ]
    top = max(values, default=Decimal(0)) or Decimal(1)
    plot_width = width - LABEL_WIDTH - 120
    step = 2 * BAR_HEIGHT + GAP

    def length(amount: Decimal) -> int:
        return max(int(abs(amount) / top * plot_width), 1)

    groups = []
    for index, measure in enumerate(measures):
        y = 4 + index * step
        cb, ns = Decimal(by_measure[measure]["chargebee"]), Decimal(by_measure[measure]["netsuite"])
        chargebee = Bar("chargebee", CB_COLOUR, y, length(cb), cb)
        netsuite = Bar("netsuite", NS_COLOUR, y + BAR_HEIGHT, length(ns), ns)
        groups.append(MeasureBars(measure, y, (chargebee, netsuite)))
    return render(
        "chargebee_netsuite.reconcile",
        "bars.svg.j2",
        width=width,
        height=len(measures) * step + 24,
        groups=groups,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
        colours=(CB_COLOUR, NS_COLOUR),
    )


def chart_groups(totals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The total rows per subsidiary and currency, each group with its bar chart."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in totals:
        groups.setdefault((row["subsidiary"], row["currency"]), []).append(row)
    return [
        {"subsidiary": subsidiary, "currency": currency, "rows": rows, "svg": bars_svg(rows)}
        for (subsidiary, currency), rows in groups.items()
    ]


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
