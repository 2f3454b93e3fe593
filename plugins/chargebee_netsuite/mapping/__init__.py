"""The user's mapping: where Chargebee documents post in NetSuite, and its validation."""

from chargebee_netsuite.mapping.catch_all import CatchAllUse, PriceActivity
from chargebee_netsuite.mapping.loading import MappingConfigError, load_mapping, parse_mapping
from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.mapping.resolve import ItemPriceRef, Resolution
from chargebee_netsuite.mapping.validation import (
    ChargebeeUsage,
    Problem,
    ValidationReport,
    validate_mapping,
)

__all__ = [
    "CatchAllUse",
    "ChargebeeUsage",
    "ItemPriceRef",
    "MappingConfig",
    "MappingConfigError",
    "PriceActivity",
    "Problem",
    "Resolution",
    "ValidationReport",
    "load_mapping",
    "parse_mapping",
    "validate_mapping",
]
