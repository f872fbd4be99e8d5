"""The loaded register: finding it, loading every record with every problem, reading one record.

``load_register`` is where every command starts. It reads ``register.yaml``,
``classification.yaml`` and each record, and returns them with every problem
found: one broken file never stops the others from loading. Checks that need
the whole register then run in a fixed order (:mod:`isa_toolkit.register.checks`).

Writing is :mod:`isa_toolkit.register.store`; reading one file into a record
with located problems is :mod:`isa_toolkit.register.read`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import IsaError, RecordNotFound, RegisterNotFound, did_you_mean
from ..model import Agreement, Classification, Settings, SignoffChain
from ..resources import workflow_file
from . import cache, collector
from .cache import RecordCache
from .checks import CheckContext, check_record
from .definitions import CHECKLISTS, load_checklist, names
from .ids import check_id
from .kinds import AGREEMENT, KINDS, RECORD_SUFFIX, Kind, kind_of_path
from .locate import CLASSIFICATION_FILE, REGISTER_FILE, find_register  # noqa: F401 - used from here too
from .problem import Problem, Severity
from .read import (  # noqa: F401 - the one-file readers are used from here too
    _load_model_file,
    load_agreement,
    load_classification,
    load_record,
    parse_record,
    problems_from_validation,
    read_yaml,
)
from .references import check_case_record, check_references

AGREEMENTS = AGREEMENT.folder
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
            records_cache = RecordCache.open(self._root)
            self._data.update(records_cache.data(wanted))
            records_cache.close()
        with collector.paused():
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
    index: dict[str, dict] = field(default_factory=dict)  # record id -> index entry (see isa_toolkit.register.index)
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
            raise RecordNotFound(f"no {kind.title} {record_id!r} in {self.root}."
                                 f"{did_you_mean(record_id, self.sections[kind.name].index)} "
                                 f"`isa list{'' if kind is AGREEMENT else ' --kind ' + kind.name}` shows the ids") from None

    def find(self, record_id: str) -> tuple[Kind, Any]:
        """The record with this id, whatever its kind."""
        check_id(record_id)
        for section in self.sections.values():
            if record_id in section.records:
                return section.kind, section.records[record_id]
        known = [i for section in self.sections.values() for i in section.index]
        raise RecordNotFound(f"no record {record_id!r} in {self.root}.{did_you_mean(record_id, known)} "
                             "`isa list --kind KIND` shows the ids")


# -- finding the register -------------------------------------------------------


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
    """The record checks of one record: an agreement's (:mod:`.checks`), or a case record's criteria."""
    if kind is AGREEMENT:
        return check_record(context, record, rel, text)
    return check_case_record(context, record, rel, text)


def _case_checklists(root: Path) -> dict:
    """Every checklist definition that reads, by name: what case records' criteria are checked against."""
    found = {}
    for name in sorted(names(CHECKLISTS, root)):
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


@collector.paused()
def _parse_batch(root: str, rels: list[str], context: CheckContext | None) -> list[Parsed]:
    """Worker: parse, validate and check files; return what pickles cheaply (no records)."""
    out = []
    for rel in rels:
        parsed = _parse_one(Path(root), rel, context)
        parsed.record = None
        out.append(parsed)
    return out


def _parse_all(root: Path, rels: list[str], context: CheckContext | None) -> list[Parsed]:
    """Each file parsed and checked: in one worker process per core once there are enough of them (forked on
    Linux, spawned elsewhere: :mod:`.workers`)."""
    count = min(os.cpu_count() or 1, 8)
    if len(rels) < PARALLEL_THRESHOLD or count < 2:
        return [_parse_one(root, rel, context) for rel in rels]
    from concurrent.futures import ProcessPoolExecutor

    from . import workers

    chunk = max(1, len(rels) // (count * 4))
    batches = [rels[i : i + chunk] for i in range(0, len(rels), chunk)]
    out: list[Parsed] = []
    with ProcessPoolExecutor(max_workers=count, mp_context=workers.context()) as pool:
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
                if name.endswith(RECORD_SUFFIX):
                    problems.append(Problem(rel, 0, "", kind))
                else:
                    problems.append(Problem(rel, 0, "", kind, Severity.WARNING, code="REG-02"))
            elif not entry.is_file():
                problems.append(Problem(rel, 0, "", "is not a regular file; remove it"))
            elif name.endswith(RECORD_SUFFIX):
                found[rel] = entry.stat()
            else:
                problems.append(Problem(rel, 0, "", f"ignored: records are read only from files ending in {RECORD_SUFFIX}",
                                        severity=Severity.WARNING, code="REG-03"))


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


@collector.paused()
def load_register(path: str | os.PathLike, *, use_cache: bool = True, checks: bool = True) -> Register:
    """Load the register at ``path``: settings, classification, records and every problem.

    Unchanged records come from the cache (keyed by each file's size and
    timestamps), so a warm load parses no YAML; a cold load of a large
    register spreads parsing over the machine's cores. With ``checks`` the
    record checks run too (:mod:`isa_toolkit.register.checks`), their results cached
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
                                "classifications and dissemination methods (copy one from `isa init`)", Severity.WARNING,
                                code="REG-01"))
    chain, more = load_chain(root, settings)
    problems += more
    files, more = _scan(root)
    problems += more
    context = CheckContext(
        languages=tuple(settings.languages) if settings else None,
        chain=chain,
        checklists=_case_checklists(root) if any(not rel.startswith(f"{AGREEMENTS}/") for rel in files) else None,
    ) if checks else None
    records_cache = cache.RecordCache.open(root) if use_cache else cache.RecordCache.disabled()
    rows = records_cache.rows()
    fresh = [rel for rel, stat in files.items() if rel not in rows or rows[rel].stat != cache.stat_key(stat)]
    parsed = {p.rel: p for p in _parse_all(root, fresh, context)}
    records_cache.forget([rel for rel in rows if rel not in files])

    sections = {kind.name: Section(kind, None) for kind in KINDS}  # records set below
    built: dict[str, dict[str, Any]] = {kind.name: {} for kind in KINDS}
    pending: dict[str, dict[str, dict]] = {kind.name: {} for kind in KINDS}
    check_problems: list[Problem] = []
    stale_checks: list[str] = []
    for rel in files:
        kind = kind_of_path(rel)
        if rel in parsed:
            item = parsed[rel]
            records_cache.put(rel, files[rel], item.record_id, item.entry, item.problems, item.data)
            record_id, entry, file_problems = item.record_id, item.entry, item.problems
            if item.checks is not None:
                records_cache.put_checks(rel, context.key_for(rel), item.checks)
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
            records_cache.put_checks(rel, context.key_for(rel), found)
            check_problems.extend(found)
    records_cache.close()
    problems.extend(sorted(check_problems, key=lambda p: (p.path, p.line)))
    register = Register(root, settings, classification, chain, sections, problems)
    if checks:
        problems.extend(check_references(register))
    return register


# -- reading now, under the lock ------------------------------------------------


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
