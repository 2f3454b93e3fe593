"""The record API: upsert by external id, read, delete."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from chargebee_netsuite.netsuite.errors import RecordNotFoundError

if TYPE_CHECKING:
    from chargebee_netsuite.netsuite.client import NetSuiteClient

# NetSuite allows only these characters in an ``eid:`` URL segment (a ``|`` breaks parsing).
EXTERNAL_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
RECORD_TYPE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def check_external_id(external_id: str) -> str:
    """Return ``external_id`` if NetSuite can address it as ``eid:…``, else raise ValueError."""
    if not EXTERNAL_ID_PATTERN.match(external_id):
        raise ValueError(
            f"external id {external_id!r} may only contain letters, digits, '_' and '-'; "
            "escape it before posting"
        )
    return external_id


def _record_path(record_type: str, record_id: str) -> str:
    if not RECORD_TYPE_PATTERN.match(record_type):
        raise ValueError(f"{record_type!r} is not a NetSuite record type")
    if record_id.startswith("eid:"):
        check_external_id(record_id.removeprefix("eid:"))
    elif not record_id.isdigit():
        raise ValueError(f"{record_id!r} is neither an internal id nor 'eid:<external id>'")
    return f"/record/v1/{record_type}/{record_id}"


def internal_id_from_location(location: str | None) -> str | None:
    """The internal id at the end of a ``Location`` header, if it is one."""
    if not location:
        return None
    last = urlsplit(location).path.rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdigit() else None


class RecordAPI:
    """``/record/v1/{type}``: every write is an idempotent ``PUT …/eid:{externalId}`` upsert.

    There is deliberately no plain ``POST`` create: after a timeout the client retries, and a
    retried create could make a second record, while a retried upsert cannot.
    """

    def __init__(self, client: NetSuiteClient) -> None:
        self._client = client

    def upsert(
        self,
        record_type: str,
        external_id: str,
        body: Mapping[str, Any],
        *,
        strict_fields: bool = True,
        replace: Iterable[str] = (),
    ) -> str:
        """Create or update the record keyed on ``external_id``; return its internal id.

        ``strict_fields`` makes NetSuite reject unknown field names instead of silently
        ignoring them (its default), so a typo cannot drop data. An update merges sublists
        (lines it does not name stay); the sublists in ``replace`` are replaced instead
        (``?replace=``, a query parameter of PUT in the REST API Browser).
        """
        path = _record_path(record_type, f"eid:{check_external_id(external_id)}")
        headers = {"X-NetSuite-PropertyNameValidation": "error"} if strict_fields else {}
        names = ",".join(replace)
        params = {"replace": names} if names else None
        response = self._client.request(
            "PUT", path, params=params, json=dict(body), headers=headers
        )
        internal_id = internal_id_from_location(response.headers.get("Location"))
        if internal_id is None:
            # Upsert answers 204, and whether it sends a Location is not documented.
            internal_id = str(self.get(record_type, f"eid:{external_id}", fields=["id"])["id"])
        return internal_id

    def get(
        self,
        record_type: str,
        record_id: str,
        *,
        fields: Iterable[str] | None = None,
        expand_sub_resources: bool = False,
    ) -> dict[str, Any]:
        """Read a record by internal id or ``eid:<external id>``.

        Raises :class:`RecordNotFoundError` (404 ``NONEXISTENT_ID``) when there is none.
        """
        params: dict[str, str] = {}
        if fields:
            params["fields"] = ",".join(fields)
        if expand_sub_resources:
            params["expandSubResources"] = "true"
        response = self._client.request(
            "GET", _record_path(record_type, record_id), params=params or None
        )
        record: dict[str, Any] = response.json()
        return record

    def get_by_external_id(
        self, record_type: str, external_id: str, **kwargs: Any
    ) -> dict[str, Any]:
        """Read a record by its external id."""
        return self.get(record_type, f"eid:{external_id}", **kwargs)

    def delete(self, record_type: str, record_id: str) -> None:
        """Delete a record by internal id or ``eid:<external id>``."""
        self._client.request("DELETE", _record_path(record_type, record_id))

    def delete_by_external_id(self, record_type: str, external_id: str) -> bool:
        """Delete the record keyed on ``external_id``; False if NetSuite had none.

        A 404 ``NONEXISTENT_ID`` counts as done: a retried delete whose first answer was lost
        (or a rerun after a crash) finds the record already gone. Everything else is
        retried, or raised, as for any request.
        """
        path = _record_path(record_type, f"eid:{check_external_id(external_id)}")
        try:
            self._client.request("DELETE", path)
        except RecordNotFoundError:
            return False
        return True
