"""The connector's Airflow operators, one per stage, each over a plain-Python function.

Use them in your own DAG (see the README's "Operators in your own DAG")::

    from chargebee_netsuite.airflow.operators import (
        ChargebeeToStagingOperator,
        GreatExpectationsValidationOperator,
        NetSuiteLoadOperator,
    )
"""

from __future__ import annotations

from airflow.sdk import BaseOperator, BaseOperatorLink

from chargebee_netsuite.airflow.operators.chargebee import ChargebeeToStagingOperator
from chargebee_netsuite.airflow.operators.links import (
    DataDocsLink,
    FinanceViewLink,
    ReconciliationReportLink,
)
from chargebee_netsuite.airflow.operators.netsuite import (
    NetSuiteLoadOperator,
    NetSuiteReferenceOperator,
)
from chargebee_netsuite.airflow.operators.preflight import (
    CheckConnectionsOperator,
    MappingCheckOperator,
    MappingParseOperator,
    MigrateStagingOperator,
)
from chargebee_netsuite.airflow.operators.quality import GreatExpectationsValidationOperator
from chargebee_netsuite.airflow.operators.reconcile import (
    ReconcileOperator,
    ReconcileSummaryOperator,
)
from chargebee_netsuite.airflow.operators.webhooks import WebhookInboxToNetSuiteOperator

__all__ = [
    "LINKS",
    "OPERATORS",
    "ChargebeeToStagingOperator",
    "CheckConnectionsOperator",
    "DataDocsLink",
    "FinanceViewLink",
    "GreatExpectationsValidationOperator",
    "MappingCheckOperator",
    "MappingParseOperator",
    "MigrateStagingOperator",
    "NetSuiteLoadOperator",
    "NetSuiteReferenceOperator",
    "ReconcileOperator",
    "ReconcileSummaryOperator",
    "ReconciliationReportLink",
    "WebhookInboxToNetSuiteOperator",
]

OPERATORS: tuple[type[BaseOperator], ...] = (
    CheckConnectionsOperator,
    MigrateStagingOperator,
    NetSuiteReferenceOperator,
    MappingParseOperator,
    MappingCheckOperator,
    ChargebeeToStagingOperator,
    GreatExpectationsValidationOperator,
    NetSuiteLoadOperator,
    ReconcileSummaryOperator,
    ReconcileOperator,
    WebhookInboxToNetSuiteOperator,
)
LINKS: tuple[type[BaseOperatorLink], ...] = (
    DataDocsLink,
    FinanceViewLink,
    ReconciliationReportLink,
)


def registered_links() -> list[BaseOperatorLink]:
    """One instance of each link, its ``operators`` read from the operators' own links: what
    the AirflowPlugin registers, so the API server can build a link itself."""
    registered = []
    for link in LINKS:
        link.operators = [
            op for op in OPERATORS if any(isinstance(x, link) for x in op.operator_extra_links)
        ]
        registered.append(link())
    return registered
