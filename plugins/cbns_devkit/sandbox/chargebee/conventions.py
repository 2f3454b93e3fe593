"""How Chargebee fills invoice and credit-note fields that public sources leave open.

Each convention is a setting with both variants, defaulted through the profile switch, so the
generator, the served sites and the tests agree; the connector must work under either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..profile import choose

WRITE_OFF_REASON = "write_off"
# The create_reason_code Chargebee gives write-off credit notes (apidocs.chargebee.com, "Write
# off an invoice": "create_reason_code is Write Off").
WRITE_OFF_CREATE_REASON = "Write Off"


def is_write_off(ref: dict[str, Any]) -> bool:
    """Whether an invoice's ``adjustment_credit_notes`` entry is a write-off's credit note."""
    return (
        ref.get("cn_reason_code") == WRITE_OFF_REASON
        or ref.get("cn_create_reason_code") == WRITE_OFF_CREATE_REASON
    )


@dataclass(frozen=True)
class Conventions:
    """One site's answers to the open questions; the defaults follow the sandbox profile."""

    # amount_adjusted is "Total adjustments made against this invoice", write_off_amount
    # "Amount written off against this invoice" (chargebee-node v2.29.0 Invoice.d.ts): whether
    # the write-off's adjustment credit note counts in amount_adjusted is not said.
    amount_adjusted_includes_write_off: bool = field(default_factory=choose(True, False))
    # reason_code is "[Deprecated; use the create_reason_code parameter instead]" (chargebee-node
    # v2.29.0 CreditNote.d.ts): whether new credit notes still carry it is not said.
    credit_note_reason_code: bool = field(default_factory=choose(True, False))
    # Prorated credit-note lines leave "a small surplus or deficit, which is captured as a
    # fractional correction" (support.chargebee.com article 259792): in the total beside the
    # lines (primary), or already absorbed by the lines and only reported (variant)?
    fractional_correction_in_total: bool = field(default_factory=choose(True, False))
    # Store credits "are applied before tax calculations on future invoices" (apidocs
    # credit_notes, "Credit Note Types"); invoices list them in line_item_credits[]. Primary: the
    # invoice total keeps them and applied_credits (tax_application pre_tax) settles them, as for
    # refundable credits; variant: the total is already net of them.
    store_credits_reduce_total: bool = field(default_factory=choose(False, True))

    def finish(self, record: dict[str, Any]) -> None:
        """Bring a record just changed in line with these conventions (``Store.touch``).

        :func:`~.objects.refresh_invoice` counts the write-off in ``amount_adjusted``; with
        the other convention it comes out again here, recomputed from the array, so repeated
        calls change nothing.
        """
        if self.amount_adjusted_includes_write_off or record.get("object") != "invoice":
            return
        refs = record.get("adjustment_credit_notes")
        if not isinstance(refs, list):
            return
        record["amount_adjusted"] = sum(
            int(r.get("cn_total", 0))
            for r in refs
            if r.get("cn_status") != "voided" and not is_write_off(r)
        )
