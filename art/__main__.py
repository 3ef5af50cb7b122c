"""`python -m art`: the same as the `art` command."""

from art.cli import main

main()
