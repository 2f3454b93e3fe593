"""What every operator of the connector shares: connection ids, the retry policy, the run's
context read once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID, NETSUITE_CONN_ID
from chargebee_netsuite.airflow.retry import POLICY

if TYPE_CHECKING:
    from airflow.sdk import Context

    from chargebee_netsuite.airflow.settings import SyncConfig


@dataclass(frozen=True)
class RunContext:
    """The parts of an Airflow context a stage needs, as plain values."""

    run_id: str
    params: Mapping[str, Any]
    data_interval_start: datetime | None = None
    data_interval_end: datetime | None = None
    try_number: int = 1

    @classmethod
    def of(cls, context: Context | Mapping[str, Any]) -> RunContext:
        """Read from a task's context (missing keys: a manual run without an interval)."""
        params = context.get("params") or {}
        return cls(
            run_id=str(context.get("run_id") or "manual"),
            params=params if isinstance(params, Mapping) else {},
            data_interval_start=context.get("data_interval_start"),
            data_interval_end=context.get("data_interval_end"),
            try_number=int(getattr(context.get("ti"), "try_number", 1) or 1),
        )


def flag(value: Any, params: Mapping[str, Any], name: str) -> bool:
    """An operator's boolean argument: as given (a bool, or a rendered template such as
    ``"{{ params.dry_run }}"``), else the DAG param of the same name, else False."""
    if value is None:
        value = params.get(name, False)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


class ConnectorOperator(BaseOperator):
    """Base of the connector's operators: connection ids as arguments, the retry policy.

    ``__init__`` does no I/O (connections are read in ``execute``). Unless a task says
    otherwise, it runs under :data:`chargebee_netsuite.airflow.retry.POLICY`: a rejected key
    or a bad mapping fails at once, a rate limit or an outage is retried.
    """

    ui_color = "#e8f1fb"

    def __init__(
        self,
        *,
        chargebee_conn_id: str = CHARGEBEE_CONN_ID,
        netsuite_conn_id: str = NETSUITE_CONN_ID,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("retry_policy", POLICY)
        super().__init__(**kwargs)
        self.chargebee_conn_id = chargebee_conn_id
        self.netsuite_conn_id = netsuite_conn_id

    def sync_config(self) -> SyncConfig:
        """This process's configuration, for this operator's connections."""
        from chargebee_netsuite.airflow.settings import sync_config

        return sync_config(self.chargebee_conn_id, self.netsuite_conn_id)
