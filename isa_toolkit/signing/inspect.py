"""Reading a returned PDF's signatures, in a process of its own with bounded memory and time.

A copy coming back from a signatory is untrusted input: it may be truncated, hold a stream that inflates to
gigabytes, or be built to exhaust the parser. It is read here, in a child process limited in address space and
CPU time (:func:`inspect_pdf`), which reports each signature as plain data; the register trusts only that report,
and a child that dies or overruns is a refusal, never a crash of the command.

The child runs isolated (``python -I``), in a temporary folder, on a private copy of the exact bytes the
register then keeps; it prints the report as JSON.

The limits are the system's resource limits, set in the child before it starts: memory and CPU time on Linux, CPU
time only on macOS (which refuses an address-space limit, and would not keep to it). Windows has neither, so there
only the wall-clock limit applies (docs/platforms.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ..errors import IsaError

MEMORY_BYTES = 1 << 30  # the child's address space (Python and pyHanko take about 150 MiB of it)
CPU_SECONDS = 60
WALL_SECONDS = 90


def _report(path: Path, roots: list[Path]) -> dict:
    """Each embedded signature: which field, whether it is intact and valid, trusted, what it covers, who signed
    when, whether it certifies the document (and then whether what followed kept to its permissions), and where the
    revision it signed ends."""
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    trust = [cert for root in roots for cert in load_certs_from_pemder([str(root)])]
    context = ValidationContext(trust_roots=trust, allow_fetching=False)  # never reach the network
    out = []
    try:
        with open(path, "rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            for signature in reader.embedded_signatures:
                status = validate_pdf_signature(signature, context)
                cert = signature.signer_cert
                subject = {key: _printable(value) if isinstance(value, str) else value
                           for key, value in cert.subject.native.items()}
                out.append({
                    "field": signature.field_name,
                    "intact": bool(status.intact),
                    "valid": bool(status.valid),
                    "trusted": bool(status.trusted),
                    "coverage": status.coverage.name if status.coverage else None,
                    "modification_level": status.modification_level.name if status.modification_level else None,
                    "docmdp_ok": status.docmdp_ok,
                    "certifies": signature.docmdp_level is not None,
                    "subject": _printable(cert.subject.human_friendly),
                    "common_name": subject.get("common_name"),
                    "certificate_sha256": hashlib.sha256(cert.dump()).hexdigest(),
                    "signing_time": status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
                    "end": int(signature.byte_range[2] + signature.byte_range[3]),
                })
    except (PdfError, ValueError, KeyError, TypeError, IndexError, OSError) as exc:
        return {"error": f"not a PDF that can be read: {type(exc).__name__}: {exc}"}
    return {"signatures": out}


def _printable(text: str) -> str:
    """A certificate's text with control characters (a carriage return, a terminal escape) made visible."""
    return "".join(ch if ch.isprintable() else "\ufffd" for ch in text)


def _limits() -> Callable[[], None] | None:
    """What the child runs before it starts, to limit itself (None where the system has no resource limits)."""
    if os.name != "posix":
        return None
    import resource  # here, not in the child: nothing is imported between fork and exec

    limits = [(resource.RLIMIT_CPU, CPU_SECONDS)]
    if sys.platform.startswith("linux"):
        limits.append((resource.RLIMIT_AS, MEMORY_BYTES))

    def limit() -> None:
        for which, value in limits:
            resource.setrlimit(which, (value, value))

    return limit


def inspect_pdf(path: Path, roots: list[Path], data: bytes | None = None) -> dict:
    """The child's report on ``data`` (the bytes read once, so that what is checked is what is kept; ``path``'s
    when not given); an IsaError when the file could not be read within the limits."""
    import tempfile

    roots = [root.resolve() for root in roots]  # the child runs in a folder of its own
    missing = [str(root) for root in roots if not root.is_file()]
    if missing:
        raise IsaError(f"the trust root {missing[0]} named in register.yaml's signing.trust_roots is not in the "
                       "register; add it or take it out of the list")
    data = path.read_bytes() if data is None else data
    package = str(Path(__file__).resolve().parents[2])
    # Isolated (-I): no current folder, environment or user site on the path, so no file lying where the command
    # runs can stand in for a module the child imports; the package is put on the path explicitly.
    code = (f"import sys; sys.path.insert(0, {package!r}); "
            "from isa_toolkit.signing.inspect import main; main()")
    with tempfile.TemporaryDirectory(prefix="isa-inspect-") as folder:
        copy = Path(folder) / "returned.pdf"
        copy.write_bytes(data)
        copy.chmod(0o600)
        try:
            done = subprocess.run([sys.executable, "-I", "-c", code, str(copy), *map(str, roots)], cwd=folder,
                                  capture_output=True, timeout=WALL_SECONDS, preexec_fn=_limits(), env=_child_env(),
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise IsaError(f"{path.name} took longer than {WALL_SECONDS} s to read and was refused; nothing was "
                           "recorded") from None
    if done.returncode < 0 or b"MemoryError" in done.stderr:  # stopped by a limit (a signal, or memory)
        raise IsaError(f"{path.name} could not be read within the limits set for a returned file (memory "
                       f"{MEMORY_BYTES >> 20} MiB, {CPU_SECONDS} s) and was refused; nothing was recorded") from None
    if done.returncode != 0:
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no detail"])[-1]
        raise IsaError(f"{path.name} could not be read ({_printable(last)[:300]}) and was refused; nothing was "
                       "recorded")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise IsaError(f"{path.name} could not be read and was refused; nothing was recorded") from None
    if "error" in report:
        raise IsaError(f"{path.name} is {report['error']}; nothing was recorded")
    return report


def _child_env() -> dict[str, str]:
    """The child's whole environment: the search path and a UTF-8 locale (and on Windows the system folder, without
    which Python cannot start)."""
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    if os.name == "nt" and os.environ.get("SYSTEMROOT"):
        env["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
    return env


def main() -> None:  # the child
    print(json.dumps(_report(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])))


if __name__ == "__main__":
    main()
