"""Canonical marketing tables, loading and the demo data generator."""
