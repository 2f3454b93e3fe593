"""What the webhook receiver needs to run (kept free of FastAPI so any code can import it)."""

from __future__ import annotations

from dataclasses import dataclass, field


class ReceiverNotConfigured(Exception):
    """The receiver has no credentials or site; the message names what to set, never a value."""


@dataclass(frozen=True)
class ReceiverConfig:
    """Everything the receiver needs: the expected credentials, the site and the staging DB."""

    username: str
    password: str = field(repr=False)
    site: str
    staging_url: str = field(repr=False)
