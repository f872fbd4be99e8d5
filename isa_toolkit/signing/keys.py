"""The register's signing identity: its certification key and certificate, and the roots it trusts.

``isa keys init`` makes a key pair and a certificate for the register (or takes an organisation's own from a
PKCS#12 file). The certificate is committed (``keys/register-certificate.pem``); the private key never is: it is
written outside the register, encrypted with a passphrase, and found again through the environment variables
``register.yaml`` names (``signing.key_env``, ``signing.passphrase_env``). The register certifies every copy it
sends for signature with this key, so that what a signatory changed can be told from what was sent.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import IsaError
from ..model import Settings
from ..model.settings import SigningSettings


class SigningKeyError(IsaError):
    """The register's signing key cannot be used."""


@dataclass(frozen=True)
class Made:
    certificate: Path  # in the register, to commit
    key: Path  # outside it
    subject: str
    fingerprint: str  # sha-256 of the certificate, hex


def signing_settings(settings: Settings | None) -> SigningSettings:
    return settings.signing if settings is not None else SigningSettings()


def _passphrase(config: SigningSettings, *, required: bool) -> bytes | None:
    value = os.environ.get(config.passphrase_env)
    if value:
        return value.encode("utf-8")
    if required:
        raise SigningKeyError(f"set the passphrase that protects the register's signing key in the environment variable "
                        f"{config.passphrase_env} (register.yaml's signing.passphrase_env); it is never stored")
    return None


def _outside(root: Path, path: Path) -> Path:
    path = path.expanduser().resolve()
    if path.is_relative_to(root.resolve()):
        raise SigningKeyError(f"{path} is inside the register; a private key must be kept outside it (anyone who can read "
                        "the register could sign with it): give a path elsewhere, e.g. ~/.config/isa/register-key.pem")
    return path


def init_keys(root: Path, settings: Settings | None, *, key_out: Path, common_name: str | None = None,
              days: int = 1825, today: dt.date | None = None) -> Made:
    """Make the register's key and self-signed certification certificate; write the key (encrypted) to ``key_out``
    and the certificate into the register. Refuses to replace an existing certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    config = signing_settings(settings)
    certificate_path = root / config.certificate
    if certificate_path.exists():
        raise SigningKeyError(f"{config.certificate} already exists: the register has its signing certificate. Copies sent "
                        "with it stay verifiable only while it is kept; remove it yourself to start again")
    key_path = _outside(root, key_out)
    if key_path.exists():
        raise SigningKeyError(f"{key_path} already exists; choose another path for the new key")
    passphrase = _passphrase(config, required=True)
    organisation = settings.organisation if settings is not None else "Information sharing register"
    name = common_name or f"{organisation} (document certification)"
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64])])
    start = dt.datetime.combine(today or dt.date.today(), dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    # Binary (Windows would otherwise write each line end as two bytes); 0o600 is kept to on POSIX only, as Windows
    # gives a file its folder's access lists: keep the key in a folder of your own there (docs/platforms.md).
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.BestAvailableEncryption(passphrase)))
    certificate_path.parent.mkdir(parents=True, exist_ok=True)
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Made(certificate_path, key_path, name, certificate.fingerprint(hashes.SHA256()).hex())


def import_keys(root: Path, settings: Settings | None, *, bundle: Path) -> Made:
    """Take an organisation's own certification key from a PKCS#12 file kept outside the register: its certificate
    goes into the register; the key stays in the file, which ``signing.key_env`` then names."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    config = signing_settings(settings)
    bundle = _outside(root, bundle)
    certificate_path = root / config.certificate
    if certificate_path.exists():
        raise SigningKeyError(f"{config.certificate} already exists: the register has its signing certificate")
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(bundle.read_bytes(), _passphrase(config, required=False))
    except (ValueError, OSError) as exc:
        raise SigningKeyError(f"{bundle} cannot be opened as a PKCS#12 file with the passphrase in {config.passphrase_env}: "
                        f"{exc}") from None
    if key is None or certificate is None:
        raise SigningKeyError(f"{bundle} holds no key and certificate pair")
    certificate_path.parent.mkdir(parents=True, exist_ok=True)
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Made(certificate_path, bundle, certificate.subject.rfc4514_string(),
                certificate.fingerprint(hashes.SHA256()).hex())


def load_signer(root: Path, settings: Settings | None):
    """The register's signer (pyHanko), from its certificate in the register and its key where the environment
    says; refused, saying what to set, when either is missing or the passphrase is wrong."""
    from pyhanko.sign import signers

    config = signing_settings(settings)
    certificate = root / config.certificate
    if not certificate.is_file():
        raise SigningKeyError(f"the register has no signing certificate ({config.certificate}); make one: isa keys init "
                        f"--key-out ~/.config/isa/register-key.pem")
    location = os.environ.get(config.key_env)
    if not location:
        raise SigningKeyError(f"say where the register's signing key is: set {config.key_env} to its path (register.yaml's "
                        "signing.key_env); the key is kept outside the register")
    key = Path(location).expanduser()
    if not key.is_file():
        raise SigningKeyError(f"{config.key_env} names {key}, which is not a file")
    if key.resolve().is_relative_to(root.resolve()):
        raise SigningKeyError(f"{config.key_env} names {key}, inside the register: a private key must be kept outside it "
                              "(anyone who can read the register could sign with it); move it and point "
                              f"{config.key_env} at its new place")
    passphrase = _passphrase(config, required=False)
    try:
        if key.suffix.lower() in (".p12", ".pfx"):
            signer = signers.SimpleSigner.load_pkcs12(str(key), passphrase=passphrase)
        else:
            signer = signers.SimpleSigner.load(str(key), str(certificate), key_passphrase=passphrase)
    except (ValueError, TypeError, OSError) as exc:
        raise SigningKeyError(f"the signing key {key} cannot be opened ({exc}); check the passphrase in "
                        f"{config.passphrase_env}") from None
    if signer is None:
        raise SigningKeyError(f"the signing key {key} cannot be opened; check the passphrase in {config.passphrase_env}")
    return signer


def register_certificate(root: Path, settings: Settings | None):
    """The register's certification certificate (asn1crypto), or None when it has none."""
    from pyhanko.keys import load_cert_from_pemder

    path = root / signing_settings(settings).certificate
    return load_cert_from_pemder(str(path)) if path.is_file() else None


def trust_roots(root: Path, settings: Settings | None) -> list:
    """The certificates a signatory's chain must lead to (``signing.trust_roots``), and the register's own."""
    from pyhanko.keys import load_certs_from_pemder

    config = signing_settings(settings)
    roots = []
    for rel in config.trust_roots:
        path = root / rel
        if not path.is_file():
            raise SigningKeyError(f"register.yaml's signing.trust_roots names {rel}, which is not in the register")
        roots += list(load_certs_from_pemder([str(path)]))
    own = register_certificate(root, settings)
    return roots + ([own] if own is not None else [])


def load_agreement_for(root: Path, record_id: str):
    """The register (checks aside: signing reads one record) and the agreement ``record_id``, or a refusal."""
    from ..register.load import load_register

    register = load_register(root, checks=False)
    if record_id not in register.agreements:
        raise IsaError(f"no agreement {record_id} in the register (isa list)")
    return register, register.agreements[record_id]
