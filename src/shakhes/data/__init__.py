"""Canonical marketing tables, loading and the demo data generator."""

DEFAULT_WAIT = 300.0
"""Seconds a reader or writer waits for its turn before giving up (:class:`BusyError`); here,
not in :mod:`shakhes.data.access`, so that the command line's options name it without importing
the locks."""
