"""Figures for a synthetic register of 10,000 agreements (printed, never asserted).

    python bench/bench_register.py [--count 10000] [--keep DIR]

Measures, on one generated register in a temporary git repository:
- raw baseline: reading every file and parsing it with PyYAML's CSafeLoader;
- `isa validate` cold (no cache) and warm, as a user runs it (a new process);
- `isa list --json` and `isa show ID` warm (second run, register unchanged);
- `isa export --format sqlite` of it, with its disclosures and incidents;
- one single-record change committed (lock, read, write, git commit),
  on this register and on a 100-record one, to show it does not grow with size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from isa_toolkit.model import Localized  # noqa: E402
from isa_toolkit.register import vcs, yamlio  # noqa: E402
from isa_toolkit.register.store import modify_agreement  # noqa: E402

ORGS = [
    "Northshire Constabulary", "Northshire County Council", "Eastmoor District Council", "Northshire Fire and Rescue",
    "Northshire Community Health NHS Trust", "Northshire Integrated Care Board", "Probation Service Northshire",
    "Riverside Housing Association", "Westbrook Borough Council", "Northshire Youth Justice Service",
]
ITEMS = [
    ("Name and date of birth", "Nom et date de naissance", "moderate", False, False),
    ("Home address", "Adresse du domicile", "moderate", False, False),
    ("Health condition relevant to risk", "État de santé pertinent pour le risque", "high", True, False),
    ("Record of offences", "Antécédents judiciaires", "high", False, True),
    ("Safeguarding concern summary", "Résumé de la préoccupation", "severe", True, False),
    ("Incident reference numbers", "Numéros de référence des incidents", "low", False, False),
]
STATUSES = ["active"] * 6 + ["draft", "in_review", "terminated", "suspended"]
AS_OF = dt.date(2026, 11, 23)


def synthetic_record(n: int, rng: random.Random) -> dict:
    year = 2015 + n % 11
    record_id = f"ISA-{year}-{n:05d}"
    a, b = rng.sample(ORGS, 2)
    start = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    items = rng.sample(ITEMS, rng.randint(2, 4))
    special = any(item[3] for item in items)
    criminal = any(item[4] for item in items)
    basis = [
        {"type": "lawful_basis", "reference": "UK GDPR Art 6(1)(e)"},
        {"type": "legal_power", "reference": "Crime and Disorder Act 1998 s.115"},
    ]
    if special:
        basis.append({"type": "special_category_condition", "reference": "UK GDPR Art 9(2)(g); DPA 2018 Sch 1 para 18"})
    if criminal:
        basis.append({"type": "criminal_offence_condition", "reference": "UK GDPR Art 10; DPA 2018 Sch 1"})

    def party(org, role):
        slug = org.split()[0].lower()
        return {
            "organisation": org, "role": role,
            "designated_officer": {"name": f"Officer {n}", "email": f"isa.{n}@{slug}.example.org"},
            "signatory": {"name": f"Signatory {n}", "title": "Chief Officer"},
        }

    return {
        "id": record_id, "kind": "isa",
        "title": {"en": f"{a} and {b}: sharing for case {n}"},
        "version": "1.0", "status": STATUSES[n % len(STATUSES)], "languages": ["en"],
        "parties": [party(a, "discloser"), party(b, "recipient")],
        "purpose": {"en": f"To let {a} and {b} share what each knows about people at risk in case group {n}, "
                          "so that a joint plan can be made quickly and nobody falls between services."},
        "benefits": {"en": "Earlier joint action, fewer repeated assessments, and a clear record of who knew what."},
        "areas": ["Northshire"],
        "legal_basis": basis,
        "data_items": [
            {"name": {"en": en}, "personal": True, "special_category": sc, "criminal_offence": co,
             "sensitivity": level, "frequency": {"en": "as needed"}, "transfer_method": {"en": "secure email"}}
            for en, _fr, level, sc, co in items
        ],
        "data_quality": {"en": "Each party checks the accuracy of what it sends and corrects errors within five working days."},
        "retention": {"period": {"en": "Kept for two years after the case closes."},
                      "deletion": {"en": "Deleted from all systems and confirmed in writing."}},
        "security": {"en": "Sent only by secure email; stored on systems accredited by each party."},
        "training": {"en": "Staff complete data protection training every year."},
        "rights": {"subject_access": {"en": "Each party answers requests for the data it holds."},
                   "complaints": {"en": "Complaints go to the data protection officer of the party concerned."},
                   "privacy_information": {"en": "Both parties publish privacy notices describing this sharing."}},
        "breach_handling": {"en": "A breach is reported to the other party within 24 hours and investigated jointly."},
        "onward_disclosure": {"en": "No onward sharing without the written agreement of the disclosing party."},
        "sanctions": {"en": "Sharing is suspended on a serious breach until the parties agree it may resume."},
        "termination": {"en": "Either party may end the agreement with one month's written notice."},
        "contact": "information.sharing@example.org",
        "dpia": {"required": special or criminal, "reason": {"en": "Screening result recorded."},
                 **({"summary": {"en": "Risks assessed and mitigated."}, "reference": f"DPIA-{n}"} if special or criminal else {})},
        "start_date": start,
        # Last reviewed within the past year: about one in six falls due within 60 days of AS_OF.
        "review": {"interval_months": 12, "last": (AS_OF - dt.timedelta(days=rng.randint(0, 364))).isoformat()},
        "signoffs": [
            {"stage": 4, "role": "partner_signatory", "name": party(org, "x")["signatory"]["name"], "organisation": org,
             "decision": "approve", "date": start, "version": "1.0"}
            for org in (a, b)
        ],
    }


def _write_record(folder: Path, data: dict) -> None:
    (folder / f"{data['id']}.yaml").write_text(yamlio.dump(data), encoding="utf-8")


def timed(label: str, fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    best = min(times) if repeat > 1 else times[0]
    print(f"  {label:<52} {best:8.3f} s" + (f"  (best of {repeat})" if repeat > 1 else ""), flush=True)
    return best


def build_register(root: Path, count: int) -> list[str]:
    rng = random.Random(20261123)
    shutil.copytree(HERE.parent / "register", root,
                    ignore=shutil.ignore_patterns("agreements", "disclosures", "requests", "incidents"))
    folder = root / "agreements"
    folder.mkdir()
    records = [synthetic_record(n, rng) for n in range(1, count + 1)]
    # Written in the register's own style (as the toolkit writes), so a later
    # one-field change is a one-line diff, as it is in a real register.
    with multiprocessing.get_context("fork").Pool() as pool:
        pool.starmap(_write_record, [(folder, data) for data in records], chunksize=200)
    ids = [data["id"] for data in records]
    vcs.init(root)
    vcs.commit_all(root, "Synthetic register")
    return ids


def isa(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "isa"
    result = subprocess.run([str(exe), *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"isa {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def one_commit(root: Path, record_id: str, n: int) -> None:
    def edit(agreement):
        text = f"Updated purpose, revision {n}."
        return agreement.model_copy(update={"purpose": Localized(texts={"en": text})}), f"purpose revised ({n})"

    modify_agreement(root, record_id, edit, by="bench")


def review_run(root: Path) -> None:
    """The daily reminder run, twice on the same day, sending to an SMTP server on 127.0.0.1."""
    import socket

    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = (root / "register.yaml").read_text()
        settings = "\n".join(line for line in settings.splitlines()
                             if not line.strip().startswith(("port:", "username_env:", "password_env:")))
        settings = settings.replace("host: 127.0.0.1", f"host: 127.0.0.1\n  port: {port}")
        (root / "register.yaml").write_text(settings + "\n")
        subprocess.run(["git", "commit", "-qam", "bench smtp port"], cwd=root, check=True)
        due = json.loads(isa("-R", str(root), "review", "due", "--as-of", AS_OF.isoformat(), "--json").stdout)
        print(f"  reviews due or overdue on {AS_OF} (within 60 days)          {len(due):8d}")
        out = root.parent / "reminders"
        first = timed("isa review run --send (first run of the day)", lambda: isa(
            "-R", str(root), "review", "run", "--as-of", AS_OF.isoformat(), "--out", str(out), "--send"))
        print(f"  {'  emails written and sent':<52} {Sink.count:8d} ({len(list(out.iterdir()))} .eml files)")
        sent = Sink.count
        timed("isa review run --send (second run, same day)", lambda: isa(
            "-R", str(root), "review", "run", "--as-of", AS_OF.isoformat(), "--out", str(out), "--send"))
        print(f"  {'  new emails on the second run':<52} {Sink.count - sent:8d}")
        del first
    finally:
        controller.stop()


def _case_records(root: Path, ids: list[str], disclosures: int, incidents: int) -> None:
    """Add one-off disclosures (with their criteria) and data incidents naming existing agreements."""
    answers = {"urgent": False, "requester_identity": True, "need_to_know": True, "purpose_clear": True,
               "legal_gateway": True, "approved_at_rank": "n/a", "necessary": True, "accurate": True,
               "proportionate": True, "duty_of_confidence": "n/a", "third_parties_removed": True,
               "informants_protected": "n/a", "security_statement": True, "retention_told": True,
               "subject_access_contact": True}
    folder = root / "disclosures"
    folder.mkdir()
    for n in range(1, disclosures + 1):
        _write_record(folder, {
            "id": f"DIS-2026-{n:05d}", "kind": "disclosure", "languages": ["en"], "date": "2026-11-02",
            "urgent": n % 50 == 0, "requester": {"organisation": f"Agency {n % 300}", "name": f"Officer {n}"},
            "data": {"en": f"Two attendances at address {n}"}, "purpose": {"en": f"Home fire safety visit {n}"},
            "legal_gateway": "DPA 2018 Sch 1 para 18", "decision": "disclose",
            **({} if n % 50 == 0 else {
                "rationale": {"en": "Serious fire risk"},
                "criteria": {"checklist": "one_off_disclosure", "answers": answers, "outcome": "proceed",
                             "by": "Bench", "date": "2026-11-02"}}),
            "recorded_by": "Bench", "recorded": "2026-11-02"})
    folder = root / "incidents"
    folder.mkdir()
    for n in range(1, incidents + 1):
        _write_record(folder, {
            "id": f"INC-2026-{n:05d}", "kind": "incident", "languages": ["en"], "type": "incident",
            "summary": {"en": f"Letter {n} sent to an old address"}, "severity": "medium", "reported": "2026-11-02",
            "reported_by": "Bench", "self_reported": True, "agreements": [ids[n % len(ids)]],
            "regulator": {"required": n % 10 == 0}, "recorded_by": "Bench", "recorded": "2026-11-02"})
    vcs.commit_all(root, "Synthetic disclosures and incidents")


def run(count: int, keep: Path | None) -> None:
    base = Path(tempfile.mkdtemp(prefix="isa-bench-"))
    root = keep or base / "register"
    try:
        print(f"Synthetic register: {count} agreements in {root}")
        t0 = time.perf_counter()
        ids = build_register(root, count)
        files = sorted((root / "agreements").glob("*.yaml"))
        size = sum(f.stat().st_size for f in files)
        print(f"  generated and committed in {time.perf_counter() - t0:.1f} s; {size / len(files) / 1024:.1f} KiB a record")
        time.sleep(1.1)  # let the files age past the cache's racy-timestamp window

        def raw():
            for f in files:
                yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # noqa: S506

        raw_s = timed("raw baseline: read + yaml.CSafeLoader", raw)
        for name in ("isa-cache.sqlite", "isa-cache.sqlite-wal", "isa-cache.sqlite-shm"):
            (root / ".git" / name).unlink(missing_ok=True)
        cold = timed("isa validate, cold (no cache)", lambda: isa("-R", str(root), "validate"))
        print(f"  {'  cold / raw':<52} {cold / raw_s:8.2f} x")
        timed("isa validate, warm", lambda: isa("-R", str(root), "validate"), repeat=3)
        timed("isa list --json, warm", lambda: isa("-R", str(root), "list", "--json"), repeat=3)
        timed("isa show ID, warm", lambda: isa("-R", str(root), "show", ids[len(ids) // 2]), repeat=3)
        result = isa("-R", str(root), "validate")
        print(f"  validate says: {result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip().splitlines()[-1]}")

        before = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()
        commits = []
        for n in range(5):
            t0 = time.perf_counter()
            one_commit(root, ids[n * 7], n)
            commits.append(time.perf_counter() - t0)
        print(f"  {'one-record change committed (median of 5)':<52} {statistics.median(commits):8.3f} s")
        diff = subprocess.run(["git", "diff", "--numstat", before, "HEAD"], cwd=root, capture_output=True, text=True).stdout
        print(f"  {'  lines changed by those 5 commits':<52} {diff.split()[0] if diff else 0:>8} (+) in {len(diff.splitlines())} file(s)")

        review_run(root)

        disclosures, incidents = count // 5, count // 20
        _case_records(root, ids, disclosures, incidents)
        print(f"  with {disclosures} one-off disclosures and {incidents} incidents added:")
        time.sleep(1.1)
        timed("  isa validate (the new records parsed)", lambda: isa("-R", str(root), "validate"))
        timed("  isa validate, warm", lambda: isa("-R", str(root), "validate"), repeat=3)
        timed("  isa list --kind disclosure --json, warm", lambda: isa("-R", str(root), "list", "--kind",
                                                                          "disclosure", "--json"), repeat=3)
        timed("  isa deadlines, warm", lambda: isa("-R", str(root), "deadlines", "--as-of", AS_OF.isoformat()), repeat=3)
        database = base / "register.db"
        timed("  isa export --format sqlite, warm", lambda: isa("-R", str(root), "export", "--format", "sqlite",
                                                                  "-o", str(database)), repeat=3)
        print(f"  {'    the database':<52} {database.stat().st_size / 2**20:8.1f} MiB")

        small = base / "small"
        small_ids = build_register(small, 100)
        small_commits = []
        for n in range(5):
            t0 = time.perf_counter()
            one_commit(small, small_ids[n], n)
            small_commits.append(time.perf_counter() - t0)
        print(f"  {'same on a 100-record register (median of 5)':<52} {statistics.median(small_commits):8.3f} s")
    finally:
        if keep is None:
            shutil.rmtree(base, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="build the register here and keep it")
    args = parser.parse_args()
    run(args.count, args.keep)


if __name__ == "__main__":
    main()
