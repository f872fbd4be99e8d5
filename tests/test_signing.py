"""Signatures: the register's signing identity, and private keys kept out of the register."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from isa_toolkit.cli import main

from .conftest import complete_isa, git

ID = "ISA-2026-0001"


def run(root, *args, env=None):
    return CliRunner().invoke(main, ["-R", str(root), *args], env=env or {})


@pytest.fixture
def register(make_register):
    return make_register({f"agreements/{ID}.yaml": complete_isa(ID)})


def test_keys_init_commits_the_certificate_and_keeps_the_key_outside(register, tmp_path):
    key = tmp_path / "outside" / "register-key.pem"
    no_passphrase = run(register, "keys", "init", "--key-out", str(key))
    assert no_passphrase.exit_code == 1 and "ISA_SIGNING_PASSPHRASE" in no_passphrase.output and not key.exists()
    inside = run(register, "keys", "init", "--key-out", str(register / "keys" / "k.pem"),
                 env={"ISA_SIGNING_PASSPHRASE": "correct horse"})
    assert inside.exit_code == 1 and "inside the register" in inside.output
    assert not (register / "keys").exists()
    made = run(register, "keys", "init", "--key-out", str(key), env={"ISA_SIGNING_PASSPHRASE": "correct horse"})
    assert made.exit_code == 0, made.output
    assert "keys/register-certificate.pem (committed)" in made.output and "export ISA_SIGNING_KEY=" in made.output
    assert git(register, "log", "-1", "--format=%s").startswith("keys: the register's signing certificate")
    assert "keys/register-certificate.pem" in git(register, "ls-files")
    assert key.stat().st_mode & 0o777 == 0o600 and b"ENCRYPTED PRIVATE KEY" in key.read_bytes()
    assert b"PRIVATE KEY" not in (register / "keys" / "register-certificate.pem").read_bytes()
    again = run(register, "keys", "init", "--key-out", str(tmp_path / "other.pem"),
                env={"ISA_SIGNING_PASSPHRASE": "correct horse"})
    assert again.exit_code == 1 and "already exists" in again.output


def test_the_register_signer_loads_only_with_its_key_and_passphrase(register, tmp_path, monkeypatch):
    from isa_toolkit import register as store
    from isa_toolkit.errors import IsaError
    from isa_toolkit.signing.keys import load_signer

    key = tmp_path / "register-key.pem"
    assert run(register, "keys", "init", "--key-out", str(key), env={"ISA_SIGNING_PASSPHRASE": "pw"}).exit_code == 0
    settings = store.load_register(register).settings
    monkeypatch.delenv("ISA_SIGNING_KEY", raising=False)
    with pytest.raises(IsaError, match="set ISA_SIGNING_KEY"):
        load_signer(register, settings)
    monkeypatch.setenv("ISA_SIGNING_KEY", str(key))
    monkeypatch.setenv("ISA_SIGNING_PASSPHRASE", "wrong")
    with pytest.raises(IsaError, match="check the passphrase"):
        load_signer(register, settings)
    monkeypatch.setenv("ISA_SIGNING_PASSPHRASE", "pw")
    assert load_signer(register, settings).signing_cert.subject.native["organization_name"] == "Testshire Council"


def test_validate_reports_a_private_key_anywhere_in_the_register(register, tmp_path):
    assert run(register, "validate").exit_code == 0
    hidden = register / "templates" / "notes.txt"
    hidden.parent.mkdir()
    hidden.write_text("-----BEGIN RSA PRIVATE KEY-----\nMIIB...\n-----END RSA PRIVATE KEY-----\n")
    (register / "backup.p12").write_bytes(b"\x30\x82")
    result = run(register, "validate")
    assert result.exit_code == 1
    assert "templates/notes.txt: holds a private key" in result.output
    assert "backup.p12: holds a private key" in result.output


# -- sending for signature, and the copies coming back --------------------------------------------------------------

PASSPHRASE = "test passphrase"


@pytest.fixture(scope="module")
def sent(tmp_path_factory):
    """A register at its signature stage, its key made and both partners' packs sent (once for the module); a test
    that records anything works on a copy (``fresh``)."""

    from isa_toolkit.signing.send import send

    from .pki import CA
    from .test_render import module_register
    from .test_signoff import DEFAULT_CHAIN, expected, record

    text = record().replace("signatory: {name: Sam Signer, title: Chief Constable}",
                            "signatory: {name: Sam Signer, title: Chief Constable, email: sam@police.example.org}")
    text = text.replace("signatory: {name: Cat Signer, title: Chief Executive}",
                        "signatory: {name: Cat Signer, title: Chief Executive, email: cat@council.example.org, "
                        "language: fr}")
    root = module_register(tmp_path_factory, "signing", text)
    for role, organisation in DEFAULT_CHAIN[:8]:
        args = ["signoff", ID, "--role", role, "--name", expected(role, organisation), "--approve", "--date", "2026-10-15"]
        result = run(root, *args + (["--organisation", organisation] if organisation else []))
        assert result.exit_code == 0, result.output
    folder = tmp_path_factory.mktemp("keys")
    environment = {"ISA_SIGNING_PASSPHRASE": PASSPHRASE, "ISA_SIGNING_KEY": str(folder / "register-key.pem")}
    made = run(root, "keys", "init", "--key-out", environment["ISA_SIGNING_KEY"], env=environment)
    assert made.exit_code == 0, made.output
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environment.items():
            patch.setenv(key, value)
        outcome = send(root, ID, outdir=folder / "packs", by="Olive Officer")
    ca = CA(folder / "pki")
    people = {name: ca.issue(name, organisation) for name, organisation in
              (("Sam Signer", "Testshire Constabulary"), ("Cat Signer", "Testshire Council"),
               ("Not Sam", "Testshire Constabulary"))}
    packs = {pack.person.name: pack for pack in outcome.packs}
    return root, packs, people, ca, environment


@pytest.fixture
def fresh(sent, tmp_path):
    """A copy of the sent register, to record into."""
    import shutil

    root, packs, people, ca, environment = sent
    copy = tmp_path / "register"
    shutil.copytree(root, copy, symlinks=True)
    return copy, packs, people, ca, environment


def signed_copy(pack, identity) -> bytes:
    from .pki import sign_field

    return sign_field(pack.pdf.read_bytes(), pack.field, identity)


def test_send_makes_one_certified_pack_per_signatory_and_records_it(sent):
    import email

    from isa_toolkit import register as store

    root, packs, _, _, _ = sent
    assert set(packs) == {"Sam Signer", "Cat Signer"}
    agreement = store.load_agreement(root, ID)
    assert {(s.name, s.role, s.organisation, s.language) for s in agreement.sent} == {
        ("Sam Signer", "partner_signatory", "Testshire Constabulary", "en"),
        ("Cat Signer", "partner_signatory", "Testshire Council", "fr")}
    assert all(s.sha256 == packs[s.name].sha256 == __import__("hashlib").sha256(packs[s.name].pdf.read_bytes())
               .hexdigest() for s in agreement.sent)
    assert git(root, "log", "-1", "--format=%s").startswith(f"{ID}: sent for signature, stage 4")
    assert agreement.content_fingerprint() == store.load_agreement(root, ID).content_fingerprint()  # not content
    # The e-mail: in the signatory's language, with the PDF and the DOCX, and no header a name could inject into.
    french = email.message_from_bytes(packs["Cat Signer"].eml.read_bytes(), policy=email.policy.default)
    assert french["Content-Language"] == "fr" and french["Subject"].startswith("À signer")
    assert french["To"] == "Cat Signer <cat@council.example.org>"
    names = [part.get_filename() for part in french.iter_attachments()]
    assert names == [packs["Cat Signer"].pdf.name, packs["Cat Signer"].docx.name]
    body = french.get_body(("plain",)).get_content()
    assert "empreinte" in body and agreement.fingerprint in body


def test_the_pack_is_certified_by_the_register_with_an_empty_field_on_the_signatory_block(sent):
    import io

    import pikepdf
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import MDPPerm, enumerate_sig_fields

    root, packs, _, _, _ = sent
    pack = packs["Sam Signer"]
    reader = PdfFileReader(io.BytesIO(pack.pdf.read_bytes()))
    [certification] = reader.embedded_signatures
    assert certification.field_name == "Certification" and certification.docmdp_level is MDPPerm.FILL_FORMS
    fields = {name: (value, ref.get_object()) for name, value, ref in enumerate_sig_fields(reader)}
    value, widget = fields[pack.field]
    assert value is None  # empty, for the signatory
    left, bottom, right, top = (float(x) for x in widget["/Rect"])
    assert right - left > 250 and top - bottom > 50  # 100 mm x 20 mm: room to sign on the block
    with pikepdf.open(pack.pdf) as pdf:
        [number] = [n for n, page in enumerate(pdf.pages, 1)
                    if any(str(annot.get("/T", "")) == pack.field for annot in page.get("/Annots", []))]
        assert b"pdfaid:part" in pdf.Root.Metadata.read_bytes()  # still an archival PDF: its identification kept
    page = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pack.pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Signed on behalf of Testshire Constabulary" in " ".join(page.split())  # on the party's own block
    assert pdf_a_failures(pack.pdf) == []  # the certified copy is still PDF/A-3a (docs/signatures.md)


def pdf_a_failures(path) -> list[str]:
    """What an independent checker finds against PDF/A-3a (its byte-count false positive left aside)."""
    import page

    return [f.rule_id for f in page.validate_pdf(str(path), profile="3a").failures
            if not f.rule_id.endswith("STREAM-LENGTH-001")]


def test_sending_again_does_not_resend(sent):
    from isa_toolkit.signing.send import send

    root, packs, _, _, environment = sent
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environment.items():
            patch.setenv(key, value)
        again = send(root, ID, outdir=root.parent / "again", by="Olive Officer")
    assert {pack.person.name for pack in again.packs if pack.already is not None} == {"Sam Signer", "Cat Signer"}
    assert not (root.parent / "again").exists()


def test_a_copy_signed_by_the_signatory_is_recorded_and_kept(fresh):
    from isa_toolkit import register as store

    root, packs, people, ca, _ = fresh
    returned = root.parent / "returned.pdf"
    returned.write_bytes(signed_copy(packs["Sam Signer"], people["Sam Signer"]))
    result = run(root, "receive", ID, str(returned))
    assert result.exit_code == 0, result.output
    assert "signed digitally by Sam Signer" in result.output and "NOT TRUSTED" in result.output  # intact, untrusted
    agreement = store.load_agreement(root, ID)
    [signed] = [s for s in agreement.signoffs if s.role == "partner_signatory"]
    assert signed.name == "Sam Signer" and signed.evidence.kind == "digital" and signed.evidence.trusted is False
    assert signed.evidence.sent_sha256 == packs["Sam Signer"].sha256
    assert signed.document_sha256 == __import__("hashlib").sha256(returned.read_bytes()).hexdigest()
    assert (root / signed.evidence.file).read_bytes() == returned.read_bytes()
    assert signed.evidence.file in git(root, "show", "--name-only", "--format=", "HEAD")  # committed with it
    # The second signatory: both recorded, the agreement signed; with the root trusted, reported trusted.
    (root / "keys" / "partners-ca.pem").write_bytes(ca.path.read_bytes())
    text = (root / "register.yaml").read_text() + "signing:\n  trust_roots: [keys/partners-ca.pem]\n"
    (root / "register.yaml").write_text(text)
    git(root, "commit", "-qam", "trust the partners' CA")
    git(root, "add", "keys/partners-ca.pem")
    git(root, "commit", "-qm", "the partners' CA")
    second = root.parent / "council.pdf"
    second.write_bytes(signed_copy(packs["Cat Signer"], people["Cat Signer"]))
    result = run(root, "receive", ID, str(second))
    assert result.exit_code == 0, result.output
    assert "signature trusted" in result.output
    assert store.load_agreement(root, ID).status.value == "signed"


@pytest.mark.parametrize("case", ["byte-changed", "page-changed-then-signed", "wrong-signer", "not-sent",
                                  "certified-copy-altered", "no-signature", "truncated", "javascript"])
def test_a_copy_that_is_not_what_was_sent_and_signed_is_refused_and_nothing_is_recorded(fresh, case):
    root, packs, people, ca, _ = fresh
    pack = packs["Sam Signer"]
    before = git(root, "rev-parse", "HEAD")
    if case == "byte-changed":
        data = bytearray(signed_copy(pack, people["Sam Signer"]))
        at = data.rindex(b"/Contents") - 200  # inside the signed bytes of the last revision
        data[at] = data[at] ^ 0x01
        data = bytes(data)
        words = "broken"
    elif case == "page-changed-then-signed":
        data = signed_copy_after_change(pack, people["Sam Signer"])
        words = "changed after the register certified it"
    elif case == "wrong-signer":
        data = signed_copy(pack, people["Not Sam"])
        words = "but that field is Sam Signer's"
    elif case == "not-sent":
        data = signed_copy_of_another_document(people)
        words = "not certified by the register"
    elif case == "certified-copy-altered":
        data = bytearray(pack.pdf.read_bytes())
        at = data.index(b"/Type /Catalog") + 2  # inside the certified revision
        data[at:at + 4] = b"TYPE"
        data = bytes(sign_in(bytes(data), pack, people["Sam Signer"]))
        words = "altered"
    elif case == "no-signature":
        data = pack.pdf.read_bytes().replace(b"/Certification", b"/Xertification")
        words = ""
    elif case == "truncated":
        data = signed_copy(pack, people["Sam Signer"])[:5000]
        words = ""
    else:
        data = signed_copy(pack, people["Sam Signer"]).replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction "
                                                               b"<< /S /JavaScript /JS (app.alert(1)) >>", 1)
        words = ""
    returned = root.parent / f"{case}.pdf"
    returned.write_bytes(data)
    result = run(root, "receive", ID, str(returned))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    if words:
        assert words in result.output
    assert git(root, "rev-parse", "HEAD") == before and not (root / "signed").exists()
    assert git(root, "status", "--porcelain") == ""


def signed_copy_after_change(pack, identity) -> bytes:
    """The sent copy with a page's text changed in a new revision, then signed over by the signatory: their own
    signature covers the whole changed file, so only the register's certification can tell."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    from .pki import sign_field

    writer = IncrementalPdfFileWriter(io.BytesIO(pack.pdf.read_bytes()), strict=False)
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    stream = generic.StreamObject({}, stream_data=b"BT /F1 24 Tf 100 700 Td (Retention: forever) Tj ET")
    contents = page["/Contents"]
    kids = list(contents) if isinstance(contents, generic.ArrayObject) else [contents]
    page["/Contents"] = generic.ArrayObject([*kids, writer.add_object(stream)])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return sign_field(out.getvalue(), pack.field, identity)


def signed_copy_of_another_document(people) -> bytes:
    """A PDF the register never sent: another document, certified by someone else's key and signed."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from weasyprint import HTML

    writer = IncrementalPdfFileWriter(io.BytesIO(HTML(string="<p>Another agreement</p>").write_pdf()), strict=False)
    meta = signers.PdfSignatureMetadata(field_name="Certification", certify=True,
                                        docmdp_permissions=fields.MDPPerm.FILL_FORMS)
    return signers.PdfSigner(meta, signer=people["Not Sam"].signer()).sign_pdf(writer).getvalue()


def sign_in(data: bytes, pack, identity) -> bytes:
    """Sign ``data`` in the pack's field, whatever was done to it before (pyHanko may refuse a broken file)."""
    from .pki import sign_field

    try:
        return sign_field(data, pack.field, identity)
    except Exception:  # noqa: BLE001 - a file too broken to sign is returned as it is
        return data


def test_a_scan_signed_by_hand_is_recorded_against_the_confirmed_fingerprint(fresh):
    from isa_toolkit import register as store

    root, packs, _, _, _ = fresh
    scan = root.parent / "scan.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000)
    agreement = store.load_agreement(root, ID)
    no_fingerprint = run(root, "receive", ID, str(scan), "--signatory", "Cat Signer")
    assert no_fingerprint.exit_code == 1 and "--fingerprint" in no_fingerprint.output
    wrong = run(root, "receive", ID, str(scan), "--signatory", "Cat Signer", "--fingerprint", "0123456789ab")
    assert wrong.exit_code == 1 and "is not that of" in wrong.output
    done = run(root, "receive", ID, str(scan), "--signatory", "Cat Signer", "--fingerprint", agreement.fingerprint)
    assert done.exit_code == 0, done.output
    assert "signed by hand by Cat Signer (a scan: not cryptographically verified)" in done.output
    [signed] = [s for s in store.load_agreement(root, ID).signoffs if s.role == "partner_signatory"]
    assert signed.evidence.kind == "wet_ink" and signed.evidence.trusted is False
    assert signed.evidence.file in git(root, "log", "--name-only", "--format=", "-1")


def test_a_stale_copy_of_an_earlier_version_is_refused(fresh):
    root, packs, people, _, _ = fresh
    returned = root.parent / "old.pdf"
    returned.write_bytes(signed_copy(packs["Sam Signer"], people["Sam Signer"]))
    path = root / "agreements" / f"{ID}.yaml"
    path.write_text(path.read_text().replace("version: '1.0'", "version: '1.1'", 1))
    git(root, "commit", "-qam", "a new version")
    result = run(root, "receive", ID, str(returned))
    assert result.exit_code == 1 and "copy of version 1.0" in result.output and "version 1.1" in result.output


def test_a_huge_return_is_refused_unread(fresh):
    root, _, _, _, _ = fresh
    huge = root.parent / "huge.pdf"
    with open(huge, "wb") as handle:
        handle.write(b"%PDF-1.7\n")
        handle.truncate(100 << 20)
    result = run(root, "receive", ID, str(huge))
    assert result.exit_code == 1 and "more than the 25 MiB" in result.output


def test_a_stream_that_inflates_to_gigabytes_is_read_within_bounded_memory(fresh):
    """A valid signed copy carrying a stream that inflates to 4 GiB: the reader never inflates it (or is stopped by
    its limits); either way the command answers, the register stays as it was or records the signature."""
    import zlib

    root, packs, people, _, _ = fresh
    bomb = zlib.compressobj(9)
    payload = b"".join(bomb.compress(b"\x00" * (1 << 24)) for _ in range(256)) + bomb.flush()
    data = signed_copy(packs["Sam Signer"], people["Sam Signer"])
    extra = (b"\n999 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(payload)) + payload + \
        b"\nendstream\nendobj\n"
    returned = root.parent / "bomb.pdf"
    returned.write_bytes(data + extra)  # appended after the signed revision: outside every signature
    # Run in a fresh process: its children are then only the ones this command starts (this process's own
    # children include every earlier test's, whose peak says nothing here).
    code = ("import resource, subprocess, sys\n"
            "done = subprocess.run([sys.executable, '-m', 'isa_toolkit', *sys.argv[1:]], capture_output=True, text=True)\n"
            "print(done.stdout + done.stderr)\n"
            "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    result = subprocess.run([sys.executable, "-c", code, "-R", str(root), "receive", ID, str(returned)],
                            capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stdout
    peak_mib = int(result.stdout.rsplit("PEAK", 1)[1]) / 1024
    assert peak_mib < 300, peak_mib


def test_the_daily_run_chases_each_unreturned_pack_once_per_step_and_escalates(fresh):
    """Chased 7 days after sending and weekly after, each step once however often the run goes; after 21 days the
    officer is told; a signatory whose copy came back is no longer chased."""
    import datetime as dt

    from isa_toolkit import register as store

    from .test_review import Mailbox, free_port

    root, packs, people, _, _ = fresh
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        text = (root / "register.yaml").read_text()
        text += (f"smtp: {{host: 127.0.0.1, port: {port}, tls: none, sender: register@example.org}}\n"
                 "signing:\n  chase: {first_after_days: 7, every_days: 7, escalate_after_days: 21}\n")
        text = text.replace("contacts:\n", "contacts:\n  information_sharing_officer: {name: Olive Officer, "
                                           "email: olive@example.org}\n", 1)
        (root / "register.yaml").write_text(text)
        git(root, "commit", "-qam", "mail and chasing")
        sent_on = store.load_agreement(root, ID).sent[0].date

        def day(n: int) -> str:
            return (sent_on + dt.timedelta(days=n)).isoformat()

        def run_on(n: int) -> list:
            before = len(mailbox.messages)
            result = run(root, "review", "run", "--as-of", day(n), "--send", "--out", str(root.parent / f"eml{n}"))
            assert result.exit_code == 0, result.output
            return [(m["To"].addresses[0].addr_spec, m["Subject"]) for m in mailbox.messages[before:]
                    if m["Subject"].startswith(ID)]  # this agreement's chases (not the classification table's review)

        assert run_on(6) == []  # not before the first step
        first = run_on(7)
        assert sorted(to for to, _ in first) == ["cat@council.example.org", "sam@police.example.org"]
        assert any("votre signature est toujours attendue" in subject for _, subject in first)  # Cat reads French
        assert run_on(7) == [] and run_on(10) == []  # each step once
        # Sam's copy comes back: only Cat is chased from now on.
        returned = root.parent / "sam.pdf"
        returned.write_bytes(signed_copy(packs["Sam Signer"], people["Sam Signer"]))
        assert run(root, "receive", ID, str(returned)).exit_code == 0
        assert [to for to, _ in run_on(14)] == ["cat@council.example.org"]
        late = run_on(21)
        assert sorted(to for to, _ in late) == ["cat@council.example.org", "olive@example.org"]
        assert any("has not come back" in subject for to, subject in late if to == "olive@example.org")
        assert run_on(22) == []
        pending = run(root, "pending")
        assert f"pack sent {sent_on.isoformat()}; chased: {day(7)}, {day(14)}, {day(21)}" in pending.output
    finally:
        controller.stop()


def test_sealed_once_every_signature_is_in_and_verified_against_the_register(fresh):
    import pikepdf

    root, packs, people, _, environment = fresh
    early = run(root, "seal", ID, "-o", str(root.parent / "sealed"), env=environment)
    assert early.exit_code == 1 and "not signed by everyone yet" in early.output
    for name in ("Sam Signer", "Cat Signer"):
        returned = root.parent / f"{name}.pdf"
        returned.write_bytes(signed_copy(packs[name], people[name]))
        assert run(root, "receive", ID, str(returned)).exit_code == 0
    made = run(root, "seal", ID, "-o", str(root.parent / "sealed"), env=environment)
    assert made.exit_code == 0, made.output
    sealed = root.parent / "sealed" / f"{ID}-v1.0-sealed.pdf"
    assert f"signed/{ID}/1.0/{sealed.name}" in git(root, "show", "--name-only", "--format=", "HEAD")
    with pikepdf.open(sealed) as pdf:
        attached = set(pdf.attachments)
        assert len(attached) == 2 and all(name.startswith("partner-signatory-") for name in attached)
        assert b"pdfaid:part" in pdf.Root.Metadata.read_bytes()  # PDF/A identification after signing
    assert pdf_a_failures(sealed) == []
    text = " ".join(subprocess.run(["pdftotext", str(sealed), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Completion certificate" in text and packs["Sam Signer"].sha256[:20] in text.replace(" ", "")
    verified = run(root, "verify", str(sealed))
    assert verified.exit_code == 0, verified.output
    assert f"the sealed copy of {ID} version 1.0 (the current version)" in verified.output
    assert "Sam Signer (partner_signatory, Testshire Constabulary): signed digitally" in verified.output
    # One byte changed after sealing: the seal is broken, and verify says so.
    data = bytearray(sealed.read_bytes())
    at = data.index(b"Completion certificate") if b"Completion certificate" in data else len(data) // 3
    data[at] ^= 0x01
    tampered = root.parent / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    broken = run(root, "verify", str(tampered))
    assert broken.exit_code == 1


def test_verify_names_a_returned_copy_and_refuses_a_stranger(fresh):
    root, packs, people, _, _ = fresh
    returned = root.parent / "back.pdf"
    returned.write_bytes(signed_copy(packs["Sam Signer"], people["Sam Signer"]))
    result = run(root, "verify", str(returned))
    assert result.exit_code == 0, result.output
    assert f"a signed copy as returned of {ID} version 1.0" in result.output and "not recorded yet" in result.output
    stranger = root.parent / "stranger.pdf"
    stranger.write_bytes(signed_copy_of_another_document(people))
    refused = run(root, "verify", str(stranger))
    assert refused.exit_code == 1 and "not a document this register made" in refused.output


def test_one_copy_signed_by_two_signatories_one_after_the_other_records_both(fresh):
    """Every pack carries each signatory's field: Sam signs his copy and passes it to Cat, who signs hers in it.
    Both signatures stay valid and both are recorded from the one file."""
    from isa_toolkit import register as store

    from .pki import sign_field

    root, packs, people, _, _ = fresh
    cat_field = packs["Cat Signer"].field
    both = sign_field(signed_copy(packs["Sam Signer"], people["Sam Signer"]), cat_field, people["Cat Signer"])
    returned = root.parent / "both.pdf"
    returned.write_bytes(both)
    result = run(root, "receive", ID, str(returned))
    assert result.exit_code == 0, result.output
    assert "signed digitally by Sam Signer" in result.output and "signed digitally by Cat Signer" in result.output
    agreement = store.load_agreement(root, ID)
    assert {s.name for s in agreement.signoffs if s.role == "partner_signatory"} == {"Sam Signer", "Cat Signer"}
    assert agreement.status.value == "signed"
    again = run(root, "receive", ID, str(returned))
    assert again.exit_code == 1 and "already recorded" in again.output


def test_isa_sign_puts_a_visible_pades_signature_in_the_signers_own_field(fresh):
    """A signatory with a certificate signs with isa sign: into the field made for them (found by its tooltip),
    with their name in an embedded font that has every French letter; the copy stays PDF/A and is accepted."""
    import pikepdf

    from isa_toolkit import register as store

    root, packs, people, ca, _ = fresh
    pack = packs["Cat Signer"]  # Cat's copy also holds Sam's field: isa sign must choose hers
    bundle = people["Cat Signer"].pkcs12(root.parent / "cat.p12", b"cat's passphrase")
    out = root.parent / "cat-signed.pdf"
    result = run(root, "sign", str(pack.pdf), "--pkcs12", str(bundle), "-o", str(out),
                 env={"ISA_SIGNER_PASSPHRASE": "cat's passphrase"})
    assert result.exit_code == 0, result.output
    assert f"signed by Cat Signer in {pack.field}" in result.output
    # Still PDF/A-3a but for two findings docs/signatures.md explains: the register's certification no longer
    # covers the whole file once a signature follows it (as any signed-after-certified PDF), and the text map of
    # the appearance font pyHanko embeds. Its glyph widths are right (the font is scaled to 1000 units an em), so
    # the name prints as written, not spread apart.
    assert set(pdf_a_failures(out)) <= {"PDFA3A-SIGNATURE-BYTERANGE-001", "PDFA3A-UNICODE-MAPPING-001"}
    with pikepdf.open(out) as pdf:
        fonts = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)
                 and obj.get("/Type") == "/FontDescriptor" and "/FontFile2" in obj]
        assert any("DejaVuSans" in str(font.get("/FontName")) for font in fonts)  # embedded, not Helvetica
    received = run(root, "receive", ID, str(out))
    assert received.exit_code == 0, received.output
    assert any(s.name == "Cat Signer" for s in store.load_agreement(root, ID).signoffs)
    wrong = run(root, "sign", str(pack.pdf), "--pkcs12", str(bundle), "-o", str(root.parent / "x.pdf"),
                env={"ISA_SIGNER_PASSPHRASE": "not it"})
    assert wrong.exit_code == 1 and "cannot be opened" in wrong.output


def test_isa_sign_writes_a_french_name_in_the_appearance(sent, tmp_path):
    from isa_toolkit.signing.sign import sign_file

    from .pki import sign_field  # noqa: F401 - the same authority signs the field

    _, packs, _, ca, _ = sent
    amelie = ca.issue("Amélie Lefèvre-Dufaÿ", "Conseil départemental")
    out, field, name = sign_file(packs["Sam Signer"].pdf, pkcs12=amelie.pkcs12(tmp_path / "a.p12"), passphrase=None,
                                 out=tmp_path / "signed.pdf", field=packs["Sam Signer"].field)
    assert name == "Amélie Lefèvre-Dufaÿ"
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Amélie Lefèvre-Dufaÿ" in text and "Conseil départemental" in text


# -- what a hostile or mistaken return must never get past -------------------------------------------------------


def test_a_certificate_naming_no_person_is_refused(fresh):
    root, packs, people, ca, _ = fresh
    nobody = ca.issue(None, "Evil Corp")
    returned = root.parent / "nobody.pdf"
    returned.write_bytes(signed_copy(packs["Sam Signer"], nobody))
    result = run(root, "receive", ID, str(returned))
    assert result.exit_code == 1 and "names no person" in result.output
    assert git(root, "status", "--porcelain") == ""


def test_a_recorded_field_signed_again_by_someone_else_is_refused(fresh):
    """Sam's signature is recorded from his copy; Cat's copy arriving with a stranger's signature in Sam's field
    (and Cat's own) is not the copy Sam signed."""
    from .pki import sign_field

    root, packs, people, ca, _ = fresh
    first = root.parent / "sam.pdf"
    first.write_bytes(signed_copy(packs["Sam Signer"], people["Sam Signer"]))
    assert run(root, "receive", ID, str(first)).exit_code == 0
    forged = sign_field(signed_copy(packs["Cat Signer"], people["Cat Signer"]), packs["Sam Signer"].field,
                        ca.issue("Mallory Evil", "Testshire Constabulary"))
    returned = root.parent / "forged.pdf"
    returned.write_bytes(forged)
    before = git(root, "rev-parse", "HEAD")
    result = run(root, "receive", ID, str(returned))
    assert result.exit_code == 1 and "is by Mallory Evil, but Sam Signer's signature is recorded" in result.output
    assert git(root, "rev-parse", "HEAD") == before


def test_a_module_lying_where_the_command_runs_is_never_imported_by_the_check(fresh, monkeypatch):
    root, packs, people, _, _ = fresh
    folder = root.parent / "downloads"
    folder.mkdir()
    marker = root.parent / "PWNED"
    for name in ("json.py", "hashlib.py", "pyhanko.py"):
        (folder / name).write_text(f"open({str(marker)!r}, 'w').write('ran')\n")
    returned = folder / "back.pdf"
    returned.write_bytes(signed_copy(packs["Sam Signer"], people["Sam Signer"]))
    monkeypatch.chdir(folder)
    monkeypatch.setenv("PYTHONPATH", str(folder))
    result = run(root, "receive", ID, str(returned))
    assert result.exit_code == 0, result.output
    assert not marker.exists()


def test_a_name_from_a_record_cannot_add_an_email_header(sent, tmp_path):
    import email

    from isa_toolkit.review.reminders import clean_header

    assert "\n" not in clean_header("A\r\nBcc: x@evil.example") and "=?" not in clean_header("=?utf-8?q?x?=")
    _, packs, _, _, _ = sent
    message = email.message_from_bytes(packs["Sam Signer"].eml.read_bytes(), policy=email.policy.default)
    assert set(message.keys()) <= {"From", "To", "Reply-To", "Subject", "Date", "Message-ID", "Content-Language",
                                   "MIME-Version", "Content-Type"}


def test_a_version_is_sealed_once(fresh):
    root, packs, people, _, environment = fresh
    for name in ("Sam Signer", "Cat Signer"):
        returned = root.parent / f"{name}.pdf"
        returned.write_bytes(signed_copy(packs[name], people[name]))
        assert run(root, "receive", ID, str(returned)).exit_code == 0
    assert run(root, "seal", ID, "-o", str(root.parent / "s1"), env=environment).exit_code == 0
    again = run(root, "seal", ID, "-o", str(root.parent / "s2"), env=environment)
    assert again.exit_code == 1 and "already sealed" in again.output
    assert run(root, "verify", str(root.parent / "s1" / f"{ID}-v1.0-sealed.pdf")).exit_code == 0


def test_names_match_in_either_order_and_under_a_title():
    from isa_toolkit.workflows.signoff import same_person

    assert same_person("MARSH Helen", "Helen Marsh") and same_person("Héloïse Dubois", "heloise dubois")
    assert same_person("Deputy Chief Constable Ruth Adeyemi", "Ruth Adeyemi")
    assert not same_person("Helen", "Helen Marsh") and not same_person("Helen Marsh", "Helen Marshall")


def test_a_binary_private_key_is_found_and_the_signing_key_may_not_live_in_the_register(register, tmp_path,
                                                                                      monkeypatch):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from isa_toolkit import register as store
    from isa_toolkit.errors import IsaError
    from isa_toolkit.signing.keys import load_signer

    key = ec.generate_private_key(ec.SECP256R1())
    (register / "backup.der").write_bytes(key.private_bytes(serialization.Encoding.DER,
                                                            serialization.PrivateFormat.PKCS8,
                                                            serialization.NoEncryption()))
    result = run(register, "validate")
    assert result.exit_code == 1 and "backup.der: holds a private key" in result.output
    outside = tmp_path / "k.pem"
    assert run(register, "keys", "init", "--key-out", str(outside), env={"ISA_SIGNING_PASSPHRASE": "pw"}).exit_code == 0
    inside = register / "k.pem"
    inside.write_bytes(outside.read_bytes())
    monkeypatch.setenv("ISA_SIGNING_KEY", str(inside))
    monkeypatch.setenv("ISA_SIGNING_PASSPHRASE", "pw")
    with pytest.raises(IsaError, match="inside the register"):
        load_signer(register, store.load_register(register).settings)


def test_a_register_named_by_a_relative_path_receives_and_verifies(fresh, monkeypatch):
    """`isa -R register receive ...` from the folder above, as `make demo` runs it: the check runs in a folder of its
    own, so every path it is given must be absolute."""
    root, packs, people, _, _ = fresh
    returned = root.parent / "back.pdf"
    returned.write_bytes(signed_copy(packs["Sam Signer"], people["Sam Signer"]))
    monkeypatch.chdir(root.parent)
    result = CliRunner().invoke(main, ["-R", "register", "receive", ID, "back.pdf"], env={})
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(main, ["-R", "register", "verify", "back.pdf"]).exit_code == 0
