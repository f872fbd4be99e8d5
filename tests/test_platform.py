"""Every officer's machine: nothing POSIX-only at import, the Windows lock's code path, and every pool under spawn.

CI runs on Linux. What these tests show for Windows and macOS (docs/platforms.md):
- every module imports with the POSIX-only modules missing, as on Windows;
- the register lock, driven through its Windows code path (``msvcrt.locking`` on the lock file's first byte, the
  holder in a file beside it), serialises two processes and names the holder to a waiter: here ``msvcrt`` is
  stood in for by byte-range locks behaving as its documentation says, so this checks the toolkit's use of it,
  not Windows itself;
- the loader's, the daily run's and the batch renderer's pools give, under ``spawn`` (the only start method
  Windows has, and macOS's default), what the work done in one process gives.
"""

from __future__ import annotations

import ast
import concurrent.futures
import datetime as dt
import errno
import multiprocessing
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from isa_toolkit.errors import IsaError, LockTimeout
from isa_toolkit.register import files, load, lock, workers

from .conftest import complete_isa

REPO = Path(__file__).resolve().parent.parent
POSIX_ONLY = ("fcntl", "resource", "termios", "pwd", "grp")

# -- imports ------------------------------------------------------------------------------------------------------

IMPORT_ALL = textwrap.dedent(
    """
    import sys
    for name in {blocked!r}:
        sys.modules[name] = None  # `import name` now fails, as on Windows
    import importlib, pkgutil, traceback

    for name in {blocked!r}:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
        else:
            raise SystemExit(f"{{name}} could still be imported")

    import isa_toolkit

    failed, imported = [], []

    def report(name):
        failed.append(f"{{name}}: {{traceback.format_exc(limit=-1).strip().splitlines()[-1]}}")

    for info in pkgutil.walk_packages(isa_toolkit.__path__, "isa_toolkit.", onerror=report):
        if info.name.endswith(".__main__"):  # runs the command line when imported
            continue
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except Exception:
            failed.append(f"{{info.name}}: {{traceback.format_exc()}}")
    print("\\n".join(imported))
    if failed:
        raise SystemExit("\\n".join(failed))
    """
)


def test_every_module_imports_without_the_posix_only_modules():
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL.format(blocked=POSIX_ONLY)], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    imported = set(result.stdout.split())
    # The walk found the package (and the modules that held a POSIX-only import before are among those imported).
    assert {"isa_toolkit.register.lock", "isa_toolkit.register.files", "isa_toolkit.register.load",
            "isa_toolkit.signing.inspect", "isa_toolkit.documents.batch", "isa_toolkit.review.daily",
            "isa_toolkit.cli"} <= imported
    assert len(imported) > 40


def test_shipped_data_is_found_through_importlib_resources_not_from_a_modules_file():
    """``__file__`` is read only where the package's own sources are meant (a cache key, the path a child process
    imports the package from, the labels a catalog must translate), never to find templates or workflows."""
    allowed = {"register/cache.py", "signing/inspect.py", "documents/messages.py"}
    package = REPO / "isa_toolkit"
    using = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(node, ast.Name | ast.Attribute) and getattr(node, "id", getattr(node, "attr", None))
               == "__file__" for node in ast.walk(tree)):
            using.add(path.relative_to(package).as_posix())
    assert using <= allowed, f"{sorted(using - allowed)} read __file__: find shipped data with resources.shipped()"


# -- the lock through its Windows code path -----------------------------------------------------------------------

# msvcrt as its documentation describes it, for a test on Linux: locking(fd, mode, n) locks n bytes from the file's
# current position, LK_NBLCK fails at once with EACCES when another process holds them, LK_UNLCK fails with EACCES
# on bytes not locked. Emulated with POSIX byte-range locks (which, like Windows', hold between processes).
FAKE_MSVCRT = textwrap.dedent(
    """
    import errno, fcntl, os, sys, types

    _held = set()

    def locking(fd, mode, nbytes):
        start = os.lseek(fd, 0, os.SEEK_CUR)
        if mode == 0:  # LK_UNLCK
            if (fd, start, nbytes) not in _held:
                raise OSError(errno.EACCES, "Permission denied")
            fcntl.lockf(fd, fcntl.LOCK_UN, nbytes, start)
            _held.discard((fd, start, nbytes))
            return
        if mode != 2:  # only LK_NBLCK is used
            raise AssertionError(f"locking mode {mode}")
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, nbytes, start)
        except OSError:
            raise OSError(errno.EACCES, "Permission denied") from None
        _held.add((fd, start, nbytes))

    msvcrt = types.ModuleType("msvcrt")
    msvcrt.LK_UNLCK, msvcrt.LK_LOCK, msvcrt.LK_NBLCK, msvcrt.LK_RLCK, msvcrt.LK_NBRLCK = 0, 1, 2, 3, 4
    msvcrt.locking = locking

    from isa_toolkit.register import lock
    lock._msvcrt = lambda: msvcrt  # not put in sys.modules: the standard library takes that to mean Windows
    lock._try_lock, lock._unlock = lock._try_lock_windows, lock._unlock_windows
    """
)

WINDOWS_WRITER = FAKE_MSVCRT + textwrap.dedent(
    """
    from pathlib import Path
    from isa_toolkit import register as store

    root = Path(sys.argv[1])
    sys.stdout.write("ready\\n"); sys.stdout.flush()
    sys.stdin.readline()  # start together
    for _ in range(int(sys.argv[2])):
        def bump(agreement):
            major, minor = agreement.version.split(".")
            return agreement.model_copy(update={"version": f"{major}.{int(minor) + 1}"}), "one more"
        store.modify_agreement(root, "ISA-2026-0001", bump, by="writer")
    """
)

WINDOWS_HOLDER = FAKE_MSVCRT + textwrap.dedent(
    """
    import time
    from pathlib import Path

    root = Path(sys.argv[1])
    sys.argv = ["isa", "review", "--send"]  # what the holder says it is doing
    with lock.register_lock(root):
        print("holding", flush=True)
        time.sleep(30)
    """
)


def test_the_windows_lock_serialises_two_processes(make_register):
    from isa_toolkit import register as store

    from .test_concurrency import run_together

    root = make_register({"agreements/ISA-2026-0001.yaml": complete_isa("ISA-2026-0001")})
    run_together(WINDOWS_WRITER, [[str(root), "25"]] * 2)
    # Each change read the record under the lock, so all 50 increments are there.
    assert store.load_agreement(root, "ISA-2026-0001").version == "1.50"


def _fake_msvcrt() -> tuple[types.ModuleType, set]:
    """The stand-in for msvcrt, and the byte ranges it holds locked."""
    namespace: dict = {}
    exec(FAKE_MSVCRT.split("from isa_toolkit")[0], namespace)  # the module only, not the switch of primitive
    return namespace["msvcrt"], namespace["_held"]


def test_a_waiter_on_the_windows_lock_reads_who_holds_it(make_register, monkeypatch):
    root = make_register({"agreements/ISA-2026-0001.yaml": complete_isa("ISA-2026-0001")})
    holder = subprocess.Popen([sys.executable, "-c", WINDOWS_HOLDER, str(root)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        msvcrt, held = _fake_msvcrt()
        monkeypatch.setattr(lock, "_msvcrt", lambda: msvcrt)
        monkeypatch.setattr(lock, "_try_lock", lock._try_lock_windows)
        monkeypatch.setattr(lock, "_unlock", lock._unlock_windows)
        with pytest.raises(LockTimeout, match=rf"`isa review --send` by Test Officer \(process {holder.pid}"):
            with lock.register_lock(root, timeout=0.5):
                pass
    finally:
        holder.kill()
        holder.communicate()
    # Once it has gone, the lock is free: taken on the first byte, and unlocked (not merely closed) on release,
    # when the holder file is emptied.
    with lock.register_lock(root, timeout=5):
        assert lock.read_holder(root / ".git" / lock.HOLDER_FILE).pid == os.getpid()
        assert [(start, size) for _, start, size in held] == [(0, 1)]
    assert held == set()
    assert lock.read_holder(root / ".git" / lock.HOLDER_FILE) == lock.Holder()


def test_the_windows_lock_gives_way_only_to_a_lock_held_elsewhere(tmp_path, monkeypatch):
    """Any other failure of msvcrt.locking (a bad file, say) is raised, not waited out as if the lock were held."""
    fake = types.ModuleType("msvcrt")
    fake.LK_NBLCK, fake.LK_UNLCK = 2, 0
    failure = {"errno": errno.EACCES}

    def locking(fd, mode, nbytes):
        raise OSError(failure["errno"], os.strerror(failure["errno"]))

    fake.locking = locking
    monkeypatch.setattr(lock, "_msvcrt", lambda: fake)
    fd = os.open(tmp_path / "lock", os.O_RDWR | os.O_CREAT)
    try:
        assert lock._try_lock_windows(fd) is False  # held by another process: wait
        failure["errno"] = errno.EBADF
        with pytest.raises(OSError, match=os.strerror(errno.EBADF)):
            lock._try_lock_windows(fd)
    finally:
        os.close(fd)


def test_a_whole_file_write_without_the_posix_only_steps(tmp_path, monkeypatch):
    """As on Windows: no ``os.fchmod``, and a folder cannot be opened to be fsynced (neither is attempted)."""
    target = tmp_path / "record.yaml"
    target.write_text("old\n")
    real_open = os.open

    def no_folders(path, flags, *args, **kwargs):
        if os.path.isdir(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.delattr(os, "fchmod")
        patch.setattr(os, "open", no_folders)
        patch.setattr(os, "name", "nt")
        files.write_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["record.yaml"]  # no temporary file left


# -- pools under spawn --------------------------------------------------------------------------------------------


@pytest.fixture
def pools(monkeypatch):
    """The start method of every ProcessPoolExecutor made (so a test knows its work went to a pool)."""
    started: list[str] = []

    class Recording(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, mp_context=None, **kwargs):
            started.append(mp_context.get_start_method())
            super().__init__(*args, mp_context=mp_context, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Recording)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # a pool even on a one-core runner
    return started


def test_workers_fork_on_linux_spawn_elsewhere_and_as_told(monkeypatch):
    monkeypatch.delenv(workers.START_METHOD_ENV, raising=False)
    assert workers.start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")
    for system in ("win32", "darwin"):
        monkeypatch.setattr(workers, "sys", types.SimpleNamespace(platform=system))  # the module's view only
        assert workers.start_method() == "spawn"
    monkeypatch.setenv(workers.START_METHOD_ENV, "spawn")
    assert workers.context().get_start_method() == "spawn"
    monkeypatch.setenv(workers.START_METHOD_ENV, "vfork")
    with pytest.raises(IsaError, match="ISA_START_METHOD='vfork' is not a way this system starts processes"):
        workers.start_method()


def _snapshot(register) -> tuple:
    records = {name: {record_id: section.records[record_id].model_dump(mode="json") for record_id in section.records}
               for name, section in register.sections.items()}
    return (records, {name: section.index for name, section in register.sections.items()},
            {name: section.paths for name, section in register.sections.items()}, sorted(register.problems))


def test_the_loader_under_spawn_loads_what_one_process_loads(make_register, monkeypatch, pools):
    ids = [f"ISA-2026-{n:04d}" for n in range(1, 9)]
    records = {f"agreements/{i}.yaml": complete_isa(i, title=f"Visits {i}") for i in ids}
    records["agreements/ISA-2026-0003.yaml"] = complete_isa("ISA-2026-0003").replace("version: '1.0'", "version: 1")
    records["agreements/ISA-2026-0009.yaml"] = "id: ISA-2026-0009\nkind: isa\ntitle: [unclosed\n"
    root = make_register(records)

    monkeypatch.setattr(load, "PARALLEL_THRESHOLD", 10**9)
    serial = _snapshot(load.load_register(root, use_cache=False))
    assert pools == []
    assert serial[3], "the broken records are reported"

    monkeypatch.setattr(load, "PARALLEL_THRESHOLD", 2)
    methods = ["spawn"] + (["fork"] if "fork" in multiprocessing.get_all_start_methods() else [])
    for method in methods:
        monkeypatch.setenv(workers.START_METHOD_ENV, method)
        assert _snapshot(load.load_register(root, use_cache=False)) == serial, method
    assert pools == methods
    monkeypatch.setattr(workers, "sys", types.SimpleNamespace(platform="win32"))  # the choice on Windows, macOS
    monkeypatch.delenv(workers.START_METHOD_ENV)
    assert _snapshot(load.load_register(root, use_cache=False)) == serial
    assert pools[-1] == "spawn"


def test_the_daily_runs_emails_built_under_spawn_are_the_ones_built_in_one_process(monkeypatch, pools):
    from isa_toolkit.review import daily
    from isa_toolkit.review.reminders import Recipient, Reminder

    todo = [Reminder(f"ISA-2026-{n:04d}", {"en": f"Visits {n}", "fr": f"Visites {n}"}, dt.date(2026, 12, 1), 8 - n,
                     "due" if n % 3 else "overdue", Recipient(f"Officer {n}", f"officer{n}@example.org",
                                                              "fr" if n % 2 else "en", "owner"))
            for n in range(1, 41)]
    versions = {r.record_id: "1.2" for r in todo}
    as_of = dt.date(2026, 11, 23)
    monkeypatch.setattr(daily, "PARALLEL_EMAILS", 10**9)
    monkeypatch.setattr(daily, "PARALLEL_EMAILS_SPAWNED", 10**9)
    monkeypatch.setenv(workers.START_METHOD_ENV, "spawn")
    serial = daily._build_all(todo, versions, "isa@example.org", as_of, None)
    assert pools == []

    monkeypatch.setattr(daily, "PARALLEL_EMAILS_SPAWNED", 2)
    done: list[int] = []
    assert daily._build_all(todo, versions, "isa@example.org", as_of, done.append) == serial
    assert pools == ["spawn"] and sum(done) == len(todo)


def test_the_batch_renderer_spawns_and_makes_what_one_process_makes(make_register, tmp_path):
    from isa_toolkit.documents import batch
    from isa_toolkit.documents.render import render
    from isa_toolkit.register.load import load_register

    ids = ["ISA-2026-0001", "ISA-2026-0002", "ISA-2026-0003"]
    root = make_register({f"agreements/{i}.yaml": complete_isa(i, title=f"Visits {i}") for i in ids})
    spawned, alone = tmp_path / "spawned", tmp_path / "alone"
    done = []
    assert batch.render_all(root, ids, doc="agreement", lang="en", formats=("docx",), outdir=spawned,
                            fallback=False, progress=done.append) == []
    register = load_register(root)
    for record_id in ids:
        render(register, register.agreements[record_id], doc="agreement", lang="en", formats=("docx",), outdir=alone)
    made = sorted(p.name for p in spawned.iterdir())
    assert made == sorted(p.name for p in alone.iterdir()) and len(made) == 3 and len(done) == 3
    for name in made:
        assert (spawned / name).read_bytes() == (alone / name).read_bytes(), name


# -- without Pango ------------------------------------------------------------------------------------------------

NO_PANGO = textwrap.dedent(
    """
    import sys

    class NoPango:  # WeasyPrint fails to import as it does where Pango is not installed: with an OSError
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "weasyprint":
                raise OSError("cannot load library 'libgobject-2.0-0': cannot open shared object file")

    sys.meta_path.insert(0, NoPango())

    from pathlib import Path
    from isa_toolkit.documents.render import render
    from isa_toolkit.errors import IsaError
    from isa_toolkit.register import load_register

    root, out = Path(sys.argv[1]), Path(sys.argv[2])
    register = load_register(root)
    agreement = register.agreements["ISA-2026-0001"]
    for made in render(register, agreement, doc="agreement", lang="en", formats=("docx",), outdir=out):
        print("made", made.path.name)
    try:
        render(register, agreement, doc="agreement", lang="en", formats=("pdf",), outdir=out)
    except IsaError as exc:
        print("refused", exc)
    """
)


def test_without_pango_docx_is_made_and_pdf_is_refused_plainly(make_register, tmp_path):
    root = make_register({"agreements/ISA-2026-0001.yaml": complete_isa("ISA-2026-0001")})
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-c", NO_PANGO, str(root), str(out)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "made ISA-2026-0001-v1.0-agreement-en.docx"
    assert lines[1].startswith("refused PDF output needs the Pango libraries") and "--format docx" in lines[1]
    assert sorted(p.name for p in out.iterdir()) == ["ISA-2026-0001-v1.0-agreement-en.docx"]
