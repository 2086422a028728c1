"""`python -m voxkeep` runs the command line."""

from voxkeep.cli import main

main()
