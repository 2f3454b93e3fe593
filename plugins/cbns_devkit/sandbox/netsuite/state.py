"""Everything one running sandbox holds: settings, clock, store, services and runtime switches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import refdata
from .account_settings import NetSuiteSandboxSettings
from .asyncjobs import Jobs
from .clock import Clock
from .concurrency_gate import Governor
from .fault_injection import FaultPlan
from .oauth import TokenService
from .record_api import RecordService
from .sqlite_store import Store
from .suiteql_engine import SuiteQL


class SandboxState:
    """The simulated account. Built once per app; ``reset`` empties and reseeds it."""

    def __init__(self, settings: NetSuiteSandboxSettings) -> None:
        self.settings = settings
        self.clock = Clock()
        self.tokens = TokenService(settings, self.clock)
        self.governor = Governor(settings.concurrency_limit, settings.integration_concurrency_limit)
        self.faults = FaultPlan(settings.fail_nth, settings.drop_nth)
        self.latency_ms = settings.latency_ms
        self.jobs = Jobs()
        self.store = Store(settings.database_path)
        self.records = RecordService(self.store, settings, self.clock)
        self.suiteql = SuiteQL(self.store, settings.suiteql_max_results, settings)
        if self.store.one("SELECT 1 FROM currency LIMIT 1") is None:
            self.seed(self.reference_data())

    def reference_data(self) -> dict[str, list[dict[str, Any]]]:
        """The configured reference-data file's content (empty without one)."""
        path = self.settings.reference_data_path
        return refdata.load_reference_data(path) if path else {}

    def seed(self, data: Mapping[str, Any]) -> None:
        """Load reference records into the (empty) store."""
        refdata.seed(self.store, data, tax_engine=self.settings.tax_engine)

    def reset(self, data: Mapping[str, Any] | None = None) -> None:
        """Drop every record and reseed (from ``data`` or the configured file)."""
        with self.store.lock:
            self.store.drop_all()
            self.store.create_schema()
            self.seed(self.reference_data() if data is None else data)
        self.jobs = Jobs()
        self.records.saves.clear()
