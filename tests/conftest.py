"""Fixtures any test may use. Keep this file small and generic."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# Shared CI machines are slow and busy; a per-example deadline there only makes tests flaky.
settings.register_profile("sdsx", deadline=None)
settings.load_profile("sdsx")

EXAMPLES = Path(__file__).resolve().parents[1] / "spec" / "examples"


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    """The bundled examples: ``valid/`` personas and ``invalid/`` cases with their manifest."""
    return EXAMPLES
