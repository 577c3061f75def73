"""`python -m nearby.core.cli ARGS…`: the command line, as the console script runs it."""

from nearby.core.cli.entry import run

run()
