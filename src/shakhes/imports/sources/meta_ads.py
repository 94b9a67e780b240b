"""Meta Ads Manager exports (Facebook and Instagram; CSV or XLSX).

Layout: one header row; ``Reporting starts``/``Reporting ends`` on every row (a daily export has
them equal); the currency inside money headers (``Amount spent (USD)``); a summary row with an
empty name; ``Results`` counted in the action its ``Result indicator`` names.
"""

from __future__ import annotations

from collections.abc import Mapping

from shakhes.imports.sources.base import Field, SourceSpec


def _is_summary(row: Mapping[str, str]) -> bool:
    """Meta's account total: a row without a campaign, ad set or ad name."""
    names = [v for k, v in row.items() if k in ("campaign", "ad_group", "ad")]
    return bool(names) and not any(v.strip() for v in names)


META_ADS = SourceSpec(
    name="meta-ads",
    table="ad_performance",
    title="Meta Ads Manager export",
    fields=(
        Field(
            "date",
            (
                "Reporting starts",
                "Day",
                "Date",
                "Inicio del informe",
                "Début des rapports",
                "Berichtsbeginn",
                "شروع گزارش",
            ),
            "date",
            required=True,
        ),
        Field(
            "_date_end",
            (
                "Reporting ends",
                "Fin del informe",
                "Fin des rapports",
                "Berichtsende",
                "پایان گزارش",
            ),
            "date",
        ),
        Field(
            "campaign",
            (
                "Campaign name",
                "Nom de la campagne",
                "Nombre de la campaña",
                "Kampagnenname",
                "نام کمپین",
            ),
            "text",
        ),
        Field("campaign_id", ("Campaign ID", "Identifiant de la campagne"), "id"),
        Field(
            "ad_group",
            (
                "Ad set name",
                "Nom de l'ensemble de publicités",
                "Nombre del conjunto de anuncios",
                "نام مجموعه تبلیغ",
            ),
            "text",
        ),
        Field("ad", ("Ad name", "Nom de la publicité", "Nombre del anuncio", "نام تبلیغ"), "text"),
        Field("account", ("Account name", "Nom du compte"), "text"),
        Field("currency", ("Currency",), "text"),
        Field("impressions", ("Impressions", "Impresiones", "نمایش"), "number", required=True),
        Field(
            "clicks",
            (
                "Link clicks",
                "Clics sur un lien",
                "Clics en el enlace",
                "Link-Klicks",
                "کلیک روی لینک",
            ),
            "number",
        ),
        Field(
            "cost",
            (
                "Amount spent",
                "Montant dépensé",
                "Importe gastado",
                "Ausgegebener Betrag",
                "مبلغ هزینه‌شده",
            ),
            "number",
            required=True,
        ),
        Field(
            "conversions", ("Results", "Résultats", "Resultados", "Ergebnisse", "نتایج"), "number"
        ),
        Field(
            "_result_indicator",
            ("Result indicator", "Indicateur de résultat", "Indicador de resultado"),
            "text",
        ),
        Field(
            "conversion_value",
            ("Purchases conversion value", "Website purchases conversion value"),
            "number",
        ),
        Field("reach", ("Reach", "Couverture", "Alcance", "Reichweite", "دسترسی"), "number"),
        Field("leads", ("Leads", "Prospects"), "number"),
        Field("engagements", ("Post engagements", "Interactions avec la publication"), "number"),
        Field("video_views", ("ThruPlays", "3-second video plays"), "number"),
    ),
    constants={"platform": "meta", "channel": "social"},
    copies={"campaign_id": "campaign"},
    defaults={
        "account": "(not set)",
        "ad_group": "(not set)",
        "clicks": "0",
        "conversions": "0",
        "conversion_value": "0",
    },
    summary=_is_summary,
    account_from="account",
)
