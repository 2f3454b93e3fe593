"""The report's figures: per subsidiary and currency, Chargebee beside NetSuite, to the cent.

Both columns cover the same documents (the postable Chargebee documents dated in the
period), so a difference is always explained by documents: missing, or posted differently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.money import decimals

from .model import BILLED, MEASURES, OUTSTANDING, ChargebeeDoc
from .netsuite_side import NetSuiteSnapshot

UNASSIGNED = "(no subsidiary yet)"
ZERO = Decimal(0)


@dataclass(frozen=True)
class DocFigure:
    """One document's contribution to one measure, on both sides."""

    subsidiary: str
    currency: str
    customer_id: str
    measure: str
    kind: str
    id: str
    external_id: str
    netsuite_id: str | None
    chargebee: Decimal
    netsuite: Decimal

    @property
    def difference(self) -> Decimal:
        """Chargebee minus NetSuite."""
        return self.chargebee - self.netsuite


def _subsidiary(doc: ChargebeeDoc, snapshot: NetSuiteSnapshot) -> str:
    ns = snapshot.transactions.get(doc.external_id)
    sub = ns.subsidiary if ns is not None else None
    if sub is None and doc.customer_id:
        site = identity.parse_external_id(doc.external_id)[0]
        customer = snapshot.customers.get(
            identity.external_id(site, identity.CUSTOMER, doc.customer_id)
        )
        sub = customer.subsidiary if customer is not None else None
    if sub is None:
        return UNASSIGNED
    return snapshot.subsidiaries.get(sub, f"subsidiary {sub}")


def _scaled(amount: Decimal, currency: str) -> Decimal:
    """A NetSuite amount at the currency's decimals ("0" → "0.00"), never rounded."""
    exponent = Decimal(1).scaleb(-decimals(currency)) if currency else Decimal(1)
    scaled = amount.quantize(exponent)
    return scaled if scaled == amount else amount


def document_figures(
    docs: Iterable[ChargebeeDoc],
    snapshot: NetSuiteSnapshot,
    reopened: Mapping[str, Decimal] | None = None,
) -> list[DocFigure]:
    """Each postable document's amounts per measure (invoices give billed and outstanding).

    ``reopened`` adds to an invoice's NetSuite outstanding what is still open of it on debit
    invoices (a chargeback after its payment's period closed; see ``reconcile.links``).
    """
    reopened = reopened or {}
    out: list[DocFigure] = []
    for doc in docs:
        if not doc.postable or doc.measure is None:
            continue
        ns = snapshot.transactions.get(doc.external_id)
        common: dict[str, Any] = {
            "subsidiary": _subsidiary(doc, snapshot),
            "currency": doc.currency or "",
            "customer_id": doc.customer_id or "",
            "kind": doc.kind,
            "id": doc.id,
            "external_id": doc.external_id,
            "netsuite_id": ns.internal_id if ns is not None else None,
        }
        code = doc.currency or ""
        ns_total = _scaled(ns.total if ns is not None and ns.total is not None else ZERO, code)
        out.append(DocFigure(measure=doc.measure, chargebee=doc.total, netsuite=ns_total, **common))
        if doc.measure == BILLED:
            remaining = ns.remaining if ns is not None and ns.remaining is not None else ZERO
            left = _scaled(remaining + reopened.get(doc.id, ZERO), code)
            out.append(
                DocFigure(measure=OUTSTANDING, chargebee=doc.outstanding, netsuite=left, **common)
            )
    return out


def _row(key: dict[str, str], cb: Decimal, ns: Decimal) -> dict[str, Any]:
    return {**key, "chargebee": str(cb), "netsuite": str(ns), "difference": str(cb - ns)}


def summarise(figures: list[DocFigure]) -> dict[str, Any]:
    """Totals per (subsidiary, currency, measure), then customers and documents that differ."""
    totals: dict[tuple[str, str, str], list[Decimal]] = {}
    by_customer: dict[tuple[str, str, str, str], list[Decimal]] = {}
    for fig in figures:
        for table, key in (
            (totals, (fig.subsidiary, fig.currency, fig.measure)),
            (by_customer, (fig.subsidiary, fig.currency, fig.customer_id, fig.measure)),
        ):
            pair = table.setdefault(key, [ZERO, ZERO])  # type: ignore[arg-type]
            pair[0] += fig.chargebee
            pair[1] += fig.netsuite
    order = {m: i for i, m in enumerate(MEASURES)}
    rows = [
        _row({"subsidiary": s, "currency": c, "measure": m}, cb, ns)
        for (s, c, m), (cb, ns) in sorted(totals.items(), key=lambda i: (*i[0][:2], order[i[0][2]]))
    ]
    customers = [
        _row({"subsidiary": s, "currency": c, "customer_id": cu, "measure": m}, cb, ns)
        for (s, c, cu, m), (cb, ns) in sorted(
            by_customer.items(), key=lambda i: (*i[0][:3], order[i[0][3]])
        )
        if cb != ns
    ]
    documents = [
        {
            "subsidiary": f.subsidiary,
            "currency": f.currency,
            "customer_id": f.customer_id,
            "measure": f.measure,
            "kind": f.kind,
            "id": f.id,
            "external_id": f.external_id,
            "netsuite_id": f.netsuite_id,
            "chargebee": str(f.chargebee),
            "netsuite": str(f.netsuite),
            "difference": str(f.difference),
        }
        for f in sorted(figures, key=lambda f: (f.customer_id, f.kind, f.id, order[f.measure]))
        if f.difference
    ]
    return {"totals": rows, "customers": customers, "documents": documents}


def differences(summary: dict[str, Any]) -> dict[str, str]:
    """``"subsidiary/currency" → Σ|difference|`` over the measures, for rows that differ."""
    out: dict[str, Decimal] = {}
    for row in summary["totals"]:
        diff = abs(Decimal(row["difference"]))
        if diff:
            key = f"{row['subsidiary']}/{row['currency']}"
            out[key] = out.get(key, ZERO) + diff
    return {key: str(value) for key, value in sorted(out.items())}
