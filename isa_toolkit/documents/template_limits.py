"""Limits on what a document template may build, and located messages for every template error.

A register may hold its own templates (HTML for the PDF, DOCX for Word). They already run sandboxed (they cannot
reach Python or the machine), but a sandbox alone does not stop ``{{ 'x' * 10**9 }}`` filling the memory, nor two
nested loops over large ranges running for hours. :class:`LimitedEnvironment` is the sandbox every document is
rendered in, with these limits added:

- text a template builds (``*``, ``+``, ``~``, ``%``, ``format``, filters such as ``center`` and ``replace``, string
  methods) holds at most :data:`MAX_TEXT` characters, a list or mapping at most :data:`MAX_ITEMS` items, a number
  at most :data:`MAX_INT_BITS` bits; an operation whose result would be larger is refused *before* it runs, from
  the sizes of what it is given, and every result is measured again after;
- a template file holds at most :data:`MAX_SOURCE_BYTES` and :data:`MAX_TAGS` tags, checked before Jinja compiles
  it (compiling is not a step: it is bounded by the size of what is compiled);
- ``range`` gives at most :data:`MAX_RANGE` numbers;
- the document (or any block or macro of it) holds at most :data:`MAX_OUTPUT` characters;
- macros and calls nest at most :data:`MAX_DEPTH` deep;
- a render takes at most :data:`MAX_STEPS` steps and :data:`TIME_LIMIT` seconds.

How the time limit works, and why so: every loop iteration, call, intercepted operator, ``~`` and filter is a
*step*; each step is counted and, at each, the clock is read. The loops are reached by compiling every ``for`` over
``environment.guarded_iter(...)``, so even a loop whose body calls nothing is counted. The step budget is the same
on every machine, so nested loops or a macro that calls itself twice are stopped at the same point wherever they
run; the clock stops what is merely slow. A timer signal (``signal.setitimer``) was not used: it works only in the
main thread and on Unix, it would take over an alarm another part of the program may be using, and its exception
can land anywhere, inside lxml or a ``finally``. Counting steps works in any thread and stops only between steps,
where the template is in a known state; the size limits keep each single step short.

:func:`template_refusal` turns any exception out of a render (a syntax error, an undefined name, a refused
operation, a limit reached, a ``ZeroDivisionError``) into a :class:`~isa_toolkit.errors.TemplateRefused` naming the
template file, the line, what went wrong and what to do.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from functools import update_wrapper
from pathlib import Path

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter

from ..errors import IsaError, TemplateRefused

MAX_TEXT = 1 << 20  # characters in one text a template builds (1 MiB)
MAX_ITEMS = 100_000  # items in one list, tuple, mapping or set a template builds
MAX_INT_BITS = 256  # a number of about 77 digits; a document counts things and dates
MAX_RANGE = 10_000  # numbers range() gives (Jinja's sandbox allows 100,000): a document lists tens of things
MAX_OUTPUT = 4 << 20  # characters in the whole document, or a block or macro of it (about a thousand pages)
MAX_DEPTH = 50  # calls inside calls (a macro calling a macro ...)
MAX_SOURCE_BYTES = 2 << 20  # one HTML template file; the shipped ones are under 12 KB (images are files of their own)
MAX_TAGS = 5_000  # tags ({{ }}, {% %}, {# #}) in one HTML template, or in a whole DOCX template: compiling grows faster
# than their number (40,000 took 3 to 7 s and up to 400 MB); the shipped agreement has under 300
MAX_STEPS = 100_000  # loop turns, calls and operations in one render; a shipped document takes under 1,000
TIME_LIMIT = 10.0  # seconds for one render; a shipped document takes well under one

_TODO = ("a document template lays out the record: change that part of the template (the limits on a register's "
         "own templates are in docs/documents.md)")
_EARLIER = ("a template made for an earlier version of the toolkit may lack what documents now hold: compare it "
            "with the shipped one (isa templates check lists what it asks for that documents do not provide)")


class TemplateLimit(SecurityError):
    """A template tried to build more, or run longer, than a document may; the message says what it tried."""


_TAG_MARK = re.compile(r"\{[{%#]")


def check_source(path: Path, source: str) -> None:
    """Refuse a template file with more than :data:`MAX_TAGS` tags, before Jinja compiles it."""
    tags = sum(1 for _ in _TAG_MARK.finditer(source))
    if tags > MAX_TAGS:
        raise TemplateRefused(f"{path} has {tags:,} tags ({{{{ }}}}, {{% %}}, {{# #}}), more than the {MAX_TAGS:,} a "
                              "template may have (the shipped agreement has under 300); a page layout needs far "
                              "fewer: split it into files, or loop over what repeats")


def check_source_size(path: Path) -> None:
    """Refuse a template file over :data:`MAX_SOURCE_BYTES`, before it is read."""
    size = path.stat().st_size
    if size > MAX_SOURCE_BYTES:
        raise TemplateRefused(f"{path} is {size:,} bytes, more than the {MAX_SOURCE_BYTES:,} a template may be; a page "
                              "layout is far smaller: put images in files of their own beside it")


# -- sizes ---------------------------------------------------------------------------------------

_CONTAINERS = (list, tuple, dict, set, frozenset)


def size_of(value, limit: int) -> int:
    """The characters and items ``value`` holds, counted through nested lists and mappings (a list holding one text
    a thousand times counts it a thousand times, as printing it would); the count stops once over ``limit``."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, _CONTAINERS):
            total += len(item)
            stack.extend(item)
        else:
            total += 1
        if total > limit:
            return total
    return total


def _show(value) -> str:
    """A short description of an operand, for a message: ``'xxxx…' (1,048,576 characters)``, ``10``."""
    if isinstance(value, str):
        text = repr(value[:12] + ("…" if len(value) > 12 else ""))
        return text if len(value) <= 12 else f"{text} ({len(value):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if value.bit_length() <= 64 else f"a number of {value.bit_length():,} bits"
    if isinstance(value, _CONTAINERS):
        return f"a {type(value).__name__} of {len(value):,} items"
    return type(value).__name__


def _too_long(what: str, length: int) -> TemplateLimit:
    return TemplateLimit(f"{what} would make a text of {length:,} characters or more, more than the {MAX_TEXT:,} "
                         "a template may build")


def _too_many(what: str, count: int) -> TemplateLimit:
    return TemplateLimit(f"{what} would make {count:,} items or more, more than the {MAX_ITEMS:,} a template may build")


def check_result(value, what: str):
    """``value``, or a refusal when it is over a size limit (a text, a collection, a number)."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise _too_long(what, len(value))
    elif isinstance(value, _CONTAINERS):
        if len(value) > MAX_ITEMS:
            raise _too_many(what, len(value))
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise TemplateLimit(f"{what} would make a number of {value.bit_length():,} bits, more than the "
                            f"{MAX_INT_BITS:,} a template may build")
    return value


def check_printable(value, what: str) -> None:
    """Refuse turning ``value`` into text when the text would be over :data:`MAX_TEXT` (a list of long texts)."""
    if not isinstance(value, str) and size_of(value, MAX_TEXT) > MAX_TEXT:
        raise _too_long(what, MAX_TEXT + 1)


def _width(value, what: str) -> None:
    """A width or count given to a filter or method: at most :data:`MAX_TEXT`."""
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_TEXT:
        raise _too_long(f"{what} with a width of {value:,}", value)


def _length(value) -> int:
    return len(value) if isinstance(value, str) else size_of(value, MAX_TEXT)


# -- what operators, filters and methods would build, worked out before they run ---------------------------

def _check_binop(operator: str, left, right) -> None:
    what = f"{_show(left)} {operator} {_show(right)}"
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(times, int) and times > 0 and isinstance(sequence, (str, bytes, list, tuple)):
                if isinstance(sequence, (str, bytes)) and len(sequence) * times > MAX_TEXT:
                    raise _too_long(what, len(sequence) * times)
                if isinstance(sequence, (list, tuple)):
                    if len(sequence) * times > MAX_ITEMS:
                        raise _too_many(what, len(sequence) * times)
                    if size_of(sequence, MAX_TEXT) * times > MAX_TEXT:
                        raise _too_long(what, size_of(sequence, MAX_TEXT) * times)
        if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimit(f"{what} would make a number of more than {MAX_INT_BITS:,} bits")
    elif operator == "**":
        if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1 \
                and (abs(left).bit_length() - 1) * right > MAX_INT_BITS:
            raise TemplateLimit(f"{what} would make a number of more than {MAX_INT_BITS:,} bits")
    elif operator == "+":
        if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            if isinstance(left, str) and len(left) + len(right) > MAX_TEXT:
                raise _too_long(what, len(left) + len(right))
            if not isinstance(left, str) and len(left) + len(right) > MAX_ITEMS:
                raise _too_many(what, len(left) + len(right))
    elif operator == "%" and isinstance(left, str):
        check_percent_format(left, right, what)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]?")


def check_percent_format(template: str, args, what: str) -> None:
    """``template % args`` (and the ``format`` filter): refuse a width or precision over :data:`MAX_TEXT`, one given
    by ``*``, and arguments whose text would be too long."""
    for match in _PERCENT.finditer(template):
        for number in match.groups():
            if number == "*":
                raise TemplateLimit(f"{what} gives a width or precision with *, which a template may not; write the "
                                    "number in the format instead")
            if number is not None:
                _width(int(number), what)
    check_printable(args, what)


def _check_spec(spec: str, what: str) -> None:
    """A ``str.format`` field's spec (``>20``, ``.3f``): every number in it at most :data:`MAX_TEXT`."""
    for number in re.findall(r"\d+", spec):
        _width(int(number), what)


class _LimitedFormatter(SandboxedFormatter):
    """``'{:>20}'.format(...)`` in a template: each field's width checked before it is padded, each value's text
    measured before it is made."""

    def format_field(self, value, format_spec: str):
        _check_spec(format_spec, f"the format {{:{format_spec}}}")
        check_printable(value, "a value given to format")
        return super().format_field(value, format_spec)


class _LimitedEscapeFormatter(_LimitedFormatter, SandboxedEscapeFormatter):
    pass


def _estimate_replace(text, old, new, count=-1) -> int:
    """The length of ``text.replace(old, new, count)`` (a text or bytes), without making it."""
    found = (len(text) + 1 if not old else text.count(old)) if count is None or count < 0 else count
    return len(text) + found * max(len(new) - len(old), 0)  # wrong types: TypeError, as the method itself would


# What a filter would build, from its arguments (the value first); each returns an estimate of the length of text.
def _center(value, width=80, *args, **kwargs):
    return max(_length(value), width if _is_int(width) else 0)


def _indent(value, width=4, *args, **kwargs):
    text = value if isinstance(value, str) else ""
    step = width if _is_int(width) else len(width) if isinstance(width, str) else 0
    return _length(value) + (text.count("\n") + 1) * step


def _wordwrap(value, width=79, break_long_words=True, wrapstring=None, *args, **kwargs):
    text = _length(value)
    lines = text // max(width, 1) + 1 if _is_int(width) else 1
    return text + lines * len(wrapstring if isinstance(wrapstring, str) else "\n")


def _truncate(value, length=255, killwords=False, end="...", *args, **kwargs):
    return _length(value) + (len(end) if isinstance(end, str) else 0)


def _replace(value, old="", new="", count=None, *args, **kwargs):
    if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
        return _estimate_replace(value, old, new, count)
    return _length(value)


def _join(value, d="", *args, **kwargs):
    if isinstance(value, str):
        return len(value) * (1 + len(str(d)))
    items = size_of(value, MAX_TEXT)
    count = len(value) if isinstance(value, _CONTAINERS) else 0
    return items + count * len(str(d))


def _format(value, *args, **kwargs):
    if isinstance(value, str):
        check_percent_format(value, kwargs or args, "the format filter")
    return 0


_FILTER_ESTIMATES = {"center": _center, "indent": _indent, "wordwrap": _wordwrap, "truncate": _truncate,
                     "replace": _replace, "join": _join, "format": _format}
_FILTER_COUNTS = {"batch": 1, "slice": 1}  # filters whose argument is a number of items to make: its position
# Filters that turn their value into text: a value that is not text is measured first.
_PRINTING = {"capitalize", "center", "e", "escape", "forceescape", "format", "indent", "lower", "pprint", "replace",
             "safe", "string", "striptags", "sum", "title", "tojson", "trim", "truncate", "upper", "urlencode",
             "urlize", "wordcount", "wordwrap", "xmlattr"}

# Methods of a text (or of bytes, from encode): what they would build, from the text and the arguments; an estimate
# that raises TypeError means wrong arguments, which the method itself then reports.
_METHOD_ESTIMATES = {
    "center": lambda s, width=0, *a: max(len(s), width if _is_int(width) else 0),
    "ljust": lambda s, width=0, *a: max(len(s), width if _is_int(width) else 0),
    "rjust": lambda s, width=0, *a: max(len(s), width if _is_int(width) else 0),
    "zfill": lambda s, width=0, *a: max(len(s), width if _is_int(width) else 0),
    "expandtabs": lambda s, tabsize=8, *a: len(s) + s.count("\t" if isinstance(s, str) else b"\t")
    * (tabsize if _is_int(tabsize) else 8),
    "replace": lambda s, old="", new="", count=-1, *a: _estimate_replace(s, old, new, count),
    "join": lambda s, items=(), *a: size_of(items, MAX_TEXT) + len(s) * (len(items) if hasattr(items, "__len__") else 0),
    "translate": lambda s, table=None, *a: len(s) * max([len(v) for v in table.values() if isinstance(v, str)] or [1])
    if isinstance(table, dict) else len(s),
}


# -- the environment ------------------------------------------------------------------------------------

class _LimitedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every ``for`` loop counted and every ``~`` measured.

    ``{% for x in items %}`` is compiled as ``{% for x in environment.guarded_iter(items) %}``, which counts each
    iteration as a step; ``a ~ b`` has its parts measured before they are joined. What the template prints is
    unchanged.
    """

    def visit_For(self, node: nodes.For, frame) -> None:
        if not (isinstance(node.iter, nodes.Call) and isinstance(node.iter.node, nodes.EnvironmentAttribute)
                and node.iter.node.name == "guarded_iter"):
            node.iter = nodes.Call(nodes.EnvironmentAttribute("guarded_iter", lineno=node.iter.lineno), [node.iter],
                                   [], None, None, lineno=node.iter.lineno)
        super().visit_For(node, frame)

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        # As Jinja's own, with the parts passed through environment.checked_parts before the join.
        if frame.eval_ctx.volatile:
            func_name = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            func_name = "markup_join"
        else:
            func_name = "str_join"
        self.write(f"{func_name}(environment.checked_parts((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(")))")


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox documents are rendered in, with limits on size, steps and time (see the module).

    Make one for each document: its step count and clock start when it is made.
    """

    code_generator_class = _LimitedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.globals["range"] = self._range
        self.globals["lipsum"] = self._lipsum(self.globals["lipsum"])
        self.filters = {name: self._limited_filter(name, function) for name, function in self.filters.items()}
        self.finalize = self._finalize
        self.steps = 0
        self.depth = 0
        self.started = time.monotonic()
        self.last_source: str | None = None  # the source last compiled from a string (docxtpl's parts)

    # Counting.
    def step(self) -> None:
        """Count one step; refuse once the render has taken :data:`MAX_STEPS` steps or :data:`TIME_LIMIT` seconds."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise TemplateLimit(f"the template did not finish within {MAX_STEPS:,} steps (loop turns, calls and "
                                "operations), far more than a document takes (a loop over a very large range, loops "
                                "inside loops, or a macro that calls itself)")
        if time.monotonic() - self.started > TIME_LIMIT:
            raise TemplateLimit(f"the template did not finish within {TIME_LIMIT:g} seconds, far longer than a "
                                "document takes (loops inside loops, or a macro that calls itself)")

    def guarded_iter(self, iterable: Iterable):
        """The items of a ``for`` loop, each counted as a step."""
        for item in iterable:
            self.step()
            yield item

    # Operators, calls, joins, output.
    def call_binop(self, context, operator: str, left, right):
        self.step()
        _check_binop(operator, left, right)
        return check_result(super().call_binop(context, operator, left, right),
                            f"{_show(left)} {operator} {_show(right)}")

    def checked_parts(self, parts: tuple) -> tuple:
        """The parts of ``a ~ b ~ ...``, refused when joined they would be over :data:`MAX_TEXT`."""
        self.step()
        total = 0
        for part in parts:
            total += len(part) if isinstance(part, str) else size_of(part, MAX_TEXT)
            if total > MAX_TEXT:
                raise _too_long("joining texts with ~", total)
        return parts

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        __self.step()
        owner = getattr(__obj, "__self__", None)
        name = getattr(__obj, "__name__", "")
        if isinstance(owner, (str, bytes)) and name in _METHOD_ESTIMATES:
            try:
                estimate = _METHOD_ESTIMATES[name](owner, *args, **kwargs)
            except TypeError:
                estimate = 0  # wrong arguments: the method itself says so
            if estimate > MAX_TEXT:
                raise _too_long(f"the text method {name}", estimate)
        elif _is_int(owner) and name == "to_bytes" and args:
            _width(args[0], "to_bytes")
        if __self.depth >= MAX_DEPTH:
            raise TemplateLimit(f"calls went more than {MAX_DEPTH} deep (a macro calling a macro ...), far deeper "
                                "than a document needs (a macro that calls itself without end)")
        __self.depth += 1
        try:
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            __self.depth -= 1
        if isinstance(owner, (list, dict, set)):  # append, extend, update ... grow their object
            check_result(owner, f"{name} on {_show(owner)}")
        if isinstance(__obj, Macro):
            return result  # a macro's text is measured as it is joined (concat)
        return check_result(result, f"calling {name or getattr(__obj, 'name', None) or _show(__obj)}")

    def wrap_str_format(self, value):
        """``'...'.format(...)`` and ``format_map``, as the sandbox has them, with each field's width and value
        measured first."""
        if super().wrap_str_format(value) is None:
            return None
        from markupsafe import Markup

        template = value.__self__
        is_map = value.__name__ == "format_map"
        formatter = (_LimitedEscapeFormatter(self, escape=template.escape) if isinstance(template, Markup)
                     else _LimitedFormatter(self))

        def wrapper(*args, **kwargs):
            self.step()
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                args, kwargs = (), args[0]
            return check_result(type(template)(formatter.vformat(template, args, kwargs)), "format")

        return update_wrapper(wrapper, value)

    def concat(self, pieces) -> str:
        """The document's text (or a block's, or a macro's), refused past :data:`MAX_OUTPUT` characters; the
        pieces are counted as they come, so a document is never held whole before the refusal."""
        out = []
        total = 0
        for piece in pieces:
            total += len(piece)
            if total > MAX_OUTPUT:
                exc = TemplateLimit(f"the document would be more than {MAX_OUTPUT:,} characters long (about a thousand "
                                    "pages), far more than a document holds (a loop printing far too much)")
                exc.location = _suspended_at(pieces)
                raise exc
            out.append(piece)
        return "".join(out)

    def _finalize(self, value):
        """Each ``{{ value }}`` printed: a value that is not text is measured before it is turned into text."""
        check_printable(value, "printing this value")
        return value

    def from_string(self, source, *args, **kwargs):
        """As Jinja's, keeping the source, so an error in a DOCX part can be shown with the text around it."""
        self.last_source = source if isinstance(source, str) else None
        return super().from_string(source, *args, **kwargs)

    # Globals and filters.
    @staticmethod
    def _range(*args) -> range:
        numbers = range(*args)
        if len(numbers) > MAX_RANGE:
            raise TemplateLimit(f"range{args} would give {len(numbers):,} numbers, more than the {MAX_RANGE:,} a "
                                "template may use")
        return numbers

    @staticmethod
    def _lipsum(lipsum):
        def limited(n=5, html=True, min=20, max=100):  # noqa: A002 - Jinja's own argument names
            _width(n * max * 12 if _is_int(n) and _is_int(max) else 0, "lipsum")
            return lipsum(n, html, min, max)

        return update_wrapper(limited, lipsum)

    def _limited_filter(self, name: str, function):
        """``function`` (the filter ``name``), counted as a step and refused when what it would build is over a
        limit: worked out from its arguments first (``center(10**9)``), then measured on the result."""
        at = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0  # after a context, if passed
        estimate = _FILTER_ESTIMATES.get(name)
        count_at = _FILTER_COUNTS.get(name)

        def limited(*args, **kwargs):
            self.step()
            value = args[at] if len(args) > at else None
            if name == "join" and isinstance(value, Iterator):  # map, select ...: made a list, to be measured
                value = list(self.guarded_items(value, "joining"))
                args = (*args[:at], value, *args[at + 1:])
            if name in _PRINTING:
                check_printable(value, f"the filter {name}")
            if estimate is not None:
                try:
                    length = estimate(*args[at:], **kwargs)
                except TypeError:
                    length = 0  # wrong arguments: the filter itself says so
                if length > MAX_TEXT:
                    raise _too_long(f"the filter {name}", length)
            if count_at is not None and len(args) > at + count_at and _is_int(args[at + count_at]) \
                    and args[at + count_at] > MAX_ITEMS:
                raise _too_many(f"the filter {name}", args[at + count_at])
            result = check_result(function(*args, **kwargs), f"the filter {name}")
            if isinstance(result, Iterator) and not isinstance(result, (str, *_CONTAINERS)):
                return self.guarded_items(result, f"the filter {name}")  # map, select, batch ... give generators
            return result

        return update_wrapper(limited, function)

    def guarded_items(self, items: Iterator, what: str):
        """The items of a generator a filter returned, each counted as a step and measured: together at most
        :data:`MAX_ITEMS` items and :data:`MAX_TEXT` in size, so ``|list`` or ``|join`` of them stays bounded."""
        count = size = 0
        for item in items:
            self.step()
            count += 1
            size += size_of(item, MAX_TEXT)
            if count > MAX_ITEMS:
                raise _too_many(what, count)
            if size > MAX_TEXT:
                raise _too_long(what, size)
            yield item


# -- located messages ---------------------------------------------------------------------------------------

def _suspended_at(pieces) -> tuple[str | None, int | None]:
    """Where the template's output generator stopped (the innermost template it is in, and the line): the place
    that printed the piece which went over the limit."""
    found: tuple[str | None, int | None] = (None, None)
    generator = pieces
    while generator is not None and getattr(generator, "gi_frame", None) is not None:
        frame = generator.gi_frame
        template = frame.f_globals.get("__jinja_template__")
        if template is not None:
            found = (template.filename or template.name, template.get_corresponding_lineno(frame.f_lineno))
        generator = getattr(generator, "gi_yieldfrom", None)
    return found


def error_location(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an exception out of a render comes from: a syntax error's own, where the output
    went over its limit, else the innermost template frame of its traceback (Jinja rewrites those to point at the
    template's lines)."""
    if isinstance(exc, TemplateSyntaxError) and exc.lineno:
        return exc.filename or exc.name, exc.lineno
    if getattr(exc, "location", (None, None)) != (None, None):
        return exc.location
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        frame_globals = tb.tb_frame.f_globals
        template = frame_globals.get("__jinja_template__")
        if template is not None:
            found = (template.filename or template.name, template.get_corresponding_lineno(tb.tb_lineno))
        elif "__jinja_exception__" in frame_globals:  # a frame Jinja rewrote to the template's line
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def describe(exc: BaseException) -> tuple[str, str]:
    """What went wrong, in words, and what to do."""
    if isinstance(exc, TemplateLimit):
        return exc.message or str(exc), _TODO
    if isinstance(exc, TemplateSyntaxError):
        return f"it is not a valid template: {exc.message}", "correct it (isa templates check lists such problems)"
    if isinstance(exc, UndefinedError):
        return exc.message or str(exc), _EARLIER
    if isinstance(exc, SecurityError):
        return (f"{exc.message or exc}: templates run sandboxed", "they lay out what the record says and cannot "
                "reach Python or the machine; remove that part of the template")
    if isinstance(exc, RecursionError):
        return ("macros or loops call themselves too deeply", _TODO)
    if isinstance(exc, MemoryError):
        return ("it ran out of memory", _TODO)
    from jinja2 import TemplateError

    if isinstance(exc, TemplateError):
        return exc.message or str(exc), _EARLIER
    return f"{type(exc).__name__}: {exc}", "check what that part of the template computes"


def template_refusal(exc: BaseException, template: str, *, where: str | None = None) -> TemplateRefused:
    """A located refusal for ``exc`` raised while rendering ``template`` (its name or path). ``where`` places it
    when the caller knows better than the traceback (a DOCX's part and paragraph)."""
    if isinstance(exc, IsaError) and not isinstance(exc, TemplateRefused):
        return TemplateRefused(str(exc))
    what, todo = describe(exc)
    if where is None:
        filename, line = error_location(exc)
        if filename and not filename.startswith("<"):  # a file (not docxtpl's "<template>" strings)
            if Path(filename).name == Path(template).name:
                template, where = filename, f"line {line}" if line else None
            else:
                where = f"line {line} of {filename}, which it uses" if line else f"in {filename}, which it uses"
        elif line:
            where = f"line {line}"
    located = f" ({where})" if where else ""
    return TemplateRefused(f"the template {template}{located} cannot be used: {what}; {todo}")
