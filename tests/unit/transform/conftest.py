"""Fixtures for transform tests."""

from __future__ import annotations

import pytest
from tests.builders.documents import context

from chargebee_netsuite.transform.model import TransformContext


@pytest.fixture
def ctx() -> TransformContext:
    return context()
