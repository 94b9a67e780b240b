"""One module per source layout; :data:`REGISTRY` lists them by name."""

from __future__ import annotations

from shakhes.imports.sources.base import SourceSpec
from shakhes.imports.sources.canonical import CANONICAL_SOURCES
from shakhes.imports.sources.google_ads import GOOGLE_ADS
from shakhes.imports.sources.meta_ads import META_ADS

REGISTRY: dict[str, SourceSpec] = {
    spec.name: spec for spec in (GOOGLE_ADS, META_ADS, *CANONICAL_SOURCES)
}
"""Every known source layout by name (``--source NAME``)."""

__all__ = ["REGISTRY", "SourceSpec"]
