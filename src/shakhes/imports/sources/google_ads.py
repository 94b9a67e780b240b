"""Google Ads UI reports (CSV, TSV, the UTF-16 "Excel CSV", XLSX).

Layout: a title line and a date-range line, then the header; ``Total: …`` rows at the end;
``--`` for empty cells; quoted thousands; the currency in a ``Currency code`` column. Headers in
English, French, German, Spanish and Persian are recognised.
"""

from __future__ import annotations

from shakhes.imports.sources.base import Field, SourceSpec, starts_with_total

GOOGLE_ADS = SourceSpec(
    name="google-ads",
    table="ad_performance",
    title="Google Ads report",
    fields=(
        Field("date", ("Day", "Date", "Jour", "Tag", "Día", "روز", "تاریخ"), "date"),
        Field(
            "campaign",
            ("Campaign", "Campagne", "Kampagne", "Campaña", "کمپین"),
            "text",
            required=True,
        ),
        Field("campaign_id", ("Campaign ID", "ID de la campagne", "Kampagnen-ID"), "id"),
        Field(
            "ad_group",
            (
                "Ad group",
                "Groupe d'annonces",
                "Anzeigengruppe",
                "Grupo de anuncios",
                "گروه تبلیغاتی",
            ),
            "text",
        ),
        Field("account", ("Account name", "Account", "Customer ID", "Nom du compte"), "text"),
        Field(
            "currency",
            (
                "Currency code",
                "Currency",
                "Code de la devise",
                "Währungscode",
                "Código de moneda",
                "واحد پول",
            ),
            "text",
        ),
        Field(
            "impressions",
            ("Impr.", "Impressions", "Impr", "Impressionen", "نمایش"),
            "number",
            required=True,
        ),
        Field("clicks", ("Clicks", "Clics", "Klicks", "کلیک"), "number", required=True),
        Field("cost", ("Cost", "Coût", "Kosten", "Costo", "هزینه"), "number", required=True),
        Field("conversions", ("Conversions", "Conv.", "Konversionen", "تبدیل"), "number"),
        Field(
            "conversion_value",
            ("Conv. value", "Conversion value", "Valeur de conv.", "Conv.-Wert", "ارزش تبدیل"),
            "number",
        ),
        Field(
            "_campaign_type",
            ("Campaign type", "Type de campagne", "Kampagnentyp", "نوع کمپین"),
            "text",
        ),
    ),
    constants={"platform": "google_ads"},
    copies={"campaign_id": "campaign"},
    defaults={
        "account": "(not set)",
        "ad_group": "(not set)",
        "conversions": "0",
        "conversion_value": "0",
    },
    channel_by=(
        "_campaign_type",
        {
            "search": "search",
            "shopping": "search",
            "display": "display",
            "demand gen": "display",
            "discovery": "display",
            "video": "video",
            "performance max": "other",
            "app": "other",
            "smart": "search",
            "": "search",
        },
    ),
    summary=starts_with_total,
    account_from="account",
    preamble_date_range=True,
)
