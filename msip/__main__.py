"""`python -m msip` runs the command line."""

from msip.cli import main

main()
