"""The ``shakhes`` command line."""
