"""Nearby's version, as installed (the wheel's or the bundle's metadata); "development" in a checkout
that was never installed."""

from __future__ import annotations

from importlib import metadata


def version() -> str:
    try:
        return metadata.version("nearby")
    except metadata.PackageNotFoundError:
        return "development"
