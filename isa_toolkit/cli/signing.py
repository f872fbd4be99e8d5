"""Commands for signatures: the register's signing identity."""

from __future__ import annotations

from pathlib import Path

import click

from .common import OutputOption, actor, complete_id, load, register_root


@click.group()
def keys() -> None:
    """The register's signing identity: the key and certificate it certifies sent copies with.

    \b
    Example:
      export ISA_SIGNING_PASSPHRASE='...'      # never stored; protects the key
      isa keys init --key-out ~/.config/isa/register-key.pem
      export ISA_SIGNING_KEY=~/.config/isa/register-key.pem
    """


@keys.command(name="init")
@click.option("--key-out", "key_out", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Where to write the new private key: a path outside the register.")
@click.option("--import", "bundle", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="P12",
              help="Use an organisation's own key and certificate from this PKCS#12 file (kept where it is).")
@click.option("--common-name", metavar="NAME", help="The certificate's name (default: the organisation's).")
@click.option("--by", metavar="NAME", help="Who does it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def keys_init(ctx: click.Context, key_out: Path | None, bundle: Path | None, common_name: str | None,
              by: str | None) -> None:
    """Create the register's signing key and certificate, or import them.

    The certificate is committed to the register (keys/register-certificate.pem);
    the private key is written outside it, encrypted with the passphrase in
    $ISA_SIGNING_PASSPHRASE, and found again through $ISA_SIGNING_KEY (the
    variables register.yaml's signing section names).

    \b
    Example:
      ISA_SIGNING_PASSPHRASE=... isa keys init --key-out ~/.config/isa/register-key.pem
      ISA_SIGNING_PASSPHRASE=... isa keys init --import our-organisation.p12
    """
    from ..register import vcs
    from ..register.store import register_lock
    from ..signing.keys import import_keys, init_keys, signing_settings

    if (key_out is None) == (bundle is None):
        raise click.UsageError("say where the new key goes (--key-out PATH, outside the register) or import one "
                               "(--import FILE.p12)")
    root = register_root(ctx)
    register = load(ctx)
    config = signing_settings(register.settings)
    with register_lock(root):
        made = (import_keys(root, register.settings, bundle=bundle) if bundle is not None else
                init_keys(root, register.settings, key_out=key_out, common_name=common_name))
        rel = made.certificate.relative_to(root).as_posix()
        vcs.commit(root, [rel], f"keys: the register's signing certificate ({made.subject}) [by {actor(by)}]")
    click.echo(f"Certificate: {rel} (committed), sha-256 {made.fingerprint}")
    click.echo(f"Private key: {made.key} (kept outside the register)")
    click.echo(f"Before sending for signature: export {config.key_env}={made.key}")


@click.command(name="send")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("--stage", type=click.IntRange(1, 50), metavar="N",
              help="The stage to send for (default: the one whose turn it is; another is refused).")
@click.option("-o", "--output", "--out", "outdir", cls=OutputOption, type=click.Path(file_okay=False, path_type=Path),
              default=Path("packs"), show_default=True, help="Where to write the packs.")
@click.option("--send", "deliver", is_flag=True, help="Also e-mail each pack through register.yaml's smtp server.")
@click.option("--by", metavar="NAME", help="Who sends (default: $ISA_USER, else git's user.name).")
@click.pass_context
def send_(ctx: click.Context, record_id: str, stage: int | None, outdir: Path, deliver: bool, by: str | None) -> None:
    """Send the agreement for signature: one pack for each signatory still waiting at the open stage.

    A pack is the agreement's PDF certified by the register (only filling in
    and signing are allowed after it) with an empty signature field on the
    signatory's block, the DOCX to read, and an e-mail in the signatory's
    language (always written as a .eml; sent with --send). The sha-256 of each
    PDF sent is recorded and committed, so that a copy coming back can be
    matched to it. A signatory already sent a pack for this version gets none
    again. Needs the register's key: $ISA_SIGNING_KEY and
    $ISA_SIGNING_PASSPHRASE (see isa keys init).

    \b
    Example:
      isa send ISA-2026-0003 -o packs/
      isa send ISA-2026-0003 --send
    """
    from ..register.outputs import check_output_folder
    from ..signing.send import send

    check_output_folder(outdir)
    sending = send(register_root(ctx), record_id, outdir=outdir, stage=stage, deliver=deliver, by=actor(by))
    for pack in sending.packs:
        who = f"{pack.person.name} ({pack.slot.label()})"
        if pack.already is not None:
            click.echo(f"{who}: already sent on {pack.already.date} (sha-256 {pack.already.sha256[:12]}); not again")
        else:
            click.echo(f"{who}: {pack.pdf}  sha-256 {pack.sha256[:12]}  {pack.eml.name}"
                       + ("  e-mailed" if deliver else ""))
    for slot in sending.unnamed:
        click.echo(f"{slot}: no one is named for it, so no pack; name them (the record, or register.yaml's "
                   "contacts) and send again, or collect that sign-off yourself")


@click.command(name="sign")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pkcs12", "bundle", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              metavar="P12", help="Your certificate and key (a .p12 or .pfx file).")
@click.option("--field", metavar="NAME", help="The signature field to sign (default: the one made for you).")
@click.option("--timestamp", "timestamp_url", metavar="URL", help="A time-stamping authority (RFC 3161) to use.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="The signed copy to write (default: FILE with -signed before .pdf).")
@click.option("--font", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="TTF",
              help="The font of the signature's appearance (default: DejaVu Sans).")
def sign_(file: Path, bundle: Path, field: str | None, timestamp_url: str | None, out: Path | None,
          font: Path | None) -> None:
    """Sign a copy you were sent, with your own certificate, into your signature field.

    A PAdES signature added as an incremental update (the register's
    certification and earlier signatures stay valid), with a visible
    appearance: your name, organisation and the time, in an embedded font
    with every French letter. The passphrase of the .p12 is read from
    $ISA_SIGNER_PASSPHRASE, or asked for.

    \b
    Example:
      isa sign ISA-2026-0003-v1.0-stage4-northshire-constabulary.pdf --pkcs12 me.p12
    """
    import os

    from ..signing.sign import sign_file

    secret = os.environ.get("ISA_SIGNER_PASSPHRASE")
    if secret is None:
        secret = click.prompt("Passphrase of the .p12", hide_input=True, default="", show_default=False)
    target = out or file.with_name(f"{file.stem}-signed.pdf")
    path, chosen, name = sign_file(file, pkcs12=bundle, passphrase=secret.encode() if secret else None, out=target,
                                   field=field, timestamp_url=timestamp_url, font=font)
    click.echo(f"{path}: signed by {name} in {chosen}; return it to the officer who sent it")


@click.command(name="receive")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--signatory", metavar="NAME", help="Whose signature a scan is (when several returns are awaited).")
@click.option("--fingerprint", metavar="SHORT",
              help="For a scan signed by hand: the fingerprint printed on its pages, read and confirmed.")
@click.option("--on-behalf-of", "on_behalf_of", metavar="NAME",
              help="Signed by a delegate in the place of NAME (with --reason).")
@click.option("--reason", metavar="TEXT", help="Why a delegate signed (with --on-behalf-of).")
@click.option("--by", metavar="NAME", help="Who records it (default: $ISA_USER, else git's user.name).")
@click.pass_context
def receive_(ctx: click.Context, record_id: str, file: Path, signatory: str | None, fingerprint: str | None,
             on_behalf_of: str | None, reason: str | None, by: str | None) -> None:
    """Record a signed copy as it came back: checked against what was sent, then kept in the register.

    A digitally signed PDF must be the certified copy isa send made for this
    version (byte for byte), changed only by filling in and signing, and signed
    in the signatory's field by a certificate naming them (or a recorded
    delegate). Whether the certificate is trusted is reported separately. A
    scan with no digital signature is recorded as signed by hand once you
    confirm the fingerprint printed on its pages. The file is stored under
    signed/ID/VERSION/ and committed with the sign-off; a refusal records nothing.

    \b
    Example:
      isa receive ISA-2026-0003 returned/police-signed.pdf
      isa receive ISA-2026-0003 scans/council.pdf --fingerprint ff3d8ceb84d7 --signatory "Deborah Quinn"
    """
    from ..signing.receive import receive

    got = receive(register_root(ctx), record_id, file, by=actor(by), signatory=signatory, fingerprint=fingerprint,
                  on_behalf_of=on_behalf_of, reason=reason)
    for evidence in got.evidence:
        if evidence.kind == "digital":
            trust = "trusted" if evidence.trusted else ("intact, but the certificate is NOT TRUSTED: it leads to none "
                                                        "of register.yaml's signing.trust_roots")
            click.echo(f"{record_id}: signed digitally by {evidence.signer} ({evidence.certificate}); signature {trust}")
        else:
            click.echo(f"{record_id}: signed by hand by {evidence.signer} (a scan: not cryptographically verified)")
    click.echo(f"  kept as {got.stored}; status {got.agreement.status.value}")


@click.command(name="seal")
@click.argument("record_id", metavar="ID", shell_complete=complete_id)
@click.option("-o", "--output", "--out", "outdir", cls=OutputOption, type=click.Path(file_okay=False, path_type=Path),
              default=Path("documents"), show_default=True, help="Where to write the sealed copy.")
@click.pass_context
def seal_(ctx: click.Context, record_id: str, outdir: Path) -> None:
    """Make the sealed copy once every signature is in.

    One PDF: the agreement as signed, then a completion certificate (for each
    signatory what was sent and what came back, with their sha-256, who signed
    with which certificate and when, any delegation; the sign-off chain; the
    register's commit). Every signed copy is embedded in it as it came back,
    and the register certifies the whole file allowing no change, so a later
    edit shows. The sealed copy is also kept in the register (signed/) and
    committed.

    \b
    Example:
      isa seal ISA-2026-0003 -o documents/
    """
    from ..register.outputs import check_output_folder
    from ..signing.seal import seal

    check_output_folder(outdir)
    path, digest = seal(register_root(ctx), record_id, outdir=outdir)
    click.echo(f"{path}  sha-256 {digest}")


@click.command(name="verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def verify_(ctx: click.Context, file: Path, as_json: bool) -> None:
    """Say what a PDF is: which agreement and version, who signed, whether each signature is intact and trusted,
    and whether it matches the register (exit code 1 when it does not, or a signature is broken).

    \b
    Example:
      isa verify ISA-2026-0003-v1.0-sealed.pdf
      isa verify returned/police-signed.pdf --json
    """
    from ..signing.seal import verify
    from .common import echo_json

    found = verify(register_root(ctx), file)
    if as_json:
        echo_json("verify", {"kind": found.kind, "id": found.record_id, "version": found.version, "current": found.current,
                   "sound": found.sound, "signatures": found.signatures, "notes": found.notes})
    else:
        what = {"sealed": "the sealed copy", "returned": "a signed copy as returned", "sent": "a copy as sent for "
                "signature", "unknown": "not a document this register made"}[found.kind]
        where = f" of {found.record_id} version {found.version}" if found.record_id else ""
        state = "" if not found.record_id else (" (the current version)" if found.current else
                                                " (NOT the current version)")
        click.echo(f"{file.name}: {what}{where}{state}")
        for signature in found.signatures:
            verdict = ("intact" if signature["intact"] and signature["valid"] else "BROKEN") + (
                ", trusted" if signature["trusted"] else ", certificate not trusted")
            click.echo(f"  {signature['field']}: {signature['subject']}, {signature['signing_time'] or 'no time'}: "
                       f"{verdict}")
        for note in found.notes:
            click.echo(f"  {note}")
    if not found.sound or any("CHANGED" in note for note in found.notes):
        ctx.exit(1)


COMMANDS = [keys, send_, sign_, receive_, seal_, verify_]
