"""`python -m redzone` is the `redzone` command."""

from redzone.cli import main

main()
