"""The page tests' signed-in browser (``owner``), shared with tests/integration/web."""

from tests.integration.web.conftest import owner

__all__ = ["owner"]
