"""What a user can do with a workspace: the one layer the CLI and the REST API both call.

Each use case takes an open :class:`~shakhes.workspace.Workspace`, takes the read or write
turn it needs (:meth:`~shakhes.workspace.Workspace.reading`,
:meth:`~shakhes.workspace.Workspace.writing`), calls the core, records a change in the audit
log and the data version, and returns frozen data — never text for a terminal. Front-ends only
parse their input, call one of these, and format what comes back; errors are
:class:`~shakhes.errors.ShakhesError` with a code that each front-end words its own way.

- :mod:`shakhes.service.compute` — compute and explain KPIs; result records (CSV/JSON rows).
- :mod:`shakhes.service.why` — why a KPI moved: its change between two periods split by a
  dimension (:mod:`shakhes.service.why_words` says it in words).
- :mod:`shakhes.service.definitions` — list, show, apply (validated) and export KPI
  definitions.
- :mod:`shakhes.service.imports` — import files, load canonical files, the import log, undo,
  quarantined rows and their retry.
- :mod:`shakhes.service.goals` — goals and targets: add, list, show, set, remove, the targets
  that apply on a day with their period instances, goal trees, leading → lagging links.
- :mod:`shakhes.service.status` — where every target stands (actual, pace, forecast,
  probability, status), rolled up goal → KPI → target.
- :mod:`shakhes.service.history` — a KPI's daily history in a scope, for pacing and forecasts.
- :mod:`shakhes.service.rates` — exchange rates: load, summary.
- :mod:`shakhes.service.audit` — the audit log, each entry described in words.
"""
