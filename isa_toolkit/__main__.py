"""``python -m isa_toolkit``: the same as the ``isa`` command."""

from .cli import main

main(prog_name="isa")
