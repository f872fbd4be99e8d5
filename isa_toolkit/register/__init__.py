"""The register on disk and in git: finding it, loading and checking every record, writing one change.

Every command starts at :func:`load_register`, which returns the settings,
the records of every kind and every problem found; a step that changes a
record goes through :mod:`.store` (lock, atomic write, one commit). Git runs
only in :mod:`.vcs`. The package imports only the model: a workflow step, a
document or the command line is handed what it loads.
"""

from .kinds import record_path
from .load import Register, find_register, load_agreement, load_all, load_record, load_register
from .read import parse_agreement, parse_record
from .store import (
    create_agreement,
    create_record,
    modify_agreement,
    modify_record,
    save_agreement,
    save_records,
    to_plain,
    transaction,
)

__all__ = [
    "Register", "create_agreement", "create_record", "find_register", "load_agreement", "load_all", "load_record",
    "load_register", "modify_agreement", "modify_record", "parse_agreement", "parse_record", "record_path",
    "save_agreement", "save_records", "to_plain", "transaction",
]
