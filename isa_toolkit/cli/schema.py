"""``isa schema``: the JSON Schema of the register's files, for editors and other tools."""

from __future__ import annotations

from pathlib import Path

import click

# The names, known without loading the models (as isa_toolkit/register/schema.py's TARGETS has them; a test
# holds the two together).
NAMES = ("agreement", "disclosure", "request", "incident", "register", "classification")


@click.command()
@click.argument("kind", required=False, type=click.Choice(NAMES), metavar="[KIND]")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write the schema (every one, without KIND) to DIR as KIND.schema.json instead of printing it.")
def schema(kind: str | None, output: Path | None) -> None:
    """Print the JSON Schema of a kind of record, or of register.yaml or classification.yaml.

    KIND is agreement (isa and protocol alike), disclosure, request,
    incident, register (register.yaml) or classification
    (classification.yaml); without KIND the kinds are listed, with the
    files each one describes. The schemas are made from the toolkit's own
    models (JSON Schema draft 2020-12, read alike by draft-7 tools): an
    editor checks a record against them as you type. `isa init` writes them
    into the register (.isa/schema/) with the VS Code settings that use
    them; after upgrading the toolkit, write them again with
    `isa schema --output .isa/schema` and commit them.

    \b
    Examples:
      isa schema agreement > agreement.schema.json
      isa schema --output .isa/schema
    """
    from ..register import schema as schemas

    if output is not None:
        for path in schemas.write_schemas(output, [kind] if kind else None):
            click.echo(str(path))
        return
    if kind is not None:
        click.echo(schemas.dumps(schemas.schema(kind)), nl=False)
        return
    width = max(len(name) for name in schemas.BY_NAME)
    for target in schemas.TARGETS:
        click.echo(f"{target.name:<{width}}  {', '.join(target.files):<22}  {target.title}")


COMMANDS = (schema,)
