"""Google Ads UI reports (CSV, TSV, the UTF-16 "Excel CSV", XLSX).

Layout: a title line and a date-range line, then the header; ``Total: …`` rows at the end;
``--`` for empty cells; quoted thousands; the currency in a ``Currency code`` column. Headers in
English, French, German, Spanish and Persian are recognised; the derived columns (CTR, Avg. CPC,
Cost / conv., Conv. rate, impression shares, …) and settings (status, budget, bid strategy) are
recognised and ignored.

Decisions:

* **``--`` is zero** in a number column: Google Ads writes it where there is nothing to count
  (a paused campaign's conversions). Any other empty or ``NA`` cell in a number column is
  unknown, and a row whose conversions or conversion value is unknown is quarantined.
* **Repeated rows are added.** Two rows with the same day, campaign (and ad group) are two
  things the report does not tell apart (two campaigns with one name in a report without
  campaign ids); they are added together, as the report's own total does.
"""

from __future__ import annotations

from shakhes.imports.sources.base import (
    Field,
    SourceSpec,
    header_key,
    number_fields,
    starts_with_total,
)

_FIELDS = (
    Field("date", ("Day", "Date", "Jour", "Tag", "Día", "روز", "تاریخ"), "date"),
    Field(
        "campaign",
        ("Campaign", "Campagne", "Kampagne", "Campaña", "کمپین"),
        "text",
        required=True,
    ),
    Field(
        "campaign_id",
        ("Campaign ID", "ID de la campagne", "Kampagnen-ID", "ID de campaña", "شناسه کمپین"),
        "id",
    ),
    Field(
        "ad_group",
        (
            "Ad group",
            "Groupe d'annonces",
            "Anzeigengruppe",
            "Grupo de anuncios",
            "گروه تبلیغاتی",
            "گروه آگهی",
        ),
        "text",
    ),
    Field(
        "account",
        (
            "Account name",
            "Account",
            "Customer ID",
            "Nom du compte",
            "Kontoname",
            "Nombre de la cuenta",
            "نام حساب",
        ),
        "text",
    ),
    Field(
        "currency",
        (
            "Currency code",
            "Currency",
            "Code de la devise",
            "Währungscode",
            "Código de moneda",
            "کد واحد پول",
            "کد ارز",
            "واحد پول",
        ),
        "text",
    ),
    Field(
        "impressions",
        ("Impr.", "Impressions", "Impr", "Impressionen", "Impresiones", "نمایش", "نمایش‌ها"),
        "number",
        required=True,
    ),
    Field("clicks", ("Clicks", "Clics", "Klicks", "کلیک", "کلیک‌ها"), "number", required=True),
    Field("cost", ("Cost", "Coût", "Kosten", "Costo", "Coste", "هزینه"), "number", required=True),
    Field(
        "conversions",
        ("Conversions", "Conv.", "Konversionen", "Conversiones", "تبدیل", "تبدیل‌ها"),
        "number",
    ),
    Field(
        "conversion_value",
        (
            "Conv. value",
            "Conversion value",
            "Valeur de conv.",
            "Conv.-Wert",
            "Valor de conv.",
            "ارزش تبدیل",
        ),
        "number",
    ),
    Field(
        "_campaign_type",
        ("Campaign type", "Type de campagne", "Kampagnentyp", "Tipo de campaña", "نوع کمپین"),
        "text",
    ),
)

_IGNORED = (
    # English: derived ratios and averages
    "CTR", "Avg. CPC", "Avg. CPM", "Avg. CPV", "Avg. cost", "Interactions", "Interaction rate",
    "Interaction types", "Cost / conv.", "Conv. rate", "Conv. value / cost", "Value / conv.",
    "All conv.", "All conv. value", "All conv. rate", "Cost / all conv.", "View-through conv.",
    "Conv. (Platform Comparable)", "Cost / Conv. (Platform Comparable)",
    "Conv. value / Cost (Platform Comparable)", "Conv. value (Platform Comparable)",
    "Search impr. share", "Search lost IS (budget)", "Search lost IS (rank)", "Search top IS",
    "Search abs. top IS", "Impr. (Abs. Top) %", "Impr. (Top) %", "Views", "View rate",
    # English: settings
    "Campaign status", "Campaign state", "Ad group status", "Ad group state", "Status",
    "Status reasons", "Budget", "Budget type", "Budget name", "Bid strategy type",
    "Bid strategy", "Target CPA", "Target ROAS", "Optimization score", "Labels",
    # French
    "CPC moy.", "CPM moy.", "Coût moy.", "Taux d'interaction", "Coût/conv.", "Coût / conv.",
    "Taux de conv.", "Statut de la campagne", "Statut",
    # German
    "Durchschn. CPC", "Ø CPC", "Durchschn. CPM", "Conv.-Rate", "Kosten/Conv.", "Interaktionen",
    "Kampagnenstatus",
    # Spanish
    "CPC medio", "CPC prom.", "CPM medio", "Tasa de conv.", "Costo/conv.", "Coste/conv.",
    "Interacciones", "Estado de la campaña", "Estado", "Presupuesto",
    # Persian
    "نرخ کلیک", "میانگین هزینه هر کلیک", "هزینه هر تبدیل", "نرخ تبدیل", "وضعیت کمپین", "وضعیت",
    "بودجه",
)  # fmt: skip

GOOGLE_ADS = SourceSpec(
    name="google-ads",
    table="ad_performance",
    title="Google Ads report",
    fields=_FIELDS,
    ignored=_IGNORED,
    zero=number_fields(_FIELDS, ("--",)),
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
            header_key(kind): channel
            for kind, channel in {
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
                # French, German, Spanish, Persian UIs
                "réseau de recherche": "search",
                "recherche": "search",
                "réseau display": "display",
                "vidéo": "video",
                "suche": "search",
                "displaynetzwerk": "display",
                "búsqueda": "search",
                "red de búsqueda": "search",
                "red de display": "display",
                "جستجو": "search",
                "شبکه جستجو": "search",
                "نمایشی": "display",
                "شبکه نمایش": "display",
                "ویدیو": "video",
                "خرید": "search",
            }.items()
        },
    ),
    summary=starts_with_total,
    account_from="account",
    preamble_date_range=True,
    title_lines=True,
    repeated_keys="add",
    daily_hint="In Google Ads add the segment Time → Day to the table and download it again.",
)
