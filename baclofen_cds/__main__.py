"""`python -m baclofen_cds` runs the command line (the window by default)."""

from baclofen_cds.cli import entry

entry()
