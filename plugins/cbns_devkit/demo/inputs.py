"""What a user brings to the demo: Chargebee data, a mapping, a NetSuite chart of accounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chargebee_netsuite.airflow.settings import MAPPING_PATH_ENV


@dataclass(frozen=True)
class DemoInputs:
    """``SEED=`` (the seeding contract, ``include/chargebee/seed.schema.json``), ``MAPPING=``
    (the mapping file the sync uses) and ``NS_REFERENCE=`` (reference data for the NetSuite
    sandbox, in the shape of ``include/netsuite/reference_data.json``); each optional."""

    seed: Path | None = None
    mapping: Path | None = None
    ns_reference: Path | None = None

    def __post_init__(self) -> None:
        for name in ("seed", "mapping", "ns_reference"):
            path = getattr(self, name)
            if path is not None and not Path(path).is_file():
                raise FileNotFoundError(f"{name.upper()}={path}: no such file")

    def env(self) -> dict[str, str]:
        """Environment for every Airflow process (the mapping path)."""
        return {MAPPING_PATH_ENV: str(self.mapping.resolve())} if self.mapping else {}

    def sandbox_args(self) -> list[str]:
        """Extra ``cbns-sandbox serve`` options (the NetSuite reference data)."""
        if self.ns_reference is None:
            return []
        return ["--ns-reference-data", str(self.ns_reference.resolve())]

    def describe(self) -> list[str]:
        """One line per input given, for the demo's progress output."""
        lines = []
        if self.seed is not None:
            lines.append(f"Chargebee data from {self.seed} (no demo problem records added)")
        if self.mapping is not None:
            lines.append(f"mapping {self.mapping}")
        if self.ns_reference is not None:
            lines.append(f"NetSuite reference data (chart of accounts) from {self.ns_reference}")
        return lines
