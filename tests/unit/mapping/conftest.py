"""Fixtures for mapping tests: the demo reference data and the example mapping."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from chargebee_netsuite.mapping import MappingConfig, load_mapping, parse_mapping
from chargebee_netsuite.reference.model import AccountingPeriod, ReferenceData, ReferenceRecord

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "include" / "mapping.example.yaml"
DEMO_REFERENCE = REPO / "include" / "netsuite" / "reference_data.json"


def _ref(value: Any) -> str | None:
    return str(value["id"]) if isinstance(value, dict) else None


def reference_from_json(raw: dict[str, list[dict[str, Any]]]) -> ReferenceData:
    """The sandbox's reference-data file (REST field names) as :class:`ReferenceData`."""
    records: list[ReferenceRecord] = []
    for kind, rows in raw.items():
        kind = kind.lower()
        if kind.startswith("_") or kind == "accountingperiod":
            continue
        for row in rows:
            row = {k.lower(): v for k, v in row.items()}
            records.append(
                ReferenceRecord(
                    kind=kind,
                    id=str(row["id"]),
                    name=row.get("acctname") or row.get("displayname") or row.get("name", ""),
                    is_inactive=bool(row.get("isinactive", False)),
                    type=row.get("accttype") or row.get("itemtype"),
                    code=row.get("acctnumber") or row.get("itemid") or row.get("symbol"),
                    income_account=_ref(row.get("incomeaccount")),
                )
            )
    periods = [
        AccountingPeriod(
            id=str(p["id"]),
            name=p["periodName"],
            start_date=date.fromisoformat(p["startDate"]),
            end_date=date.fromisoformat(p["endDate"]),
            closed=p.get("closed", False),
            ar_locked=p.get("arLocked", False),
            all_locked=p.get("allLocked", False),
        )
        for p in raw.get("accountingPeriod", [])
    ]
    return ReferenceData.build(records, periods)


@pytest.fixture(scope="session")
def demo_reference_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_REFERENCE.read_text())
    return data


@pytest.fixture
def demo_reference(demo_reference_json: dict[str, Any]) -> ReferenceData:
    return reference_from_json(demo_reference_json)


@pytest.fixture
def example_mapping() -> MappingConfig:
    return load_mapping(EXAMPLE)


@pytest.fixture
def reference_from() -> Callable[[dict[str, Any]], ReferenceData]:
    return reference_from_json


@pytest.fixture
def mapping_with() -> Callable[[str], MappingConfig]:
    """A mapping from a YAML snippet, on top of a minimal valid base."""

    def build(extra_yaml: str = "") -> MappingConfig:
        base = {"ar_account": 6, "subsidiaries": {"default": 1}, "currencies": {"USD": 1}}
        merged = {**base, **(yaml.safe_load(extra_yaml) or {})}
        return parse_mapping(yaml.safe_dump(merged))

    return build
