"""Reviews over time: what is due, the daily reminder run, and the review of one agreement.

Imports ``model``, ``register``, ``workflows`` and ``cases`` (the daily run reports what is owed on case records).
"""
