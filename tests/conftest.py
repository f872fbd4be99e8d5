"""Shared fixtures: tiny registers written inline, as real git repositories in tmp_path."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from isa_toolkit.register import vcs

SETTINGS = """\
name:
  en: Test register
  fr: Registre de test
organisation: Testshire Council
languages: [en, fr]
contacts:
  head_of_information_management:
    name: Hana Head
    email: hana.head@example.org
"""

# A complete ISA: the completeness lint finds nothing to say about it.
COMPLETE_ISA = """\
id: {id}
kind: isa
title:
  en: {title}
  fr: Titre en français
version: '1.0'
status: {status}
languages: [en, fr]
parties:
  - organisation: Testshire Constabulary
    role: discloser
    designated_officer: {{name: Dee Officer, email: dee@example.org, phone: 01632 960 001}}
    data_protection_officer: {{name: Dana Protect, email: dpo@police.example.org}}
    signatory: {{name: Sam Signer, title: Chief Constable}}
  - organisation: Testshire Council
    role: recipient
    designated_officer: {{name: Ray Officer, email: ray@example.org, phone: 01632 960 002}}
    data_protection_officer: {{name: Dev Protect, email: dpo@council.example.org}}
    signatory: {{name: Cat Signer, title: Chief Executive}}
purpose:
  en: Share addresses of people at risk so that visits can be planned.
  fr: Partager les adresses des personnes à risque afin de planifier les visites.
benefits:
  en: Fewer people hurt at home.
  fr: Moins de personnes blessées chez elles.
areas: [Testshire]
legal_basis:
  - type: lawful_basis
    reference: UK GDPR Art 6(1)(e)
  - type: legal_power
    reference: Crime and Disorder Act 1998 s.115
data_items:
  - name: {{en: Address, fr: Adresse}}
    personal: true
    sensitivity: moderate
    frequency: {{en: weekly, fr: chaque semaine}}
    transfer_method: {{en: secure email, fr: courriel sécurisé}}
data_quality: {{en: Checked monthly., fr: Vérifié chaque mois.}}
retention:
  period: {{en: Two years., fr: Deux ans.}}
  deletion: {{en: Deleted securely., fr: Supprimé de façon sûre.}}
security: {{en: Encrypted at rest and in transit., fr: Chiffré au repos et en transit.}}
training: {{en: Annual training., fr: Formation annuelle.}}
rights:
  subject_access: {{en: Each party answers its own requests., fr: Chaque partie répond à ses demandes.}}
  complaints: {{en: To the data protection officer., fr: Au délégué à la protection des données.}}
  privacy_information: {{en: Published on both websites., fr: Publiée sur les deux sites.}}
  objection: {{en: Each party considers an objection to its own sharing., fr: Chaque partie examine les oppositions à son partage.}}
  foi: {{en: Each party consults the other before answering., fr: Chaque partie consulte l'autre avant de répondre.}}
  timescales: {{en: One month for subject access., fr: Un mois pour une demande d'accès.}}
transfers: {{international: false}}
necessity: {{en: Only addresses of people at risk are shared., fr: Seules les adresses des personnes à risque sont partagées.}}
confidentiality: {{en: Shared in the public interest of protecting life., fr: Partagées dans l'intérêt public de protéger la vie.}}
audit: {{en: A yearly sample of disclosures is checked., fr: Un échantillon annuel des communications est vérifié.}}
dispute_resolution: {{en: The designated officers meet within ten days., fr: Les responsables désignés se réunissent sous dix jours.}}
breach_handling: {{en: Reported within 24 hours., fr: Signalée sous 24 heures.}}
breach_notification:
  route: {{en: Phone the other party's designated officer., fr: Appeler le responsable désigné de l'autre partie.}}
onward_disclosure: {{en: No onward sharing without consent of the discloser., fr: Aucun partage ultérieur sans accord.}}
sanctions: {{en: Sharing stops on a serious breach., fr: Le partage cesse en cas de manquement grave.}}
termination: {{en: Either party may end it with 30 days notice., fr: Chaque partie peut y mettre fin avec un préavis de 30 jours.}}
contact: information.sharing@example.org
dpia:
  required: false
  reason: {{en: Low volume of moderate data., fr: Faible volume de données modérées.}}
start_date: 2025-01-10
review:
  interval_months: 12
  last: 2025-01-10
signoffs:
  - stage: 4
    role: partner_signatory
    name: Sam Signer
    organisation: Testshire Constabulary
    decision: approve
    date: 2025-01-09
    version: '1.0'
"""


def complete_isa(record_id: str = "ISA-2026-0001", *, title: str = "Home fire safety visits", status: str = "active") -> str:
    return COMPLETE_ISA.format(id=record_id, title=title, status=status)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def cache_home(tmp_path_factory):
    """The user's cache for the whole run (a signature's font, scaled once), never the real one."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def officer(monkeypatch, cache_home):
    """Who acts in a test, so no test depends on the machine's git identity (nor writes to the user's cache)."""
    monkeypatch.setenv("ISA_USER", "Test Officer")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))


@pytest.fixture
def make_register(tmp_path):
    """Build a committed register from inline YAML: ``make_register({"agreements/X.yaml": "..."})``."""
    counter = {"n": 0}

    def build(files: dict[str, str] | None = None, *, settings: str = SETTINGS, classification: bool = True) -> Path:
        counter["n"] += 1
        root = tmp_path / f"register{counter['n']}"
        root.mkdir()
        (root / "register.yaml").write_text(settings, encoding="utf-8")
        if classification:
            from isa_toolkit.resources import shipped

            (root / "classification.yaml").write_bytes((shipped("example_register") / "classification.yaml").read_bytes())
        for rel, text in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        vcs.init(root)
        vcs.commit_all(root, "Test register [by Test]")
        return root

    return build


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, cache_home):
    """``isa demo`` (the main job) run once for the session: its register, what it printed, and digests of the
    shipped example register before and after it, which the demo must leave as it was.

    Tests only read the demo register; one that changes it works on a copy.
    """
    from isa_toolkit.cli.demo import run_demo
    from isa_toolkit.resources import shipped

    lines: list[str] = []
    example = shipped("example_register")
    before = folder_digest(example)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ISA_USER", "Test Officer")
        patch.setenv("XDG_CACHE_HOME", str(cache_home))
        root = run_demo(tmp_path_factory.mktemp("demo") / "out", as_of=dt.date(2026, 11, 23), echo=lines.append)
    return DemoRun(root, "\n".join(lines), before, folder_digest(example))


@dataclass(frozen=True)
class DemoRun:
    root: Path
    text: str
    shipped_before: str
    shipped_after: str


def folder_digest(folder: Path) -> str:
    """A digest of every file's path and bytes under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
