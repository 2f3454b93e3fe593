"""Deterministic generator of realistic B2B SaaS billing history in the seeding-contract shape."""

from __future__ import annotations

import contextlib
import gc
import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from . import objects, operations
from .conventions import Conventions, is_write_off
from .currencies import SiteCurrencies
from .minor_units import minor_units_per_major, to_minor
from .objects import LineSpec, Record, TaxSpec
from .seed import SEED_KEYS
from .site_store import Store

DAY = 86400
START = 1704067200  # 2024-01-01T00:00:00Z
CATALOG_AT = 1701388800  # 2023-12-01
LEGACY_AT = 1425168000  # 2015-03-01: before updated_at existed (2016-09-28)
CHARGEBACK_RATE = 0.04  # of successful card payments
# Account hierarchies are generated after the rest of the history (from this date), from their
# own random stream, so every record of an existing seed keeps its ids and contents.
HIERARCHY_AT = START + 700 * DAY
TAX_WITHHELD_RATE = 0.15  # of invoices still open at the end of the history
STORE_CREDIT_RATE = 0.02  # of paid invoices


@dataclass(frozen=True)
class Market:
    """Currency, country and sales tax of a group of customers."""

    currency: str
    weight: int
    country: str
    cities: tuple[tuple[str, str, str], ...]  # (city, state_code, zip)
    tax: TaxSpec
    fx: Decimal  # major units per USD
    suffix: str


MARKETS: tuple[Market, ...] = (
    Market(
        "USD",
        45,
        "US",
        (("New York", "NY", "10001"), ("Brooklyn", "NY", "11201"), ("Buffalo", "NY", "14201")),
        TaxSpec("NY State Sales Tax", Decimal("8.875"), "state", "New York", "NY"),
        Decimal("1"),
        "Inc.",
    ),
    Market(
        "EUR",
        25,
        "DE",
        (("Berlin", "BE", "10115"), ("Munich", "BY", "80331"), ("Hamburg", "HH", "20095")),
        TaxSpec("VAT", Decimal("19"), "country", "Germany", "DE"),
        Decimal("0.92"),
        "GmbH",
    ),
    Market(
        "GBP",
        15,
        "GB",
        (
            ("London", "LND", "EC1A 1BB"),
            ("Manchester", "MAN", "M1 1AE"),
            ("Leeds", "LDS", "LS1 1UR"),
        ),
        TaxSpec("VAT", Decimal("20"), "country", "United Kingdom", "GB"),
        Decimal("0.79"),
        "Ltd",
    ),
    Market(
        "JPY",
        15,
        "JP",
        (("Tokyo", "13", "100-0001"), ("Osaka", "27", "530-0001"), ("Fukuoka", "40", "810-0001")),
        TaxSpec("JCT", Decimal("10"), "country", "Japan", "JP"),
        Decimal("150"),
        "K.K.",
    ),
)
# (id, name, type, unit, USD price, billing period)
CATALOG: tuple[tuple[str, str, str, str | None, str, str | None], ...] = (
    ("platform-starter", "Platform Starter", "plan", None, "499.00", "month"),
    ("platform-growth", "Platform Growth", "plan", None, "1499.00", "month"),
    ("platform-enterprise", "Platform Enterprise", "plan", None, "4999.00", "month"),
    ("extra-seats", "Extra Seats", "addon", "seat", "29.00", "month"),
    ("priority-support", "Priority Support", "addon", None, "299.00", "month"),
    ("sso", "Single Sign-On", "addon", None, "199.00", "month"),
    ("api-calls", "API Calls (per 1k)", "addon", "1k calls", "0.45", "month"),
    ("onboarding", "Onboarding Package", "charge", None, "2500.00", None),
    ("implementation-day", "Implementation Day", "charge", "day", "1200.00", None),
)
_WORDS = (
    "Acme", "Blue Harbor", "Cobalt", "Driftwood", "Evergreen", "Foxglove", "Granite", "Helix",
    "Ironbark", "Juniper", "Kestrel", "Lumen", "Meridian", "Northwind", "Orchid", "Pioneer",
    "Quarry", "Redwood", "Summit", "Tidewater", "Umber", "Vantage", "Willow", "Zephyr",
)  # fmt: skip
_TRADES = ("Analytics", "Logistics", "Health", "Robotics", "Media", "Labs", "Systems", "Foods")
_FIRST = ("Ada", "Bruno", "Chloe", "Dmitri", "Elena", "Farah", "Goro", "Hana", "Ivan", "Jonas")
_LAST = ("Schmidt", "Tanaka", "Okafor", "Smith", "Rossi", "Dubois", "Kowalski", "Suzuki", "Lee")


class _Clock:
    def __init__(self, start: int) -> None:
        self.t = float(start)

    def __call__(self) -> float:
        return self.t


class _Timeline:
    """Actions run in time order against one store whose clock follows them."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self._heap: list[tuple[int, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def at(self, when: int, action: Callable[[], None]) -> None:
        heapq.heappush(self._heap, (when, next(self._order), action))

    def run(self) -> None:
        while self._heap:
            when, _, action = heapq.heappop(self._heap)
            self.clock.t = float(max(when, int(self.clock.t)))
            # A planned step may no longer apply (e.g. the invoice was already paid).
            with contextlib.suppress(operations.OperationError):
                action()


def _market_of(customer: Record) -> Market | None:
    currency = customer.get("preferred_currency_code")
    return next((m for m in MARKETS if m.currency == currency), None)


def _probe_id() -> str:
    return "li_probe"


def _price(usd: str, market: Market) -> int:
    return to_minor(Decimal(usd) * market.fx, market.currency)


class _Generator:
    def __init__(
        self,
        scale: int,
        seed: int,
        currencies: SiteCurrencies | None = None,
        *,
        payer_is_owner: bool = True,
        conventions: Conventions | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.families = random.Random(f"hierarchies-{seed}")
        self.payer_is_owner = payer_is_owner
        # Chargebacks draw from their own stream, so the rest of the history stays as it was.
        self.disputes = random.Random(f"chargebacks-{seed}")
        # So does the invoices' fine print (withheld tax, store credit, write-offs, ...).
        self.fine = random.Random(f"invoice-fine-print-{seed}")
        self.clock = _Clock(CATALOG_AT)
        # Only the records are dumped, so the store keeps no events (their ids are still
        # spent, which keeps every id the same as when events were kept).
        self.store = Store(
            "generator",
            clock=self.clock,
            salt=f"gen-{seed}",
            keep_events=False,
            conventions=conventions,
        )
        # Rates are a lookup, not a draw: the random streams, and so the history, stay the same.
        self.store.currencies = currencies or SiteCurrencies()
        self.timeline = _Timeline(self.clock)
        self.scale = scale
        self.prices: dict[tuple[str, str], Record] = {}

    # -- catalog --------------------------------------------------------------------------

    def catalog(self) -> None:
        for item_id, name, item_type, unit, usd, period in CATALOG:
            record = objects.item(
                item_id=item_id,
                name=name,
                item_type=item_type,
                family="cloud-platform",
                description=f"{name} for B2B teams",
                unit=unit,
            )
            operations.create_catalog_record(self.store, "item", record, source="admin_console")
            for market in MARKETS:
                price_id = f"{item_id}-{market.currency}" + ("-monthly" if period else "")
                price = objects.item_price(
                    price_id=price_id,
                    source=record,
                    currency_code=market.currency,
                    price=_price(usd, market),
                    created_at=self.store.now(),
                    period_unit=period,
                )
                operations.create_catalog_record(
                    self.store, "item_price", price, source="admin_console"
                )
                self.prices[(item_id, market.currency)] = price
        legacy = objects.item(
            item_id="platform-classic",
            name="Platform Classic",
            item_type="plan",
            family="cloud-platform",
            description="Retired plan",
            unit=None,
        )
        legacy["status"] = "archived"
        legacy["archived_at"] = self.store.now()
        operations.create_catalog_record(self.store, "item", legacy, source="admin_console")

    # -- customers ------------------------------------------------------------------------

    def _market(self, index: int) -> Market:
        if index < len(MARKETS):
            return MARKETS[index]  # every currency appears at least once
        return self.rng.choices(MARKETS, weights=[m.weight for m in MARKETS])[0]

    def _customer(
        self, index: int, market: Market, created_at: int, rng: random.Random | None = None
    ) -> Record:
        rng = rng or self.rng
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        is_company = index % 5 != 4
        company = (
            f"{rng.choice(_WORDS)} {rng.choice(_TRADES)} {market.suffix}" if is_company else None
        )
        domain = (company or f"{first}{last}").split(" ")[0].lower() + f"{index}.example"
        city, state, zip_code = rng.choice(market.cities)
        auto = "on" if rng.random() < 0.6 else "off"
        return objects.customer(
            customer_id=self.store.token(16),
            created_at=created_at,
            first_name=first,
            last_name=last,
            email=f"{first.lower()}.{last.lower()}@{domain}",
            company=company,
            phone=f"+1-555-01{index % 100:02d}" if market.country == "US" else None,
            currency_code=market.currency,
            auto_collection=auto,
            net_term_days=0 if auto == "on" else 30,
            taxability="exempt" if rng.random() < 0.1 else "taxable",
            vat_number=f"{market.country}{100000000 + index}"
            if is_company and market.country in ("DE", "GB")
            else None,
            locale={"DE": "de-DE", "JP": "ja-JP"}.get(market.country),
            billing_address={
                "first_name": first,
                "last_name": last,
                "company": company,
                "line1": f"{10 + index} Market Street",
                "city": city,
                "state_code": state,
                "zip": zip_code,
                "country": market.country,
            },
        )

    def customers(self) -> None:
        span = 365 * DAY
        for index in range(self.scale):
            market = self._market(index)
            created = START + index * span // max(self.scale, 1)
            self.timeline.at(created, self._onboard(index, market, created))
        if self.scale >= 10:
            churned = START + 20 * DAY
            self.timeline.at(churned, self._churned_lead(churned))

    def _onboard(self, index: int, market: Market, created: int) -> Callable[[], None]:
        def run() -> None:
            record = self._customer(index, market, created)
            operations.create_customer(self.store, record, source="hosted_page")
            subscription_id = f"sub_{self.store.token(14)}"
            months = 2 + self.rng.randrange(5)
            for month in range(months):
                when = created + month * 30 * DAY + 3600
                self.timeline.at(
                    when, self._invoice(record["id"], market, subscription_id, month, when)
                )
            if index < 2:
                when = created + 15 * DAY
                lines = 320 if index == 0 else 130
                self.timeline.at(when, self._usage_invoice(record["id"], market, lines, when))
            if self.rng.random() < 0.3:
                when = created + (10 + self.rng.randrange(200)) * DAY
                self.timeline.at(when, self._change_customer(record["id"]))

        return run

    def _churned_lead(self, created: int) -> Callable[[], None]:
        def run() -> None:
            record = self._customer(999, MARKETS[0], created)
            operations.create_customer(self.store, record, source="hosted_page")
            self.timeline.at(created + 7 * DAY, lambda: self._delete_customer(record["id"]))

        return run

    def _delete_customer(self, customer_id: str) -> None:
        operations.delete_customer(self.store, customer_id)

    def _change_customer(self, customer_id: str) -> Callable[[], None]:
        def run() -> None:
            customer = self.store.get("customer", customer_id)
            if customer is None or customer.get("deleted"):
                return
            domain = customer["email"].split("@", 1)[1]
            operations.change_customer(
                self.store,
                customer_id,
                {"email": f"billing@{domain}", "net_term_days": 45}
                if customer.get("auto_collection") == "off"
                else {"email": f"accounts@{domain}"},
            )

        return run

    # -- invoices and what happens to them ---------------------------------------------------

    def _lines(self, market: Market, month: int, when: int) -> list[LineSpec]:
        rng = self.rng
        plan = rng.choice(("platform-starter", "platform-growth", "platform-enterprise"))
        lines = [self._line(plan, market, 1, when, coupon=rng.random() < 0.15)]
        if rng.random() < 0.6:
            lines.append(self._line("extra-seats", market, 1 + rng.randrange(40), when))
        if rng.random() < 0.3:
            lines.append(self._line("priority-support", market, 1, when))
        if rng.random() < 0.2:
            lines.append(self._line("sso", market, 1, when))
        if month == 0:
            lines.append(self._line("onboarding", market, 1, when))
        return lines

    def _line(
        self, item_id: str, market: Market, quantity: int, when: int, *, coupon: bool = False
    ) -> LineSpec:
        price = self.prices[(item_id, market.currency)]
        recurring = price.get("period_unit") is not None
        entity_type = {"plan": "plan_item_price", "addon": "addon_item_price"}.get(
            price["item_type"], "charge_item_price"
        )
        return LineSpec(
            description=price["external_name"],
            unit_amount=price["price"],
            quantity=quantity,
            entity_type=entity_type,
            entity_id=price["id"],
            pricing_model=price["pricing_model"],
            date_from=when,
            date_to=when + 30 * DAY - 1 if recurring else when,
            coupon_id="LOYALTY10" if coupon else None,
            discount_percent=Decimal(10) if coupon else None,
        )

    def _invoice(
        self, customer_id: str, market: Market, subscription_id: str, month: int, when: int
    ) -> Callable[[], None]:
        def run() -> None:
            customer = self.store.get("customer", customer_id)
            if customer is None or customer.get("deleted"):
                return
            rng = self.rng
            coupon = ("WELCOME100", _price("100", market)) if rng.random() < 0.1 else None
            invoice = operations.generate_invoice(
                self.store,
                customer_id,
                currency_code=market.currency,
                lines=self._lines(market, month, when),
                tax=market.tax,
                subscription_id=subscription_id,
                document_coupon=coupon,
                round_off=rng.random() < 0.1,
                source="scheduled_job",
            )
            self._settle(invoice, customer, when)

        return run

    def _usage_invoice(
        self, customer_id: str, market: Market, count: int, when: int
    ) -> Callable[[], None]:
        def run() -> None:
            price = self.prices[("api-calls", market.currency)]
            lines = [
                LineSpec(
                    description=f"API calls, workspace {n + 1:03d}",
                    unit_amount=price["price"],
                    quantity=1 + (n * 37) % 90,
                    entity_type="addon_item_price",
                    entity_id=price["id"],
                    pricing_model="per_unit",
                    date_from=when - 30 * DAY,
                    date_to=when - 1,
                )
                for n in range(count)
            ]
            invoice = operations.generate_invoice(
                self.store,
                customer_id,
                currency_code=market.currency,
                lines=lines,
                tax=market.tax,
                recurring=False,
                source="scheduled_job",
            )
            self.timeline.at(when + 3600, lambda: self._pay(invoice["id"], None, True))
            self.timeline.at(when + 10 * DAY, lambda: self._credit(invoice["id"], "refundable"))

        return run

    def _settle(self, invoice: Record, customer: Record, when: int) -> None:
        rng = self.rng
        at = self.timeline.at
        invoice_id = invoice["id"]
        if rng.random() < 0.05:
            at(when + 1800, lambda: self._credit(invoice_id, "adjustment"))
        elif rng.random() < 0.03:
            at(when + 1800, lambda: self._credit(invoice_id, "refundable"))
        roll = rng.random()
        if customer.get("auto_collection") == "on":
            if roll < 0.80:
                at(when + 3600, lambda: self._pay(invoice_id, None, True))
            elif roll < 0.88:
                at(when + 3600, lambda: self._pay(invoice_id, None, False))
                at(when + 3 * DAY, lambda: self._pay(invoice_id, None, True))
            elif roll < 0.94:
                at(when + 3600, lambda: self._pay(invoice_id, None, False))
                at(when + 3 * DAY, lambda: self._pay(invoice_id, None, False))
                at(when + 10 * DAY, lambda: self._exhaust(invoice_id))
                if rng.random() < 0.5:
                    at(when + 30 * DAY, lambda: self._write_off(invoice_id))
            else:
                at(when + 3600, lambda: self._pay(invoice_id, None, False))
        else:
            if roll < 0.6:
                at(when + 20 * DAY, lambda: self._pay(invoice_id, None, True, "bank_transfer"))
            elif roll < 0.75:
                at(when + 15 * DAY, lambda: self._pay(invoice_id, 2, True, "check"))
                if rng.random() < 0.5:
                    at(when + 40 * DAY, lambda: self._pay(invoice_id, None, True, "bank_transfer"))
            elif roll < 0.85:
                pass  # left open: posted, then payment_due after the due date
            elif roll < 0.93:
                at(when + 5 * DAY, lambda: self._void(invoice_id))
            else:
                at(when + 2 * DAY, lambda: self._delete(invoice_id))
        at(int(invoice.get("due_date", when)) + 3600, lambda: self._overdue(invoice_id))
        if rng.random() < 0.08:
            full = rng.random() < 0.25
            at(when + 25 * DAY, lambda: self._refund(invoice_id, full))

    def _pay(self, invoice_id: str, divisor: int | None, ok: bool, method: str = "card") -> None:
        invoice = self.store.get("invoice", invoice_id)
        if invoice is None or invoice.get("deleted") or invoice["amount_due"] == 0:
            return
        if invoice["status"] == "voided":
            return
        amount = invoice["amount_due"] // divisor if divisor else None
        txn = operations.record_payment(
            self.store,
            invoice_id,
            amount=amount or None,
            succeeded=ok,
            payment_method=method,
            source="scheduled_job" if method == "card" else "admin_console",
        )
        if ok and method == "card" and self.disputes.random() < CHARGEBACK_RATE:
            self._plan_chargeback(txn["id"], invoice_id)

    def _plan_chargeback(self, txn_id: str, invoice_id: str) -> None:
        """A dispute lost some weeks later: full or partial, naming its invoices or not, and
        sometimes collected again by bank transfer."""
        draw = self.disputes
        full = draw.random() < 0.5
        share = 20 + draw.randrange(60)
        name_invoices = draw.random() < 0.75
        recollect = draw.random() < 0.5
        when = self.store.now() + (15 + draw.randrange(30)) * DAY

        def run() -> None:
            txn = self.store.get("transaction", txn_id)
            if txn is None:
                return
            amount = None if full else max(1, txn["amount"] * share // 100)
            operations.chargeback_payment(
                self.store, txn_id, amount=amount, name_invoices=name_invoices
            )
            if recollect:
                self.timeline.at(
                    self.store.now() + 10 * DAY,
                    lambda: self._pay(invoice_id, None, True, "bank_transfer"),
                )

        self.timeline.at(when, run)

    def _exhaust(self, invoice_id: str) -> None:
        operations.exhaust_dunning(self.store, invoice_id)

    def _write_off(self, invoice_id: str) -> None:
        operations.write_off_invoice(self.store, invoice_id)

    def _void(self, invoice_id: str) -> None:
        operations.void_invoice(self.store, invoice_id, "Order cancelled")

    def _delete(self, invoice_id: str) -> None:
        operations.delete_invoice(self.store, invoice_id)

    def _overdue(self, invoice_id: str) -> None:
        invoice = self.store.get("invoice", invoice_id)
        if invoice is not None and not invoice.get("deleted"):
            operations.mark_overdue(self.store, invoice_id)

    def _credit(self, invoice_id: str, cn_type: str) -> None:
        invoice = self.store.get("invoice", invoice_id)
        if invoice is None or invoice.get("deleted") or invoice["status"] == "voided":
            return
        base = invoice["amount_due"] if cn_type == "adjustment" else invoice["total"]
        amount = base * (10 + self.rng.randrange(20)) // 100
        if amount <= 0:
            return
        reason = "service_unsatisfactory" if cn_type == "refundable" else "order_change"
        operations.issue_credit_note(
            self.store, invoice_id, amount=amount, cn_type=cn_type, reason_code=reason
        )

    def _refund(self, invoice_id: str, full: bool) -> None:
        invoice = self.store.get("invoice", invoice_id)
        if invoice is None or invoice.get("deleted"):
            return
        payments = [
            lp["txn_id"] for lp in invoice["linked_payments"] if lp.get("txn_status") == "success"
        ]
        if not payments:
            return
        txn = self.store.get("transaction", payments[-1])
        if txn is None:
            return
        amount = None if full else max(1, txn["amount"] * (10 + self.rng.randrange(40)) // 100)
        operations.refund_payment(self.store, txn["id"], amount=amount)

    # -- account hierarchies (after the main history, own stream) ---------------------------

    def hierarchies(self) -> None:
        """Families of one parent paying the invoices of two children (scale >= 10).

        The children's invoices carry ``payment_owner`` = the parent, whose card pays them;
        some of those payments are charged back, in both of Chargebee's shapes.
        """
        count = 1 + self.scale // 200 if self.scale >= 10 else 0
        for n in range(count):
            when = max(HIERARCHY_AT, int(self.clock.t)) + n * DAY
            self.timeline.at(when, self._family(n, when))

    def _family(self, n: int, created: int) -> Callable[[], None]:
        def run() -> None:
            draw, market = self.families, MARKETS[n % len(MARKETS)]
            parent = self._customer(800 + 3 * n, market, created, draw)
            parent["auto_collection"] = "on"
            operations.create_customer(self.store, parent, source="admin_console")
            for c in range(2):
                child = self._customer(801 + 3 * n + c, market, created, draw)
                child["relationship"] = {
                    "parent_id": parent["id"],
                    "payment_owner_id": parent["id"],
                    "invoice_owner_id": child["id"],
                    "object": "relationship",
                }
                operations.create_customer(self.store, child, source="admin_console")
                for month in range(3):
                    when = created + month * 30 * DAY + 3600
                    shape = ("refund", "payment_reversal")[(n + c) % 2] if month == 1 else None
                    self.timeline.at(
                        when, self._family_invoice(child["id"], market, month, when, shape)
                    )
            self.timeline.at(
                created + 3600, self._family_invoice(parent["id"], market, 0, created + 3600)
            )

        return run

    def _family_invoice(
        self, customer_id: str, market: Market, month: int, when: int, chargeback: str | None = None
    ) -> Callable[[], None]:
        """An invoice the payment owner pays by card (the third month stays open); ``chargeback``
        names the shape of a dispute lost on that payment two weeks later."""

        def run() -> None:
            draw = self.families
            plan = draw.choice(("platform-starter", "platform-growth"))
            seats = 1 + draw.randrange(20)
            invoice = operations.generate_invoice(
                self.store,
                customer_id,
                currency_code=market.currency,
                lines=[
                    self._line(plan, market, 1, when),
                    self._line("extra-seats", market, seats, when),
                ],
                tax=market.tax,
                subscription_id=f"sub_family_{customer_id[:10]}",
                source="scheduled_job",
            )
            if month == 2:
                return
            txn = operations.record_payment(
                self.store,
                invoice["id"],
                payer_is_owner=self.payer_is_owner,
                source="scheduled_job",
            )
            if chargeback is not None:
                full = chargeback == "payment_reversal"
                amount = None if full else max(1, txn["amount"] * (20 + draw.randrange(60)) // 100)

                def dispute() -> None:
                    operations.chargeback_payment(
                        self.store, txn["id"], amount=amount, shape=chargeback
                    )

                self.timeline.at(when + 14 * DAY, dispute)

        return run

    # -- the fine print, after the history (so every earlier document stays as it was) ---

    def fine_print(self) -> None:
        """After the history, on new invoices only, so every earlier document stays as it was:
        withheld tax (the rest then paid net of it, or still open), a write-off if the history
        has none, and paid invoices given store credit or a credit note with a negative
        round-off or a fractional correction."""
        draw = self.fine
        invoices = [i for i in self.store.all("invoice") if not i.get("deleted")]
        customers = [c for c in self.store.all("customer") if not c.get("deleted")]
        billed = [c for c in customers if _market_of(c) is not None]
        if not billed:
            return
        withholding = [c for c in billed if draw.random() < TAX_WITHHELD_RATE] or billed[:1]
        for customer in withholding:
            pays_rest = draw.random() < 0.5
            self._step(partial(self._withhold, customer, draw.randrange(3), pays_rest))
        if not any(is_write_off(r) for i in invoices for r in i["adjustment_credit_notes"]):
            customer = billed[draw.randrange(len(billed))]
            self._step(partial(self._written_off, customer, draw.randrange(3)))
        stores = [c for c in billed if draw.random() < STORE_CREDIT_RATE] or billed[-1:]
        for customer in stores:
            share = 10 + draw.randrange(20)
            self._step(partial(self._store_credit, customer, draw.randrange(3), share))
        cents = [c for c in billed if minor_units_per_major(c["preferred_currency_code"]) > 1]
        if cents:
            customer = cents[draw.randrange(len(cents))]
            self._step(partial(self._rounded_credit, customer, draw.randrange(1, 50)))
        customer = billed[draw.randrange(len(billed))]
        self._step(partial(self._prorated_credit, customer))

    def _step(self, action: Callable[[], object]) -> None:
        self.clock.t += 3600
        with contextlib.suppress(operations.OperationError):
            action()

    def _fresh_invoice(self, customer: Record, plan: int, *, paid: bool = False) -> Record:
        """A new one-off invoice for ``customer`` in its currency: a plan, seats and support;
        ``paid`` by bank transfer an hour later."""
        market = _market_of(customer)
        assert market is not None
        item = ("platform-starter", "platform-growth", "platform-enterprise")[plan]
        now = self.store.now()
        lines = [
            self._line(name, market, qty, now) for name, qty in ((item, 1), ("extra-seats", 7))
        ]
        lines.append(self._line("priority-support", market, 1, now))
        invoice = operations.generate_invoice(
            self.store,
            customer["id"],
            currency_code=market.currency,
            lines=lines,
            tax=market.tax,
            recurring=False,
            net_term_days=30,
            source="admin_console",
        )
        if paid:
            self.clock.t += 3600
            operations.record_payment(self.store, invoice["id"], payment_method="bank_transfer")
        return invoice

    def _written_off(self, customer: Record, plan: int) -> None:
        invoice = self._fresh_invoice(customer, plan)
        self.clock.t += 3600
        operations.write_off_invoice(self.store, invoice["id"])

    def _withhold(self, customer: Record, plan: int, pays_rest: bool) -> None:
        """Tax withheld at a tenth of the invoice's net amount, as withholding-tax rates go."""
        invoice = self._fresh_invoice(customer, plan)
        self.clock.t += 3600
        operations.record_tax_withheld(
            self.store,
            invoice["id"],
            amount=max(1, invoice["sub_total"] // 10),
            reference_number=f"WHT-{invoice['id']}",
            description="Withholding tax deducted by the customer",
        )
        if pays_rest and invoice["amount_due"]:
            self.clock.t += 3600
            operations.record_payment(self.store, invoice["id"], payment_method="bank_transfer")

    def _store_credit(self, customer: Record, plan: int, percent: int) -> None:
        invoice = self._fresh_invoice(customer, plan, paid=True)
        self.clock.t += 3600
        self._credit_share(invoice, "store", percent)

    def _credit_share(self, invoice: Record, cn_type: str, percent: int) -> None:
        operations.issue_credit_note(
            self.store,
            invoice["id"],
            amount=max(1, invoice["total"] * percent // 100),
            cn_type=cn_type,
            reason_code="subscription_change",
        )

    def _rounded_credit(self, customer: Record, cents: int) -> None:
        """A refundable note whose total rounds down to a whole unit: round_off is negative."""
        invoice = self._fresh_invoice(customer, 1, paid=True)
        self.clock.t += 3600
        whole = invoice["total"] // 10 // 100 * 100
        operations.issue_credit_note(
            self.store,
            invoice["id"],
            amount=whole + cents,
            cn_type="refundable",
            reason_code="product_unsatisfactory",
            round_off=True,
        )

    def _prorated_credit(self, customer: Record) -> None:
        """A refundable note prorated as Chargebee does, for an amount that leaves cents over."""
        invoice = self._fresh_invoice(customer, 2, paid=True)
        self.clock.t += 3600
        for amount in range(max(3, invoice["total"] // 7), invoice["total"] // 2):
            # A dry run: its lines get a fixed id, so no id of the store is spent.
            residue = objects.credit_note_lines(invoice, amount, _probe_id, "", by_ratio=True)[2]
            if residue:
                operations.issue_credit_note(
                    self.store,
                    invoice["id"],
                    amount=amount,
                    cn_type="refundable",
                    reason_code="service_unsatisfactory",
                    prorate=True,
                )
                return

    # -- records from before updated_at existed -------------------------------------------

    def legacy(self) -> None:
        count = 2 if self.scale >= 5 else (1 if self.scale >= 1 else 0)
        for n in range(count):
            self.timeline.at(LEGACY_AT + n * DAY, self._legacy_customer(n))

    def _legacy_customer(self, n: int) -> Callable[[], None]:
        def run() -> None:
            market = MARKETS[n % 2]
            record = self._customer(900 + n, market, self.store.now())
            operations.create_customer(self.store, record, source="admin_console")
            invoice = operations.generate_invoice(
                self.store,
                record["id"],
                currency_code=market.currency,
                lines=[LineSpec("Annual licence 2015", _price("1200", market))],
                tax=market.tax,
                recurring=False,
            )
            operations.record_payment(
                self.store, invoice["id"], payment_method="check", source="admin_console"
            )
            now = self.store.now()
            self.store.insert(
                "transaction",
                objects.clean(
                    {
                        "id": self.store.new_id("transaction", "txn_"),
                        "customer_id": record["id"],
                        "payment_source_id": f"pm_{record['id'][:12]}",
                        "payment_method": "card",
                        "gateway": "stripe",
                        "gateway_account_id": "gw_sandbox_stripe",
                        "type": "authorization",
                        "authorization_reason": "verification",
                        "date": now,
                        "exchange_rate": self.store.currencies.rate(market.currency),
                        "currency_code": market.currency,
                        "base_currency_code": self.store.currencies.base,
                        "amount": _price("1", market),
                        "amount_capturable": 0,
                        "id_at_gateway": f"ch_{self.store.token(24)}",
                        "status": "voided",
                        "voided_at": now + 600,
                        "masked_card_number": "************4242",
                        "deleted": False,
                        "object": "transaction",
                        "linked_invoices": [],
                        "linked_credit_notes": [],
                        "linked_refunds": [],
                    }
                ),
            )

        return run


def generate(
    scale: int,
    seed: int,
    currencies: SiteCurrencies | None = None,
    *,
    payer_is_owner: bool = True,
    conventions: Conventions | None = None,
    fine_print: bool = True,
) -> dict[str, Any]:
    """Billing history for ``scale`` customers (about 4 invoices each), same for the same seed.

    Includes USD/EUR/GBP/JPY customers (companies and persons), plans, add-ons and one-off
    charges, item and document coupons, taxes, round-off, two usage invoices with 320 and
    130 lines, full/partial/failed payments, dunning, refunds, full and partial chargebacks
    (``payment_reversal`` and automated ``refund`` + ``payment_method: chargeback``),
    adjustment and refundable credit notes, write-offs, voids, deletions and pre-2016 records
    without ``updated_at``; then account hierarchies (a parent paying its children's invoices;
    ``payer_is_owner`` false puts the child on those payments) and (``fine_print``) withheld
    tax, store credit notes, a credit note with a negative round-off and one with a fractional
    correction, each from a random stream of its own. Documents carry the ``exchange_rate`` to
    the site's base currency from ``currencies`` (default: USD and
    :data:`currencies.USD_PER_UNIT`); ``conventions`` (default: the profile's) fill the fields
    public sources leave open.
    The result is the seeding contract: ``generate()`` → JSON → seed load round-trips.
    """
    if scale < 0:
        raise ValueError("scale must be >= 0")
    # Generation only builds live, acyclic data: the cyclic collector would repeatedly scan
    # millions of objects for nothing (about a quarter of the run time at large scales).
    collecting = gc.isenabled()
    gc.disable()
    try:
        gen = _Generator(
            scale, seed, currencies, payer_is_owner=payer_is_owner, conventions=conventions
        )
        gen.clock.t = float(LEGACY_AT)
        gen.legacy()
        gen.timeline.run()
        gen.clock.t = float(CATALOG_AT)
        gen.catalog()
        gen.customers()
        gen.timeline.run()
        gen.hierarchies()
        gen.timeline.run()
        if fine_print:
            gen.fine_print()
        return _take_records(gen.store)
    finally:
        if collecting:
            gc.enable()


def _take_records(store: Store) -> dict[str, list[Record]]:
    """The generator store's records in seeding-contract form, without copying them.

    The store is private to one ``generate`` call and dropped afterwards, it keeps no
    event snapshots, and its records share no sub-objects (a unit test pins that), so
    handing them out as they are is the same as ``dump_seed``'s deep copy at half the
    peak memory.
    """
    return {key: store.all(kind) for key, kind in SEED_KEYS.items()}
