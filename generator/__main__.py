"""`python -m generator` runs the `intranet` command."""

from generator.cli import run

run()
