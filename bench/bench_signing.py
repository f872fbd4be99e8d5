"""Figures for signatures (printed, never asserted).

    python bench/bench_signing.py [--count 50]

On a copy of the example register with COUNT agreements of three parties each, at their signature stage: the
time to send the packs (one PDF rendered per agreement, a certified copy per signatory); then the time to read and
validate one copy signed by two signatories, as isa receive does it (in a resource-limited child process), beside
pyHanko validating the same file in a fresh process of its own (what `pyhanko sign validate` does).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from isa_toolkit.register import vcs  # noqa: E402
from isa_toolkit.signing.inspect import inspect_pdf  # noqa: E402
from isa_toolkit.signing.keys import init_keys  # noqa: E402
from isa_toolkit.signing.send import send  # noqa: E402
from isa_toolkit.signing.throwaway import CA, sign_field  # noqa: E402

PARTIES = (("Northshire Constabulary", "Helen Marsh"), ("Northshire County Council", "Deborah Quinn"),
           ("Northshire Health NHS Foundation Trust", "Dr Emeka Obi"))
RECORD = """\
id: {id}
kind: isa
title: {{en: Bench agreement {n}}}
version: '1.0'
status: authorised
parties:
{parties}
purpose: {{en: A purpose.}}
signoffs:
{signoffs}
"""


def record(record_id: str, n: int) -> str:
    parties = "".join(
        f"  - organisation: {org}\n    role: both\n    designated_officer: {{name: Officer {i}, email: o{i}@example.org}}\n"
        f"    signatory: {{name: {who}, email: s{i}@example.org}}\n" for i, (org, who) in enumerate(PARTIES))
    signoffs = []
    for role in ("information_asset_owner", "designated_officer", "information_compliance_manager",
                 "information_security_manager"):
        signoffs.append((1, role, None, f"Person {role}"))
    signoffs += [(1, "partner_designated_officer", org, f"Officer {i}") for i, (org, _) in enumerate(PARTIES)]
    signoffs += [(2, "head_of_information_management", None, "Margaret Okonedo"), (3, "executive", None, "Ex Ec")]
    text = "".join(f"  - {{stage: {stage}, role: {role}, name: {name}, decision: approve, date: 2026-11-01, "
                   f"version: '1.0'{f', organisation: {org}' if org else ''}}}\n" for stage, role, org, name in signoffs)
    return RECORD.format(id=record_id, n=n, parties=parties, signoffs=text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="isa-bench-signing-"))
    try:
        root = base / "register"
        shutil.copytree(HERE.parent / "register", root)
        ids = [f"ISA-2030-{n:04d}" for n in range(1, args.count + 1)]
        for n, record_id in enumerate(ids, 1):
            (root / "agreements" / f"{record_id}.yaml").write_text(record(record_id, n))
        vcs.init(root)
        vcs.commit_all(root, "bench")
        os.environ["ISA_SIGNING_PASSPHRASE"] = "bench only"
        os.environ["ISA_SIGNING_KEY"] = str(base / "register-key.pem")
        from isa_toolkit.register.load import load_register

        made = init_keys(root, load_register(root, checks=False).settings, key_out=base / "register-key.pem")
        vcs.commit(root, [made.certificate.relative_to(root).as_posix()], "keys")
        print(f"Signatures: {args.count} agreements, {len(PARTIES)} signatories each")
        t0 = time.perf_counter()
        packs = []
        for record_id in ids:
            packs.append(send(root, record_id, outdir=base / "packs", by="Bench").packs)
        took = time.perf_counter() - t0
        count = sum(len(p) for p in packs)
        print(f"  send: {count} certified packs (PDF, DOCX, e-mail)      {took:8.3f} s "
              f"({took / args.count:.3f} s an agreement, {count / took:.1f} packs a second)")
        authority = CA(base / "pki")
        first = packs[0]
        data = first[0].pdf.read_bytes()
        for pack in first[:2]:  # two signatories, one after the other, in the first one's copy
            data = sign_field(data, pack.field, authority.issue(pack.person.name, pack.slot.organisation or ""))
        signed = base / "twice-signed.pdf"
        signed.write_bytes(data)
        roots = [root / "keys" / "register-certificate.pem", authority.path]
        inspect_pdf(signed, roots)  # warm the file cache
        runs = 5
        t0 = time.perf_counter()
        for _ in range(runs):
            inspect_pdf(signed, roots)
        ours = (time.perf_counter() - t0) / runs
        plain = ("import sys\nfrom pyhanko.keys import load_certs_from_pemder\nfrom pyhanko.pdf_utils.reader import "
                 "PdfFileReader\nfrom pyhanko.sign.validation import validate_pdf_signature\nfrom pyhanko_certvalidator "
                 "import ValidationContext\nvc = ValidationContext(trust_roots=list(load_certs_from_pemder(sys.argv[2:])))\n"
                 "with open(sys.argv[1], 'rb') as f:\n    for s in PdfFileReader(f).embedded_signatures:\n"
                 "        validate_pdf_signature(s, vc)\n")
        t0 = time.perf_counter()
        for _ in range(runs):
            subprocess.run([sys.executable, "-c", plain, str(signed), *map(str, roots)], check=True)
        theirs = (time.perf_counter() - t0) / runs
        print(f"  receive: read and validate a twice-signed copy       {ours:8.3f} s (limited child process)")
        print(f"  pyHanko validating the same file, its own process    {theirs:8.3f} s  -> {ours / theirs:.2f}x")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
