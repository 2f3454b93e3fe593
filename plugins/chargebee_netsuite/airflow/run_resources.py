"""What one task's run holds open: the staging engine and the API clients, closed together.

``with run_resources(config) as resources:`` replaces the config → engine → client →
try/finally block every stage used to repeat. Each resource is made on first use, so a task
opens only what it touches (the connection check never opens staging), and everything made is
closed when the block ends, the clients before the engine they draw their budget from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from chargebee_netsuite.airflow.settings import SyncConfig

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from chargebee_netsuite.chargebee.client import ChargebeeClient, ChargebeeSettings
    from chargebee_netsuite.netsuite.client import NetSuiteClient


class RunResources:
    """The staging engine, the Chargebee and NetSuite clients and the site, made lazily."""

    def __init__(self, config: SyncConfig, closing: ExitStack) -> None:
        self.config = config
        self._closing = closing

    @cached_property
    def engine(self) -> Engine:
        """An engine on the staging database."""
        from chargebee_netsuite.staging.db import create_staging_engine

        engine = create_staging_engine(self.config.staging_url)
        self._closing.callback(engine.dispose)
        return engine

    @cached_property
    def chargebee_settings(self) -> ChargebeeSettings:
        """Chargebee client settings from the connection (the key stays inside)."""
        from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook

        return ChargebeeHook(self.config.chargebee_conn_id).get_settings()

    @property
    def site(self) -> str:
        """The Chargebee site of the connection (its ``login``)."""
        return self.chargebee_settings.site

    @cached_property
    def chargebee(self) -> ChargebeeClient:
        """A Chargebee client drawing on the site's request budget shared through staging."""
        from chargebee_netsuite.extract.budget import budgeted_client

        return self._closing.enter_context(budgeted_client(self.engine, self.chargebee_settings))

    @cached_property
    def netsuite(self) -> NetSuiteClient:
        """A NetSuite client from the connection (token minting and re-minting inside)."""
        from chargebee_netsuite.airflow.hooks.netsuite import NetSuiteHook

        client = NetSuiteHook(self.config.netsuite_conn_id).get_conn()
        self._closing.callback(client.close)
        return client


@contextmanager
def run_resources(config: SyncConfig) -> Iterator[RunResources]:
    """The run's resources; whatever was opened is closed on exit, in reverse order."""
    with ExitStack() as closing:
        yield RunResources(config, closing)
