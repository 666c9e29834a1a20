"""Fixtures shared with the API suite."""

from tests.api.conftest import api  # noqa: F401
