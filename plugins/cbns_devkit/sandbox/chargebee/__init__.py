"""A faithful local Chargebee API v2 (Product Catalog 2.0) service for tests and demos."""

from .app import create_app
from .generator import generate
from .site_settings import ChargebeeSandboxSettings
from .spec import add_arguments, build, describe_settings

__all__ = [
    "ChargebeeSandboxSettings",
    "add_arguments",
    "build",
    "create_app",
    "describe_settings",
    "generate",
]
