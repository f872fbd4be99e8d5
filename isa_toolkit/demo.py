"""``isa demo``: the main job, run on a fresh copy of the example register.

It never touches the example register that ships with the toolkit: it copies
it into the demo folder, makes the copy its own git repository and works there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from .display import agreement_table
from .errors import IsaError
from .register import init_register, select
from .schedule import due_reviews
from .store import load_register

DEMO_USER = "Demo Officer"


def run_demo(outdir: Path, *, as_of: dt.date, echo: Callable[[str], None]) -> Path:
    """Copy the example register into ``outdir/register`` and run the main job on it."""
    outdir = Path(outdir)
    root = outdir / "register"
    if root.exists():
        raise IsaError(f"{root} already exists; remove it or give another folder: isa demo OUTDIR")
    echo(f"== Copying the example register to {root}")
    init_register(root, example=True, organisation=None, by=DEMO_USER)

    echo("\n== Validating (isa validate --strict)")
    register = load_register(root)
    for problem in register.problems:
        echo(f"  {problem}")
    echo(f"  {len(register.agreements)} agreement(s): {len(register.errors)} error(s), {len(register.warnings)} warning(s)")

    echo("\n== The register (isa list)")
    echo(agreement_table(select(register), register.languages[0]))

    echo(f"\n== Due for review within 60 days of {as_of.isoformat()}")
    due = due_reviews(register.agreements.values(), as_of, within_days=60)
    if not due:
        echo("  nothing is due")
    for item in due:
        when = f"{-item.days_left} day(s) overdue" if item.overdue else f"due in {item.days_left} day(s)"
        echo(f"  {item.agreement.id}  {item.due.isoformat()}  {when}  {item.agreement.title}")

    echo(f"\n== Done. The demo register is {root.resolve()}")
    echo(f"   Try: isa -R {root} show {next(iter(sorted(register.agreements)), 'ID')}")
    echo(f"        isa -R {root} log {next(iter(sorted(register.agreements)), 'ID')}")
    return root
