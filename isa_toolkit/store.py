"""The register on disk: finding it, loading every record, and writing one change.

``load_register`` is where every command starts. It reads ``register.yaml``,
``classification.yaml`` and each record, and returns them with every problem
found: one broken file never stops the others from loading. Checks that need
the whole register then run in a fixed order (:mod:`isa_toolkit.check`).

A write takes the register lock, writes the file atomically (temporary file,
fsync, rename), commits exactly that file, and on any failure puts the file
back as it was. Two ``isa`` processes writing at once therefore queue on the
lock instead of racing for git's ``index.lock``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import reprlib
import stat as stat_module
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import cache, vcs, yamlio
from .cache import RecordCache
from .check import CheckContext, check_record
from .errors import InvalidRecord, IsaError, LockTimeout, RecordNotFound, RegisterNotFound, StoreError
from .ids import check_id, is_safe_id, make_id
from .kinds import AGREEMENT, KINDS, Kind, kind_of, kind_of_path
from .model import Agreement, Classification, Settings, SignoffChain
from .problem import Problem, Severity
from .resources import workflow_file

REGISTER_FILE = "register.yaml"
CLASSIFICATION_FILE = "classification.yaml"
AGREEMENTS = AGREEMENT.folder
RECORD_SUFFIX = ".yaml"
LOCK_FILE = "isa-register.lock"
LOCK_TIMEOUT_S = 120.0
PARALLEL_THRESHOLD = 400  # files to parse before the work is spread over the cores


# -- the loaded register --------------------------------------------------------


class Records(Mapping[str, Any]):
    """The register's records of one kind by id, each built from the cache only when first asked for.

    ``isa list`` on a large register needs index entries, not records; this
    keeps a warm load from validating ten thousand records it will not use.
    """

    def __init__(self, root: Path, kind: Kind, paths: dict[str, str], built: dict[str, Any],
                 data: dict[str, dict], use_cache: bool):
        self._root = root
        self.kind = kind
        self._paths = paths  # id -> rel, for every record that loaded
        self._built = built
        self._data = data  # rel -> validated data not yet built
        self._use_cache = use_cache

    def __getitem__(self, record_id: str) -> Agreement:
        if record_id not in self._built:
            if record_id not in self._paths:
                raise KeyError(record_id)
            self._build([record_id])
        return self._built[record_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._paths

    def many(self, ids) -> list[Agreement]:
        """The records with these ids (those that loaded), built in one go."""
        wanted = [i for i in ids if i in self._paths]
        self._build([i for i in wanted if i not in self._built])
        return [self._built[i] for i in wanted if i in self._built]

    def values(self):  # one bulk build instead of one per record
        self._build([i for i in self._paths if i not in self._built])
        return [self._built[i] for i in list(self._paths)]

    def items(self):
        self._build([i for i in self._paths if i not in self._built])
        return [(i, self._built[i]) for i in list(self._paths)]

    def _build(self, ids: list[str]) -> None:
        if not ids:
            return
        rels = {self._paths[i]: i for i in ids}
        wanted = [rel for rel in rels if rel not in self._data]
        if wanted and self._use_cache:
            store = RecordCache.open(self._root)
            self._data.update(store.data(wanted))
            store.close()
        found = cache.models_from_data({rel: self._data.pop(rel) for rel in rels if rel in self._data},
                                       self.kind.model)
        for rel, record_id in rels.items():
            record = found.get(rel)
            if record is None:  # not in the cache after all: read the file
                record, _ = parse_record(self._root / rel, rel, self.kind)
            if record is not None and record.id == record_id:
                self._built[record_id] = record
            else:  # changed on disk since the register was loaded and no longer valid: leave it out
                del self._paths[record_id]


@dataclass
class Section:
    """The records of one kind: built on demand, their index entries and their files."""

    kind: Kind
    records: Records
    index: dict[str, dict] = field(default_factory=dict)  # record id -> index entry (see isa_toolkit.index)
    paths: dict[str, str] = field(default_factory=dict)  # record id -> path relative to root


@dataclass
class Register:
    """Everything ``load_register`` found: settings, records of every kind, their index entries and problems."""

    root: Path
    settings: Settings | None
    classification: Classification | None
    chain: SignoffChain | None
    sections: dict[str, Section]
    problems: list[Problem] = field(default_factory=list)

    @property
    def agreements(self) -> Mapping[str, Agreement]:
        return self.sections[AGREEMENT.name].records

    @property
    def index(self) -> dict[str, dict]:
        """Index entries of the agreements (``section(kind).index`` for the other kinds)."""
        return self.sections[AGREEMENT.name].index

    @property
    def paths(self) -> dict[str, str]:
        return self.sections[AGREEMENT.name].paths

    def section(self, kind: Kind | str) -> Section:
        return self.sections[kind if isinstance(kind, str) else kind.name]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def unreadable(self) -> list[str]:
        """Record files that could not be loaded at all (and so are left out of listings)."""
        loaded = {rel for section in self.sections.values() for rel in section.paths.values()}
        return sorted({p.path for p in self.errors if kind_of_path(p.path) is not None and "/" in p.path
                       and p.path not in loaded})

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    @property
    def languages(self) -> list[str]:
        return self.settings.languages if self.settings else ["en"]

    def agreement(self, record_id: str) -> Agreement:
        return self.record(AGREEMENT, record_id)

    def record(self, kind: Kind, record_id: str):
        check_id(record_id)
        try:
            return self.sections[kind.name].records[record_id]
        except KeyError:
            raise RecordNotFound(f"no {kind.title} {record_id!r} in {self.root}; "
                                 f"`isa list{'' if kind is AGREEMENT else ' --kind ' + kind.name}` shows the ids") from None

    def find(self, record_id: str) -> tuple[Kind, Any]:
        """The record with this id, whatever its kind."""
        check_id(record_id)
        for section in self.sections.values():
            if record_id in section.records:
                return section.kind, section.records[record_id]
        raise RecordNotFound(f"no record {record_id!r} in {self.root}; `isa list --kind KIND` shows the ids")


# -- finding the register -------------------------------------------------------


def find_register(explicit: str | os.PathLike | None = None, start: Path | None = None) -> Path:
    """The register root: ``explicit`` (``-R`` or ``ISA_REGISTER``), else the nearest folder upwards with ``register.yaml``."""
    if explicit:
        root = Path(explicit).expanduser()
        if not (root / REGISTER_FILE).is_file():
            raise RegisterNotFound(
                f"{root} is not a register (no {REGISTER_FILE}); create one with `isa init {root}`"
            )
        return root.resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / REGISTER_FILE).is_file():
            return folder
    raise RegisterNotFound(
        f"no register here: neither {here} nor a folder above it holds {REGISTER_FILE}; "
        "pass -R PATH, set ISA_REGISTER, or create one with `isa init PATH`"
    )


# -- validation messages --------------------------------------------------------


def format_loc(loc: tuple[Any, ...]) -> str:
    """``('parties', 1, 'role')`` -> ``parties[1].role``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_REPR = reprlib.Repr()  # keyword arguments only from Python 3.12
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 2, 3, 3, 50, 50, 40


def _short(value: Any) -> str:
    """A value as a short, bounded text for a message (never the whole of a large value)."""
    text = _REPR.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: dict) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling)"
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        return f"{_short(value)} is not allowed here; use one of {expected}"
    message = error["msg"]
    if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return "expected text, found a number; put the value in quotes (YAML reads 1.10 as the number 1.1)"
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    elif value is not None and not isinstance(value, (dict, list)):
        message = f"{message} (found {_short(value)})"
    return message


def problems_from_validation(
    exc: ValidationError, rel: str, text: str | None, record_id: str = ""
) -> list[Problem]:
    """Each pydantic error as a ``Problem`` with the line of the offending field."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        message = _message(error)
        if not loc and text is not None:
            loc = _field_named_in(message, text)  # a rule across fields names the field it is about first
        line = yamlio.locate(text, loc) if text is not None else 0
        problems.append(Problem(rel, line, format_loc(loc), message, Severity.ERROR, record_id))
    return problems


_LEADING_FIELD = re.compile(r"^([a-z_]+(?:\.[a-z_]+|\[\d+\])*)\b")


def _field_named_in(message: str, text: str) -> tuple:
    """The field a record-level message starts with (``occurred 2026-11-29 is after reported ...``), when the
    file has it, so the problem is placed on its line; otherwise no field."""
    match = _LEADING_FIELD.match(message)
    if not match:
        return ()
    loc = tuple(int(part) if part.isdigit() else part for part in re.findall(r"[a-z_]+|\d+", match.group(1)))
    root, line = yamlio.locate(text, ()), yamlio.locate(text, loc[:1])
    return loc if line != root or yamlio.first_key(text) == loc[0] else ()


# -- reading one file -----------------------------------------------------------


def read_yaml(path: Path, rel: str) -> tuple[Any, str | None, list[Problem]]:
    """Parse ``path``; problems instead of exceptions."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, None, [Problem(rel, 0, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return None, None, [Problem(rel, 0, "", f"cannot be read: {exc.strerror}")]
    try:
        return yamlio.parse(text), text, []
    except yamlio.YamlError as exc:
        return None, text, [Problem(rel, exc.line, getattr(exc, "field", ""), exc.message)]


def parse_agreement(path: Path, rel: str) -> tuple[Agreement | None, list[Problem]]:
    """Read and validate one agreement file."""
    return parse_record(path, rel, AGREEMENT)


def parse_record(path: Path, rel: str, kind: Kind) -> tuple[Any, list[Problem]]:
    """Read and validate one record file of ``kind``."""
    data, text, problems = read_yaml(path, rel)
    if problems:
        return None, problems
    stem = path.name[: -len(RECORD_SUFFIX)]
    if not isinstance(data, dict):
        return None, [Problem(rel, 1, "", "a record must be a mapping of fields (id: ..., ...)", record_id=stem)]
    record_id = data.get("id")
    problems = []
    if not is_safe_id(stem):
        problems.append(Problem(rel, 0, "", f"file name {stem!r} is not a safe record id; rename the file"))
    if record_id != stem:
        line = yamlio.locate(text, ("id",))
        problems.append(
            Problem(rel, line, "id", f"id {_short(record_id)} differs from the file name {stem!r}; they must match", record_id=stem)
        )
    try:
        record = kind.model.model_validate(data)
    except ValidationError as exc:
        return None, problems + problems_from_validation(exc, rel, text, stem)
    if problems:
        return None, problems
    return record, []


@dataclass
class Parsed:
    """What reading one record file gave: for the cache and for the register."""

    rel: str
    record_id: str | None
    entry: dict | None
    problems: list[Problem]
    checks: list[Problem] | None
    data: str | None  # JSON text
    record: Any = None


def _check_one(context: CheckContext, kind: Kind, record, rel: str, text: Callable[[], str]) -> list[Problem]:
    """The record checks of one record: an agreement's (isa_toolkit.check), or a case record's criteria."""
    if kind is AGREEMENT:
        return check_record(context, record, rel, text)
    from .references import check_case_record

    return check_case_record(context, record, rel, text)


def _case_checklists(root: Path) -> dict:
    """Every checklist definition that reads, by name: what case records' criteria are checked against."""
    from .checklist import FOLDER, load_checklist
    from .questionnaire import names

    found = {}
    for name in sorted(names(FOLDER, root)):
        try:
            found[name] = load_checklist(name, root)
        except IsaError:
            continue  # a broken checklist is reported where it is used; here its records say it cannot be read
    return found


def _parse_one(root: Path, rel: str, context: CheckContext | None) -> Parsed:
    kind = kind_of_path(rel)
    record, problems = parse_record(root / rel, rel, kind)
    if record is None:
        return Parsed(rel, None, None, problems, None, None)
    checks = None
    if context is not None:
        checks = _check_one(context, kind, record, rel, lambda: (root / rel).read_text(encoding="utf-8"))
    # The content as JSON text, made here: in a worker, so the main process only stores it.
    data = json.dumps(cache.record_data(record), separators=(",", ":"), ensure_ascii=False)
    return Parsed(rel, record.id, kind.index(record), problems, checks, data, record)


def _parse_batch(root: str, rels: list[str], context: CheckContext | None) -> list[Parsed]:
    """Worker: parse, validate and check files; return what pickles cheaply (no records)."""
    out = []
    for rel in rels:
        parsed = _parse_one(Path(root), rel, context)
        parsed.record = None
        out.append(parsed)
    return out


def _parse_all(root: Path, rels: list[str], context: CheckContext | None) -> list[Parsed]:
    workers = min(os.cpu_count() or 1, 8)
    if len(rels) < PARALLEL_THRESHOLD or workers < 2 or not hasattr(os, "fork"):
        return [_parse_one(root, rel, context) for rel in rels]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(rels) // (workers * 4))
    batches = [rels[i : i + chunk] for i in range(0, len(rels), chunk)]
    out: list[Parsed] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for result in pool.map(_parse_batch, [str(root)] * len(batches), batches, [context] * len(batches)):
            out.extend(result)
    return out


def _scan(root: Path) -> tuple[dict[str, os.stat_result], list[Problem]]:
    """Every record file in the record folders with its stat, and files that will be ignored."""
    found: dict[str, os.stat_result] = {}
    problems: list[Problem] = []
    for kind in KINDS:
        _scan_folder(root, kind.folder, found, problems)
    return dict(sorted(found.items())), problems


def _scan_folder(root: Path, folder_name: str, found: dict[str, os.stat_result], problems: list[Problem]) -> None:
    folder = root / folder_name
    if folder.is_symlink():
        problems.append(Problem(folder_name, 0, "", "is a symbolic link; a record folder must be a plain folder in the register"))
        return
    if folder.exists() and not folder.is_dir():
        problems.append(Problem(folder_name, 0, "", f"is a file, but {folder_name}/ holds records; move it away"))
        return
    if not folder.is_dir():
        return
    with os.scandir(folder) as listing:
        for entry in listing:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                name.encode("utf-8")
            except UnicodeEncodeError:
                shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                problems.append(Problem(f"{folder_name}/{shown}", 0, "", "the file name is not UTF-8 text; rename it"))
                continue
            rel = f"{folder_name}/{name}"
            if entry.is_symlink():
                # Never followed: it could point anywhere on the machine, and what it
                # holds would end up in messages and logs.
                problems.append(Problem(rel, 0, "", "is a symbolic link; a record must be a plain file in the register"))
            elif entry.is_dir():
                kind = "a folder, not a record file" if name.endswith(RECORD_SUFFIX) else \
                    f"ignored: a folder (records are files directly in {folder_name}/)"
                problems.append(Problem(rel, 0, "", kind, Severity.ERROR if name.endswith(RECORD_SUFFIX) else Severity.WARNING))
            elif not entry.is_file():
                problems.append(Problem(rel, 0, "", "is not a regular file; remove it"))
            elif name.endswith(RECORD_SUFFIX):
                found[rel] = entry.stat()
            else:
                problems.append(Problem(rel, 0, "", f"ignored: records are read only from files ending in {RECORD_SUFFIX}",
                                        severity=Severity.WARNING))


def _load_model_file(root: Path, name: str, model: type[BaseModel]) -> tuple[Any, list[Problem]]:
    path = root / name
    if path.is_symlink():
        return None, [Problem(name, 0, "", "is a symbolic link; it must be a plain file in the register")]
    if not path.is_file():
        return None, []
    data, text, problems = read_yaml(path, name)
    if problems:
        return None, problems
    try:
        return model.model_validate(data if data is not None else {}), []
    except ValidationError as exc:
        return None, problems_from_validation(exc, name, text)


def load_classification(root: Path) -> Classification | None:
    """The register's classification table, or None when it has none (or it cannot be read)."""
    classification, _ = _load_model_file(root, CLASSIFICATION_FILE, Classification)
    return classification


def load_chain(root: Path, settings: Settings | None) -> tuple[SignoffChain | None, list[Problem]]:
    """The sign-off chain: ``register.yaml``'s ``signoff_chain``, else the workflows' default."""
    if settings is not None and settings.signoff_chain:
        return SignoffChain(stages=settings.signoff_chain), []
    path = workflow_file("signoff_chain.yaml", root)
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    data, text, problems = read_yaml(path, rel)
    if problems:
        return None, problems
    try:
        return SignoffChain.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from_validation(exc, rel, text)


def load_register(path: str | os.PathLike, *, use_cache: bool = True, checks: bool = True) -> Register:
    """Load the register at ``path``: settings, classification, records and every problem.

    Unchanged records come from the cache (keyed by each file's size and
    timestamps), so a warm load parses no YAML; a cold load of a large
    register spreads parsing over the machine's cores. With ``checks`` the
    record checks run too (:mod:`isa_toolkit.check`), their results cached
    beside each record.
    """
    root = Path(path)
    if not (root / REGISTER_FILE).is_file():
        raise RegisterNotFound(f"{root} is not a register (no {REGISTER_FILE}); create one with `isa init {root}`")
    root = root.resolve()
    settings, problems = _load_model_file(root, REGISTER_FILE, Settings)
    classification, more = _load_model_file(root, CLASSIFICATION_FILE, Classification)
    problems += more
    if classification is None and not more:
        problems.append(Problem(CLASSIFICATION_FILE, 0, "", "missing: without it, sensitivity levels cannot be mapped to "
                                "classifications and dissemination methods (copy one from `isa init`)", Severity.WARNING))
    chain, more = load_chain(root, settings)
    problems += more
    files, more = _scan(root)
    problems += more
    context = CheckContext(
        languages=tuple(settings.languages) if settings else None,
        chain=chain,
        checklists=_case_checklists(root) if any(not rel.startswith(f"{AGREEMENTS}/") for rel in files) else None,
    ) if checks else None
    store = cache.RecordCache.open(root) if use_cache else cache.RecordCache.disabled()
    rows = store.rows()
    fresh = [rel for rel, stat in files.items() if rel not in rows or rows[rel].stat != cache.stat_key(stat)]
    parsed = {p.rel: p for p in _parse_all(root, fresh, context)}
    store.forget([rel for rel in rows if rel not in files])

    sections = {kind.name: Section(kind, None) for kind in KINDS}  # records set below
    built: dict[str, dict[str, Any]] = {kind.name: {} for kind in KINDS}
    pending: dict[str, dict[str, dict]] = {kind.name: {} for kind in KINDS}
    check_problems: list[Problem] = []
    stale_checks: list[str] = []
    for rel in files:
        kind = kind_of_path(rel)
        if rel in parsed:
            item = parsed[rel]
            store.put(rel, files[rel], item.record_id, item.entry, item.problems, item.data)
            record_id, entry, file_problems = item.record_id, item.entry, item.problems
            if item.checks is not None:
                store.put_checks(rel, context.key_for(rel), item.checks)
                check_problems.extend(item.checks)
            if item.record is not None:
                built[kind.name][record_id] = item.record
            elif item.data is not None:
                pending[kind.name][rel] = json.loads(item.data)
        else:
            row = rows[rel]
            record_id, entry, file_problems = row.record_id, row.entry, row.problems
            if context is not None and record_id is not None:
                if row.checks is not None and row.checks_key == context.key_for(rel):
                    check_problems.extend(row.checks)
                else:
                    stale_checks.append(rel)
        problems.extend(file_problems)
        if record_id is not None:
            section = sections[kind.name]
            section.index[record_id] = entry
            section.paths[record_id] = rel

    for name, section in sections.items():
        section.records = Records(root, section.kind, section.paths, built[name], pending[name], use_cache)
    if stale_checks:  # the settings, chain or classification changed since these were checked
        ids = {rel: record_id for section in sections.values() for record_id, rel in section.paths.items()}
        for rel in stale_checks:
            kind = kind_of_path(rel)
            found = _check_one(context, kind, sections[kind.name].records[ids[rel]], rel,
                               lambda rel=rel: (root / rel).read_text(encoding="utf-8"))
            store.put_checks(rel, context.key_for(rel), found)
            check_problems.extend(found)
    store.close()
    problems.extend(sorted(check_problems, key=lambda p: (p.path, p.line)))
    register = Register(root, settings, classification, chain, sections, problems)
    if checks:
        from .references import check_references

        problems.extend(check_references(register))
    return register


def record_path(root: Path, record_id: str, kind: Kind = AGREEMENT) -> Path:
    """``<folder>/<ID>.yaml`` under ``root``; the id is checked before it touches a path."""
    check_id(record_id)
    return root / kind.folder / f"{record_id}{RECORD_SUFFIX}"


def load_agreement(root: Path, record_id: str) -> Agreement:
    """Read one agreement without loading the rest of the register."""
    return load_record(root, AGREEMENT, record_id)


def load_record(root: Path, kind: Kind, record_id: str):
    """Read one record of ``kind`` without loading the rest of the register."""
    path = record_path(root, record_id, kind)
    if path.is_symlink() or (root / kind.folder).is_symlink():
        raise InvalidRecord(f"{kind.folder}/{path.name} is a symbolic link; a record must be a plain file in the "
                            "register, so it is not read")
    if not path.is_file():
        listing = "" if kind is AGREEMENT else f" --kind {kind.name}"
        raise RecordNotFound(f"no {kind.title} {record_id!r} in {root}; `isa list{listing}` shows the ids")
    record, problems = parse_record(path, f"{kind.folder}/{path.name}", kind)
    if record is None:
        raise InvalidRecord(f"{record_id} cannot be read; fix the problems below and try again", problems)
    return record


# -- writing --------------------------------------------------------------------


def to_plain(model: BaseModel) -> dict:
    """The record as plain YAML-ready data: only the fields that were set, in model order."""
    return _plain(model.model_dump(mode="python", exclude_unset=True))


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content`` so a reader (or a crash) sees the old or the new file, never half of one.

    The file keeps its permissions (a new one gets the usual ones for the
    user's umask), so colleagues sharing the folder can still read it.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat_module.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@contextlib.contextmanager
def register_lock(root: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the register's write lock (a ``flock`` on a file in the git folder)."""
    gd = vcs.git_dir(root)
    if gd is None:
        raise StoreError(f"{root} is not a git repository; a register must be one (`isa init` makes it so)")
    handle = open(gd / LOCK_FILE, "a+")  # noqa: SIM115 - closed below
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(
                        f"another isa process has held the register lock for {timeout:.0f} s; try again when it has finished"
                    ) from None
                time.sleep(0.01)
        _sweep_temporary_files(root)
        yield
    finally:
        handle.close()  # closing releases the lock


def _sweep_temporary_files(root: Path) -> None:
    """Remove temporary files a killed writer left; safe because we hold the lock."""
    for kind in KINDS:
        folder = root / kind.folder
        if folder.is_dir() and not folder.is_symlink():
            for leftover in folder.glob(".*.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()


_SPACE_RE = re.compile(r"\s+")


def commit_message(record_id: str, change: str, by: str) -> str:
    """``ISA-2026-0003: <what changed> [by NAME]`` on one line."""
    change = _SPACE_RE.sub(" ", change).strip() or "changed"
    by = _SPACE_RE.sub(" ", by).strip()
    return f"{record_id}: {change} [by {by}]" if by else f"{record_id}: {change}"


BOM = "\ufeff"


@dataclass
class _Write:
    """One file about to be written: where, what it held and what it will hold."""

    path: Path
    rel: str
    old_bytes: bytes | None
    new_text: str


def _read_back(kind: Kind, text: str):
    try:
        return kind.model.model_validate(yamlio.parse(text.removeprefix(BOM)))
    except (yamlio.YamlError, ValidationError):
        return None


def _prepare(root: Path, record) -> _Write | None:
    """Check ``record`` and make the text of its file; None when the file already says exactly that."""
    kind = kind_of(record)
    path = record_path(root, record.id, kind)
    rel = f"{kind.folder}/{path.name}"
    if (root / kind.folder).is_symlink():
        raise StoreError(f"{kind.folder} is a symbolic link; records are written only into plain folders of the register")
    if path.is_symlink():
        raise StoreError(f"{rel} is a symbolic link; records are written only as plain files in the register")
    old_bytes = path.read_bytes() if path.exists() else None
    if old_bytes is not None and vcs.has_uncommitted_changes(root, rel):
        raise StoreError(
            f"{rel} has changes that are not committed (edited by hand, or left by an interrupted write); "
            f"commit them (git commit {rel}) or discard them (git checkout -- {rel}), then try again"
        )
    new_data = to_plain(record)
    try:  # the step built the record without validation (model_copy): check it now, field by field
        kind.model.model_validate(new_data)
    except ValidationError as exc:
        raise InvalidRecord(f"{record.id}: the change would make the record invalid; nothing was written",
                            problems_from_validation(exc, rel, None, record.id)) from None
    if old_bytes is not None:
        old_text = old_bytes.decode("utf-8")
        if _read_back(kind, old_text) == record:
            return None  # nothing changed: leave the file (and its comments) alone
        new_text = yamlio.update(old_text.removeprefix(BOM).replace("\r\n", "\n"), new_data)
        # Keep the file's own conventions: a byte-order mark, Windows line endings.
        if "\r\n" in old_text:
            new_text = new_text.replace("\n", "\r\n")
        if old_text.startswith(BOM):
            new_text = BOM + new_text
    else:
        new_text = yamlio.dump(new_data)
    if len(new_text.encode("utf-8")) > yamlio.MAX_BYTES:
        raise InvalidRecord(f"{record.id}: the record would be larger than {yamlio.MAX_BYTES >> 20} MiB, which no "
                            f"{kind.title} needs; shorten the longest texts. Nothing was written")
    # What we are about to write must read back as the record we were given.
    if _read_back(kind, new_text) != record:
        raise StoreError(f"{record.id}: the changed record would not read back as it should, so nothing was written; "
                         "this is a fault in the toolkit: please report it with the record")
    return _Write(path, rel, old_bytes, new_text)


def _restore(writes: list[_Write]) -> None:
    for write in writes:
        if write.old_bytes is None:
            with contextlib.suppress(FileNotFoundError):
                write.path.unlink()
        else:
            write_atomic(write.path, write.old_bytes)


def _write_locked(root: Path, records: list, message: str) -> str | None:
    """Write every record and commit them together, or leave every file as it was. Hold the lock."""
    writes = [w for w in (_prepare(root, record) for record in records) if w is not None]
    if not writes:
        return None
    done: list[_Write] = []
    try:
        for write in writes:
            write_atomic(write.path, write.new_text)
            done.append(write)
        return vcs.commit(root, [w.rel for w in writes], message)
    except BaseException:
        _restore(done)
        with contextlib.suppress(StoreError):
            vcs.unstage(root, [w.rel for w in writes])
        raise


def save_agreement(root: Path, record: Agreement, *, change: str, by: str) -> str | None:
    """Write ``record`` and commit it; return the commit id (None when nothing changed)."""
    return save_records(root, [record], subject=record.id, change=change, by=by)


def save_records(root: Path, records: list, *, subject: str, change: str, by: str) -> str | None:
    """Write several records (of any kinds) in one commit, ``SUBJECT: change [by NAME]``; all or nothing."""
    for record in records:
        check_id(record.id)
    with register_lock(root):
        return _write_locked(root, records, commit_message(subject, change, by))


def modify_agreement(
    root: Path, record_id: str, edit: Callable[[Agreement], tuple[Agreement, str]], *, by: str
) -> tuple[Agreement, str | None]:
    """Read, change and write one agreement under the lock, so no other writer's change is lost."""
    return modify_record(root, AGREEMENT, record_id, edit, by=by)


def modify_record(root: Path, kind: Kind, record_id: str, edit: Callable[[Any], tuple[Any, str]], *,
                  by: str) -> tuple[Any, str | None]:
    """Read, change and write one record under the lock, so no other writer's change is lost.

    ``edit`` gets the current record and returns the new record and a
    description of the change (the commit message); it may raise an
    :class:`~isa_toolkit.errors.IsaError` to refuse, leaving everything as it was.
    """
    check_id(record_id)
    with register_lock(root):
        current = load_record(root, kind, record_id)
        updated, change = edit(current)
        if updated.id != record_id or kind_of(updated) is not kind:
            raise InvalidRecord(f"a change may not alter the id or kind of {record_id}")
        return updated, _write_locked(root, [updated], commit_message(record_id, change, by))


@contextlib.contextmanager
def transaction(root: Path) -> Iterator[Callable[..., str | None]]:
    """Hold the lock for a change that reads several records and writes them together.

    Yields ``write(records, subject=..., change=..., by=...)``; read with
    :func:`load_record` inside the block so what is written rests on what is
    on disk now.
    """
    with register_lock(root):
        def write(records: list, *, subject: str, change: str, by: str) -> str | None:
            for record in records:
                check_id(record.id)
            return _write_locked(root, records, commit_message(subject, change, by))

        yield write


def load_all(root: Path, kind: Kind, *, strict: bool = False) -> list:
    """Every readable record of a (small) kind, read from disk now: for checks made under the lock.

    With ``strict``, a file of that kind that cannot be read is refused rather than skipped, for decisions a
    missing record could make wrong (an open breach that cannot be read may be holding an agreement suspended).
    """
    folder = root / kind.folder
    if not folder.is_dir() or folder.is_symlink():
        return []
    out = []
    for path in sorted(folder.glob(f"*{RECORD_SUFFIX}")):
        rel = f"{kind.folder}/{path.name}"
        if path.is_file() and not path.is_symlink():
            record, problems = parse_record(path, rel, kind)
            if record is not None:
                out.append(record)
                continue
        else:
            problems = [Problem(rel, 0, "", "not a plain file")]
        if strict:
            raise IsaError(f"{rel} cannot be read, so the toolkit cannot tell what it holds: "
                           f"{problems[0] if problems else 'unreadable'}. Fix it first (isa validate lists the problems)")
    return out


def next_id(root: Path, prefix: str, year: int, kind: Kind = AGREEMENT) -> str:
    """The next free id ``PREFIX-YEAR-NNNN`` (call it holding the lock, so two writers never get the same one)."""
    pattern = re.compile(rf"^{re.escape(prefix)}-{year:04d}-(\d+){re.escape(RECORD_SUFFIX)}$")
    highest = 0
    folder = root / kind.folder
    if folder.is_dir():
        with os.scandir(folder) as listing:
            for entry in listing:
                match = pattern.fullmatch(entry.name)
                if match:
                    highest = max(highest, int(match.group(1)))
    return make_id(prefix, year, highest + 1)


def create_agreement(
    root: Path, build: Callable[[str], Agreement], *, prefix: str, year: int, change: str, by: str
) -> Agreement:
    """Allocate the next id, build the record with it and commit it, all under the lock."""
    return create_record(root, AGREEMENT, build, prefix=prefix, year=year, change=change, by=by)


def create_record(root: Path, kind: Kind, build: Callable[[str], Any], *, prefix: str, year: int,
                  change: str | Callable[[Any], str], by: str, also: Callable[[Any], tuple[Any, list]] | None = None) -> Any:
    """Allocate the next id, build the record with it and commit it, all under the lock.

    ``also``, given the new record, returns it (perhaps completed) and other
    records to write in the same commit (a breach suspending the agreements
    it affects); it runs under the lock, so what it reads is current.
    """
    with register_lock(root):
        record = build(next_id(root, prefix, year, kind))
        check_id(record.id)
        if kind_of(record) is not kind:
            raise InvalidRecord(f"{record.id} is not a {kind.title}")
        if record_path(root, record.id, kind).exists():
            raise StoreError(f"{record.id} already exists; nothing was written")
        others: list = []
        if also is not None:
            record, others = also(record)
        message = change(record) if callable(change) else change
        _write_locked(root, [record, *others], commit_message(record.id, message, by))
        return record
