"""The steps an officer takes on an agreement: intake, overlap, checklists and assessment, lifecycle, sign-off, amendment.

Each step reads what the register loaded, decides (or refuses, changing nothing) and
writes through :mod:`isa_toolkit.register.store`. Imports ``model`` and ``register`` only.
"""
