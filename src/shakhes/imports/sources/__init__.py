"""One module per source layout; :data:`REGISTRY` lists them by name."""

from __future__ import annotations

from shakhes.imports.sources.base import SourceSpec
from shakhes.imports.sources.canonical import CANONICAL_SOURCES
from shakhes.imports.sources.ga4 import GA4
from shakhes.imports.sources.google_ads import GOOGLE_ADS
from shakhes.imports.sources.linkedin_ads import LINKEDIN_ADS
from shakhes.imports.sources.meta_ads import META_ADS
from shakhes.imports.sources.shopify import SHOPIFY
from shakhes.imports.sources.tiktok_ads import TIKTOK_ADS
from shakhes.imports.sources.woocommerce import WOOCOMMERCE
from shakhes.imports.sources.yektanet import YEKTANET

REGISTRY: dict[str, SourceSpec] = {
    spec.name: spec
    # The order settles only exact ties (same columns placed, same shape of file): Yektanet
    # before Google Ads, whose Persian headers are the same words.
    for spec in (
        YEKTANET,
        GOOGLE_ADS,
        META_ADS,
        SHOPIFY,
        WOOCOMMERCE,
        LINKEDIN_ADS,
        TIKTOK_ADS,
        GA4,
        *CANONICAL_SOURCES,
    )
}
"""Every known source layout by name (``--source NAME``)."""

__all__ = ["REGISTRY", "SourceSpec"]
