"""isa-toolkit: a git-backed register of information sharing agreements."""

__version__ = "0.1.0"
