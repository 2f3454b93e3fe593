"""Sandbox profiles: where public evidence leaves a vendor behaviour open, one value per profile.

``CBNS_SANDBOX_PROFILE`` picks the profile (``primary`` by default). Settings whose real value
is uncertain take their default from :func:`choose`, so every test, the CLI and child
processes started by tests agree on the variant. CI runs the suite under ``primary`` and its
load, reconcile and tie-out tests again under ``variant``; the connector must pass both.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

PROFILE_ENV = "CBNS_SANDBOX_PROFILE"
PROFILES = ("primary", "variant")

T = TypeVar("T")


def active_profile() -> str:
    """The profile named by ``CBNS_SANDBOX_PROFILE`` (``primary`` when unset)."""
    name = os.environ.get(PROFILE_ENV, "").strip() or "primary"
    if name not in PROFILES:
        raise ValueError(f"{PROFILE_ENV}={name!r}: expected one of {', '.join(PROFILES)}")
    return name


def choose(primary: T, variant: T) -> Callable[[], T]:
    """A dataclass ``default_factory`` giving ``primary`` or ``variant`` by the active profile."""
    return lambda: variant if active_profile() == "variant" else primary
