"""The HTML report: :func:`shakhes.report.html.render` turns the data of
:func:`shakhes.service.report.build` into one self-contained page (no links out: Plotly's
JavaScript is inlined once from the installed package, fonts are the system's)."""
