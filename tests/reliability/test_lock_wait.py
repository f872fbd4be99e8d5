"""Waiting for the register lock says who holds it and for how long it will wait; the wait is a setting."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from isa_toolkit.register import lock

from ..conftest import complete_isa

ID = "ISA-2026-0001"

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from isa_toolkit.register.store import register_lock

    sys.argv = ["isa", "review", "--send"]  # what the holder says it is doing
    with register_lock(Path(sys.argv[0] and {root!r})):
        print("holding", flush=True)
        time.sleep(float({seconds!r}))
    """
)


def hold(root, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=str(root), seconds=seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def isa(root, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "isa_toolkit", "-R", str(root), *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_a_writer_that_gives_up_says_who_holds_the_lock(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    holder = hold(root, 30)
    try:
        started = time.monotonic()
        result = isa(root, "amend", ID, "--set", "contact=new@example.org", "--detail", "x",
                     env={"ISA_LOCK_TIMEOUT": "2"})
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "`isa review --send`" in result.stderr and f"process {holder.pid}" in result.stderr
    assert "after 2 s" in result.stderr and "ISA_LOCK_TIMEOUT" in result.stderr
    assert "Waiting for the register lock, held by `isa review --send`" in result.stderr
    assert 2 <= waited < 20


def test_a_writer_waits_says_so_once_when_piped_and_goes_on(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    holder = hold(root, 2.5)
    result = isa(root, "amend", ID, "--set", "contact=new@example.org", "--detail", "x")
    holder.communicate()
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("Waiting for the register lock") == 1


def test_a_timeout_that_is_not_a_number_is_refused_plainly(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    result = isa(root, "amend", ID, "--set", "contact=new@example.org", "--detail", "x",
                 env={"ISA_LOCK_TIMEOUT": "soon"})
    assert result.returncode == 1 and "ISA_LOCK_TIMEOUT='soon' is not a number of seconds" in result.stderr


def test_the_holder_is_forgotten_once_the_lock_is_released(make_register):
    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)})
    hold(root, 0).communicate()
    assert lock.read_holder(root / ".git" / lock.HOLDER_FILE) == lock.Holder()


def test_the_wait_is_a_setting_of_the_register(make_register):
    from ..conftest import SETTINGS

    root = make_register({f"agreements/{ID}.yaml": complete_isa(ID)},
                         settings=SETTINGS + "lock_timeout_seconds: 2\n")
    holder = hold(root, 30)
    try:
        started = time.monotonic()
        result = isa(root, "amend", ID, "--set", "contact=new@example.org", "--detail", "x")
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate()
    assert result.returncode == 1 and "after 2 s" in result.stderr
    assert 2 <= waited < 20
