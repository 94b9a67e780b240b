"""Importing the files marketers really have: platform exports, mappings, quarantine."""
