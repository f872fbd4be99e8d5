"""What happens under or outside an agreement: sharing decisions, one-off disclosures, third-party requests,
incidents and breaches, and the deadlines they carry.

Imports ``model``, ``register`` and ``workflows`` (the lifecycle, the overlap check, checklists).
"""
