"""Remotes a register may sync with, checked before git sees them.

A remote URL is git's own configuration (``git remote add origin URL``), but a
URL or a branch name is user text, and git reads some of them as commands
(``ext::sh -c ...``), as options (``--upload-pack=...``, ``-u/tmp/x``) or as
paths outside anything meant (``../../x``). Only these transports are allowed:
``https://``, ``ssh://`` (and the scp-like ``user@host:path``), ``file://``
and an absolute local path. Every git call that talks to a remote also runs
with ``protocol.allow=never`` and only those protocols allowed, so no
configuration or submodule can widen it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import urlsplit

from ..errors import IsaError

ALLOWED_SCHEMES = ("https", "ssh", "file")
# Passed as ``-c`` before the git command on every call that talks to a remote (values are ours, never the user's).
PROTOCOL_GUARD = [
    "-c", "protocol.allow=never",
    "-c", "protocol.https.allow=always",
    "-c", "protocol.ssh.allow=always",
    "-c", "protocol.file.allow=always",
    "-c", "credential.interactive=never",
]
_SCP_LIKE = re.compile(r"^(?:[A-Za-z0-9._~-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*:(?!/{2})[^\s]+$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


class RemoteRefused(IsaError):
    """A remote URL, remote name or branch name that is not allowed."""


_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def redact(text: str) -> str:
    """``text`` with the user part of any URL (a password, or a token alone) replaced by ``***`` (a forge token
    must never be printed)."""
    return _CREDENTIALS.sub("***@", text)


def _plain_text(what: str, value: str) -> None:
    if not value:
        raise RemoteRefused(f"the {what} is empty")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise RemoteRefused(f"the {what} {value!r} holds a control character (a newline?); give it on one line")
    if value.startswith("-"):
        raise RemoteRefused(f"the {what} {value!r} starts with '-', so git would read it as an option; refused")


def check_url(url: str) -> str:
    """``url`` if it is a remote the register may use, else :class:`RemoteRefused` saying why and what is allowed."""
    _plain_text("remote URL", url)
    allowed = ("use https://host/path, ssh://host/path, user@host:path, file:///path or an absolute folder path")
    if "::" in url.split("/", 1)[0] or url.lower().startswith(("ext:", "fd:")):
        raise RemoteRefused(f"the remote URL {redact(url)!r} names a git transport helper (ext::, fd::...), which can run "
                            f"commands; refused: {allowed}")
    if url.startswith("/") or PureWindowsPath(url).is_absolute():
        if ".." in PurePosixPath(url.replace("\\", "/")).parts:
            raise RemoteRefused(f"the remote path {redact(url)!r} climbs with '..'; give the folder's full path")
        return url
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        raise RemoteRefused(f"{redact(url)!r} is not a URL that can be read: {allowed}") from None
    if hostname and ("%" in hostname or hostname.startswith("-")):
        raise RemoteRefused(f"the remote host in {redact(url)!r} is not a host name; refused")
    if parts.scheme:
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise RemoteRefused(f"the remote URL {redact(url)!r} uses {parts.scheme}://, which is not allowed: {allowed}")
        if parts.scheme.lower() != "file" and not hostname:
            raise RemoteRefused(f"the remote URL {redact(url)!r} has no host: {allowed}")
        if parts.scheme.lower() == "file" and ".." in PurePosixPath(parts.path).parts:
            raise RemoteRefused(f"the remote path {redact(url)!r} climbs with '..'; give the folder's full path")
        return url
    if _SCP_LIKE.match(url) and not url.split(":", 1)[0].split("@")[-1].startswith("-"):
        return url
    raise RemoteRefused(f"{redact(url)!r} is not a remote the register may use (a relative path is not either): {allowed}")


def check_name(name: str, what: str = "remote name") -> str:
    """A remote or branch name: letters, digits, '.', '_', '-', not starting with '-' (a branch may have '/')."""
    _plain_text(what, name)
    parts = name.split("/") if what == "branch name" else [name]
    if not all(_NAME.match(part) and part not in (".", "..") and not part.endswith(".lock") for part in parts) \
            or ".." in name:
        raise RemoteRefused(f"the {what} {name!r} is not allowed: use letters, digits, '.', '_' and '-'"
                            + (", with '/' between parts" if what == "branch name" else ""))
    return name
