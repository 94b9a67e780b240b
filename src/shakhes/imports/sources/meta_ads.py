"""Meta Ads Manager exports (Facebook and Instagram; CSV or XLSX).

Layout: one header row; ``Reporting starts``/``Reporting ends`` on every row (a daily export has
them equal); the currency inside money headers (``Amount spent (USD)``); a summary row with an
empty name; ``Results`` counted in the action its ``Result indicator`` names. English, Spanish,
French, German and Persian headers are recognised; the derived columns (frequency, cost per
result, CPM, CPC, CTR, ROAS) and settings (delivery, budget, bid, rankings) are recognised and
ignored.

Decisions:

* **An empty action cell is zero.** Meta counts results, link clicks, leads, purchases and
  engagements as *actions*, and an action that did not happen has no entry at all (the Insights
  API leaves it out of ``actions``; Ads Manager shows "—" and its export an empty cell). So an
  empty cell in those columns is 0. In impressions, amount spent and reach it is unknown, and so
  is ``NA`` anywhere.
* **Clicks** are ``Link clicks``; ``Clicks (all)`` only when the file has no link clicks.
* **Repeated rows are added**: two ads with the same name in one ad set on one day are two
  rows of the export with the same key; they are added together, as Meta's own total does.
"""

from __future__ import annotations

from collections.abc import Mapping

from shakhes.imports.sources.base import Field, SourceSpec

_ACTIONS = ("clicks", "_clicks_all", "conversions", "conversion_value", "leads", "engagements")


_IGNORED = (
    # derived
    "Frequency", "Cost per result", "Cost per results", "CPM (cost per 1,000 impressions)",
    "CPC (cost per link click)", "CTR (link click-through rate)", "CTR (all)", "CPC (all)",
    "Purchase ROAS (return on ad spend)", "Website purchase ROAS (return on ad spend)",
    "Cost per purchase", "Cost per lead", "Cost per landing page view",
    "Cost per unique link click", "Unique CTR (link click-through rate)",
    "Outbound CTR (click-through rate)", "Cost per outbound click", "Cost per ThruPlay",
    "Video average play time", "Cost per messaging conversation started",
    # counts not imported
    "Purchases", "Website purchases", "Landing page views", "Unique link clicks",
    "Outbound clicks", "Video plays at 25%", "Video plays at 50%", "Video plays at 75%",
    "Video plays at 95%", "Video plays at 100%", "Post reactions", "Post comments",
    "Post shares", "Post saves", "Page engagement", "Messaging conversations started",
    "Adds to cart", "Checkouts initiated", "Adds of payment info", "Content views",
    # settings
    "Campaign delivery", "Ad set delivery", "Ad delivery", "Delivery", "Attribution setting",
    "Ad set budget", "Ad set budget type", "Campaign budget", "Budget", "Starts", "Ends",
    "Bid", "Bid type", "Last significant edit", "Quality ranking",
    "Engagement rate ranking", "Conversion rate ranking", "Objective", "Ad set ID", "Ad ID",
    "Account ID",
    # Spanish, French, German, Persian
    "Frecuencia", "Costo por resultado", "Fréquence", "Coût par résultat", "Frequenz",
    "Kosten pro Ergebnis", "تکرار", "هزینه هر نتیجه", "Entrega de la campaña",
    "Diffusion de la campagne", "Auslieferung der Kampagne", "Configuración de atribución",
    "Paramètre d'attribution", "Attributionseinstellung",
)  # fmt: skip


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
                "Reporting start",
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
                "Reporting end",
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
                "Name der Anzeigengruppe",
                "نام مجموعه تبلیغ",
                "نام مجموعه تبلیغات",
            ),
            "text",
        ),
        Field(
            "ad",
            (
                "Ad name",
                "Nom de la publicité",
                "Nombre del anuncio",
                "Name der Anzeige",
                "نام تبلیغ",
            ),
            "text",
        ),
        Field(
            "account",
            ("Account name", "Nom du compte", "Nombre de la cuenta", "Kontoname", "نام حساب"),
            "text",
        ),
        Field("currency", ("Currency", "Devise", "Moneda", "Währung", "واحد پول"), "text"),
        Field(
            "impressions",
            ("Impressions", "Impresiones", "Impressionen", "نمایش", "نمایش‌ها"),
            "number",
            required=True,
        ),
        Field(
            "clicks",
            (
                "Link clicks",
                "Clics sur un lien",
                "Clics en el enlace",
                "Link-Klicks",
                "کلیک روی لینک",
                "کلیک‌های لینک",
            ),
            "number",
        ),
        Field(
            "_clicks_all",
            ("Clicks (all)", "Clics (tous)", "Clics (todos)", "Klicks (alle)", "کلیک‌ها (همه)"),
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
                "مبلغ خرج‌شده",
            ),
            "number",
            required=True,
        ),
        Field(
            "conversions", ("Results", "Résultats", "Resultados", "Ergebnisse", "نتایج"), "number"
        ),
        Field(
            "_result_indicator",
            (
                "Result indicator",
                "Indicateur de résultat",
                "Indicador de resultado",
                "Ergebnisindikator",
                "شاخص نتیجه",
            ),
            "text",
        ),
        Field(
            "conversion_value",
            (
                "Purchases conversion value",
                "Website purchases conversion value",
                "Purchase conversion value",
            ),
            "number",
        ),
        Field("reach", ("Reach", "Couverture", "Alcance", "Reichweite", "دسترسی"), "number"),
        Field("leads", ("Leads", "Prospects"), "number"),
        Field("engagements", ("Post engagements", "Interactions avec la publication"), "number"),
        Field("video_views", ("ThruPlays", "3-second video plays"), "number"),
    ),
    ignored=_IGNORED,
    zero={name: ("",) for name in _ACTIONS},
    constants={"platform": "meta", "channel": "social"},
    copies={"campaign_id": "campaign", "clicks": "_clicks_all"},
    defaults={
        "account": "(not set)",
        "ad_group": "(not set)",
        "clicks": "0",
        "conversions": "0",
        "conversion_value": "0",
    },
    summary=_is_summary,
    account_from="account",
    repeated_keys="add",
    daily_hint="In Ads Manager choose Breakdown → By time → Day and export again.",
)
