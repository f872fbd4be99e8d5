"""Signatures: the register's signing identity, and private keys kept out of the register."""

from __future__ import annotations

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
