"""A Chargebee seed whose catalog the example mapping has never seen.

The generator's billing history with every catalog item renamed (ids, names, price ids, the
family) and Stripe replaced by Adyen, so that nothing in ``include/mapping.example.yaml``
matches it. One item is renamed to a NetSuite item's display name ("Extra storage"), which a
drafted mapping must fill in by itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cbns_devkit.sandbox.chargebee.generator import generate

# generator item id -> (new id, new name)
RENAMES = {
    "platform-starter": ("insight-lite", "Insight Lite"),
    "platform-growth": ("insight-team", "Insight Team"),
    "platform-enterprise": ("insight-scale", "Insight Scale"),
    "platform-classic": ("insight-legacy", "Insight Legacy"),
    "extra-seats": ("analyst-seat", "Analyst Seat"),
    "priority-support": ("extra-storage", "Extra storage"),  # a NetSuite item's display name
    "sso": ("audit-log", "Audit Log Retention"),
    "api-calls": ("data-export", "Data Export (per GB)"),
    "onboarding": ("training-workshop", "Training Workshop"),
    "implementation-day": ("consulting-day", "Consulting Day"),
}
OLD_NAMES = {
    "platform-starter": "Platform Starter",
    "platform-growth": "Platform Growth",
    "platform-enterprise": "Platform Enterprise",
    "platform-classic": "Platform Classic",
    "extra-seats": "Extra Seats",
    "priority-support": "Priority Support",
    "sso": "Single Sign-On",
    "api-calls": "API Calls (per 1k)",
    "onboarding": "Onboarding Package",
    "implementation-day": "Implementation Day",
}
FAMILY = ("cloud-platform", "insight-suite")
GATEWAY = ("stripe", "adyen")


def unfamiliar_seed(scale: int = 3, seed: int = 7) -> dict[str, Any]:
    """The generator's history for ``scale`` customers, in the unfamiliar catalog."""
    text = json.dumps(generate(scale, seed))
    for old, (new, name) in RENAMES.items():
        # An item id alone, or as the head of its price ids ("sso-USD-monthly").
        text = re.sub(rf'(?<=")({re.escape(old)})(?=["-])', new, text)
        text = text.replace(OLD_NAMES[old], name)
    text = text.replace(f'"{FAMILY[0]}"', f'"{FAMILY[1]}"')
    text = text.replace(f'"gateway": "{GATEWAY[0]}"', f'"gateway": "{GATEWAY[1]}"')
    data: dict[str, Any] = json.loads(text)
    return data
