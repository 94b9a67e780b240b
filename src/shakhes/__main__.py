"""``python -m shakhes`` runs the command line, as ``shakhes`` does."""

from shakhes.cli.app import main

main()
