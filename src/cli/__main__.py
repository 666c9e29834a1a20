"""``python -m xuke.cli``: how tests and benchmarks start the command line in a child process."""

from xuke.cli import app

app()
