"""Private keys must never be in the register: a scan ``isa validate`` runs over its files.

The register is a git repository its whole team (and often a forge) can read, so a signing key committed to it is
a key anyone can sign with. A key is found by what it is (a PEM block naming a private key, a PKCS#12 bundle),
not only by its name.
"""

from __future__ import annotations

import os
from pathlib import Path

from .problem import Problem, Severity

# Files that may hold a key by their kind, read to see whether they do; a PKCS#12 bundle always holds one.
READ = {".pem", ".key", ".crt", ".cer", ".der", ".p8", ".pk8", ".txt"}
BUNDLES = {".p12", ".pfx"}
MARKERS = (b"PRIVATE KEY-----", b"PRIVATE KEY BLOCK-----")
SKIP = {".git", "__pycache__"}
READ_AT_MOST = 1 << 20  # a key is small; a larger file is read only this far


def private_keys_inside(root: Path) -> list[str]:
    """The register's files (relative paths) that hold a private key."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP)
        for name in sorted(files):
            path = Path(folder) / name
            suffix = path.suffix.lower()
            if suffix in BUNDLES:
                found.append(path.relative_to(root).as_posix())
            elif suffix in READ or "key" in name.lower():
                try:
                    with open(path, "rb") as handle:
                        head = handle.read(READ_AT_MOST)
                except OSError:
                    continue
                if any(marker in head for marker in MARKERS) or (suffix in DER and _der_key(head)):
                    found.append(path.relative_to(root).as_posix())
    return found


DER = {".der", ".key", ".p8", ".pk8"}


def _der_key(data: bytes) -> bool:
    """Whether binary (DER) data is a private key, encrypted or not."""
    if not data.startswith(b"\x30"):
        return False
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    try:
        load_der_private_key(data, None)
    except TypeError:  # encrypted: a key all the same
        return True
    except (ValueError, Exception):  # noqa: BLE001 - not a key (a certificate, anything else)
        return False
    return True


def key_problems(root: Path) -> list[Problem]:
    return [Problem(rel, 0, "", "holds a private key, which must never be in the register (anyone who can read the "
                                "register could sign with it): move it outside, point the environment variable "
                                "register.yaml's signing.key_env names at it, and if it was committed, make a new key "
                                "(isa keys init) and remove the old one from the history",
                    Severity.ERROR)
            for rel in private_keys_inside(root)]
