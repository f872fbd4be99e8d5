"""A throwaway certificate authority and signatory certificates, for the demo and the tests.

Never for real use: the keys are written unencrypted next to the certificates. The demo makes one to sign as its
signatories would with their own certificates, and the tests make one for every case they check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Identity:
    name: str
    key: Path
    certificate: Path
    chain: list[Path]

    def pkcs12(self, path: Path, passphrase: bytes | None = None) -> Path:
        """The key and certificate (with its chain) as a PKCS#12 file, as a signatory would hold them."""
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
        from cryptography.hazmat.primitives.serialization import pkcs12 as p12

        key = load_pem_private_key(self.key.read_bytes(), None)
        certificate = x509.load_pem_x509_certificate(self.certificate.read_bytes())
        chain = [x509.load_pem_x509_certificate(p.read_bytes()) for p in self.chain]
        encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                      else serialization.NoEncryption())
        path.write_bytes(p12.serialize_key_and_certificates(self.name.encode(), key, certificate, chain, encryption))
        return path

    def signer(self):
        from pyhanko.sign import signers

        return signers.SimpleSigner.load(str(self.key), str(self.certificate),
                                         ca_chain_files=tuple(str(p) for p in self.chain))


def _name(common: str | None, organisation: str) -> x509.Name:
    """A subject; with no common name (``None``) only the organisation, as some certificates are."""
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)]
    if common is not None:
        attributes.insert(0, x509.NameAttribute(NameOID.COMMON_NAME, common))
    return x509.Name(attributes)


def _write(folder: Path, stem: str, key, certificate) -> tuple[Path, Path]:
    key_path, cert_path = folder / f"{stem}-key.pem", folder / f"{stem}.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class CA:
    """A root that issues signing certificates to named people."""

    def __init__(self, folder: Path, name: str = "Test Partners Root CA"):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        subject = _name(name, "Test PKI")
        self.certificate = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256()))
        self.key_path, self.path = _write(folder, "root", self.key, self.certificate)

    def issue(self, common: str | None, organisation: str = "Test Organisation") -> Identity:
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        certificate = (
            x509.CertificateBuilder().subject_name(_name(common, organisation))
            .issuer_name(self.certificate.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=90))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(self.key, hashes.SHA256()))
        stem = "".join(c if c.isalnum() else "-" for c in (common or f"anonymous-{organisation}").lower())
        key_path, cert_path = _write(self.folder, stem, key, certificate)
        return Identity(common or organisation, key_path, cert_path, [self.path])


def sign_field(pdf: bytes, field: str, identity: Identity) -> bytes:
    """``pdf`` signed by ``identity`` in the existing signature field ``field`` (an incremental update)."""
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256")
    return signers.PdfSigner(meta, signer=identity.signer()).sign_pdf(writer).getvalue()
