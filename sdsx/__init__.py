"""The ``sdsx`` command line and the distribution's version."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sdsx")
except PackageNotFoundError:  # Running from a source tree that was never installed.
    __version__ = "0.0.0"

__all__ = ["__version__"]
