"""Commands for signatures: the register's signing identity."""

from __future__ import annotations

from pathlib import Path

import click

from .common import actor, load, register_root


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


COMMANDS = [keys]
