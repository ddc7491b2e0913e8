"""The walk: parse shell text with tree-sitter-bash and visit it once, in source order.

Each simple command is recorded with the cwd and conditions it runs under, while the flow state
is threaded through lists, pipelines, subshells, conditionals and loops.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import field, replace
from typing import TYPE_CHECKING, Final

from dockerfix.model.shell._argv import _operands, _read_names, _set_options, _shell_mode, _unwrap
from dockerfix.model.shell._flow import (
    _UNREACHED,
    _both,
    _chdir,
    _Ctx,
    _cwd_of,
    _join,
    _merge,
    _Out,
    _State,
)
from dockerfix.model.shell._heredocs import _HereDoc, _HeredocMasker
from dockerfix.model.shell._script import Command, Redirect, Script, Word
from dockerfix.model.shell._words import (
    _NAME,
    _ansi_c,
    _has_glob,
    _unescape_double,
    _unescape_heredoc,
    _WordAcc,
)
from dockerfix.records import dataclass

if TYPE_CHECKING:
    from tree_sitter import Node, Parser


@functools.cache
def _parser() -> Parser:
    import tree_sitter

    return tree_sitter.Parser(tree_sitter.Language(bash_grammar()))


def bash_grammar() -> object:
    """tree-sitter-bash's compiled grammar.

    The package's `__init__` imports `importlib.resources` (tempfile, shutil and three
    compressors: about 10 ms of every start) for highlight queries dockerfix never reads. Its
    compiled module is loaded by itself when it is where the package keeps it; otherwise the
    package is imported as usual."""
    import importlib.machinery
    import importlib.util

    package = importlib.util.find_spec("tree_sitter_bash")
    where = package.submodule_search_locations if package is not None else None
    spec = (
        importlib.machinery.PathFinder.find_spec("tree_sitter_bash._binding", where)
        if where
        else None
    )
    if spec is None or not isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
        import tree_sitter_bash

        return tree_sitter_bash.language()
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    language: object = module.language()
    return language


@dataclass
class _Results:
    """What the walk has found so far, shared by the walkers of nested scripts."""

    commands: list[Command] = field(default_factory=list)
    reads: dict[str, None] = field(default_factory=dict)
    sets: set[str] = field(default_factory=set)
    exported: set[str] = field(default_factory=set)
    options: set[str] = field(default_factory=set)
    opaque: list[str] = field(default_factory=list)
    functions: dict[str, tuple[_Walker, Node]] = field(default_factory=dict)
    calling: set[str] = field(default_factory=set)
    allexport: bool = False

    def note(self, reason: str) -> None:
        if reason not in self.opaque:
            self.opaque.append(reason)

    def assign(self, name: str) -> None:
        self.sets.add(name)
        if self.allexport:
            self.exported.add(name)

    def script(self) -> Script:
        return Script(
            commands=tuple(self.commands),
            variables_read=frozenset(self.reads),
            variables_set=frozenset(self.sets),
            exported=frozenset(self.exported),
            set_options=frozenset(self.options),
            opaque=tuple(self.opaque),
        )


_MAX_DEPTH: Final = 8
_SHELLS: Final = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
_EXPANSIONS: Final = frozenset(
    {"simple_expansion", "expansion", "command_substitution", "process_substitution",
     "arithmetic_expansion"}
)  # fmt: skip
_SUBSTITUTIONS: Final = frozenset({"command_substitution", "process_substitution"})
_REDIRECTS: Final = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_TEST_EXPRESSIONS: Final = frozenset(
    {"binary_expression", "unary_expression", "parenthesized_expression", "ternary_expression",
     "postfix_expression"}
)  # fmt: skip
_TAKES_TRAILING: Final = frozenset(
    {"command", "list", "pipeline", "negated_command", "declaration_command", "unset_command",
     "test_command"}
)  # fmt: skip


@dataclass
class _Parts:
    """The pieces of one simple command, in the order the walk met them."""

    words: list[Word] = field(default_factory=list)
    assignments: list[tuple[str, Word]] = field(default_factory=list)
    redirects: list[tuple[Redirect, _HereDoc | None]] = field(default_factory=list)
    fed: _HereDoc | None = None  # the heredoc a shell reads as its script, not as data


_Redir = tuple[Redirect, "_HereDoc | None"]


class _Walker:
    """Walks one parsed text; nested scripts (`sh -c`, `eval`) get walkers of their own."""

    def __init__(
        self,
        results: _Results,
        source: bytes,
        heredocs: dict[int, _HereDoc],
        *,
        prefix: str,
        depth: int,
    ) -> None:
        self.r = results
        self.src = source
        self.heredocs = heredocs
        self.prefix = prefix  # put before reasons found in this text
        self.depth = depth
        self.root: Node | None = None

    @classmethod
    def for_text(cls, text: str, results: _Results, *, prefix: str, depth: int) -> _Walker:
        masked = _HeredocMasker(text.encode("utf-8")).run()
        walker = cls(results, text.encode("utf-8"), masked.heredocs, prefix=prefix, depth=depth)
        for problem in masked.problems:
            results.note(prefix + problem)
        walker.root = _parser().parse(masked.text).root_node
        walker.report_errors(walker.root)
        return walker

    def run(self, ctx: _Ctx, state: _State) -> _Out:
        assert self.root is not None
        return self.statements(self.root.children, ctx, state)

    def report_errors(self, root: Node) -> None:
        if not root.has_error:
            return
        stack = [root]
        while stack:
            node = stack.pop()
            if node.is_error or node.is_missing:
                row, col = _error_point(node)
                self.r.note(f"{self.prefix}parse error at line {row + 1} col {col + 1}")
            elif node.has_error:
                stack.extend(reversed(node.children))

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8", "replace")

    @contextmanager
    def dry_run(self) -> Iterator[None]:
        """Walk without keeping commands or reasons: used to find a loop body's end state."""
        commands, opaque = len(self.r.commands), len(self.r.opaque)
        try:
            yield
        finally:
            del self.r.commands[commands:]
            del self.r.opaque[opaque:]

    # ---- statements ------------------------------------------------------------------------

    def statements(self, nodes: Sequence[Node], ctx: _Ctx, state: _State) -> _Out:
        """A sequence: each statement starts where the previous one left off, pass or fail."""
        last = _Out(state, _UNREACHED)
        cut_short = exits = False
        left: _State = _UNREACHED
        for index, node in enumerate(nodes):
            if not node.is_named or node.type not in _STATEMENTS:
                continue
            here = ctx.cond() if cut_short or state is _UNREACHED else ctx
            if index + 1 < len(nodes) and nodes[index + 1].type == "&":
                self.statement(node, here.subshell(), state)  # runs in the background
                last = _both(state)
            else:
                last = self.statement(node, here, state)
            state = last.either()
            exits, left = exits or last.exits, _join(left, last.left)
            cut_short = cut_short or last.exits or last.leaves
        return _Out(last.ok, last.fail, exits, left)

    def statement(
        self, node: Node, ctx: _Ctx, state: _State, trailing: tuple[_Redir, ...] = ()
    ) -> _Out:
        kind = node.type
        if trailing and kind not in _TAKES_TRAILING:
            ctx = self.compound_redirects(trailing, ctx, state)
            trailing = ()
        if kind in _WITH_TRAILING:
            return _WITH_TRAILING[kind](self, node, ctx, state, trailing)
        handler = _HANDLERS.get(kind)
        if handler is not None:
            return handler(self, node, ctx, state)
        return self.statements(node.children, ctx, state)  # ERROR, `{ … }` and the like

    def compound_redirects(self, redirs: Sequence[_Redir], ctx: _Ctx, state: _State) -> _Ctx:
        for redirect, doc in redirs:
            self.heredoc_data(redirect, doc, ctx, state)
        return ctx.with_redirects([redirect for redirect, _ in redirs])

    def list_(self, node: Node, ctx: _Ctx, state: _State, trailing: tuple[_Redir, ...]) -> _Out:
        left, operator, right = _list_parts(node)
        if left is None or right is None:
            return self.statements(node.children, ctx, state)
        first = self.statement(left, ctx, state)
        if operator == "||":
            second = self.statement(right, ctx.cond(), first.fail, trailing)
            ok, fail = _join(first.ok, second.ok), second.fail
        else:
            second = self.statement(right, ctx.cond(), first.ok, trailing)
            ok, fail = second.ok, _join(first.fail, second.fail)
        return _Out(ok, fail, first.exits or second.exits, _join(first.left, second.left))

    def pipeline(self, node: Node, ctx: _Ctx, state: _State, trailing: tuple[_Redir, ...]) -> _Out:
        stages = [child for child in node.children if child.is_named and child.type in _STATEMENTS]
        for index, stage in enumerate(stages):
            last = index == len(stages) - 1
            self.statement(stage, ctx.subshell(), state, trailing if last else ())
        return _both(state)

    def negated(self, node: Node, ctx: _Ctx, state: _State, trailing: tuple[_Redir, ...]) -> _Out:
        inner = [child for child in node.children if child.is_named]
        if not inner:
            return _both(state)
        out = self.statement(inner[0], ctx, state, trailing)
        return _Out(out.fail, out.ok, out.exits, out.left)

    def redirected(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        body = node.child_by_field_name("body")
        redirs = tuple(
            self.redirect(child, ctx, state) for child in node.children if child.type in _REDIRECTS
        )
        if body is None:  # `> file` alone still creates the file
            parts = _Parts(redirects=list(redirs))
            return self.emit(parts, ctx, state, (), lambda: self.effects([], parts, ctx, state))
        # tree-sitter-bash hangs `a && b > f` on the whole list; the shell gives it to `b`.
        return self.statement(body, ctx, state, redirs)

    def subshell(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        self.statements(node.children, ctx.subshell(), state)
        return _both(state)

    def group(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        if node.children and node.children[0].type == "((":
            self.arithmetic(node, ctx, state)
            return _both(state)
        return self.statements(node.children, ctx, state)

    def function_definition(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        name_node = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        name = self.text(name_node) if name_node is not None else "?"
        self.r.note(f"{self.prefix}function definition ({name})")
        if body is not None:
            self.r.functions[name] = (self, body)
        return _Out(state, _UNREACHED)

    def call(self, name: str, ctx: _Ctx, state: _State) -> _Out:
        walker, body = self.r.functions[name]
        if name in self.r.calling:
            self.r.note(f"{self.prefix}recursive function ({name})")
            return _both(state)
        self.r.calling.add(name)
        try:
            out = walker.statement(body, ctx, state)
        finally:
            self.r.calling.discard(name)
        # `return` ends the function only: the caller goes on from there.
        return _Out(_join(out.ok, out.left), _join(out.fail, out.left), exits=out.exits)

    # ---- control flow ----------------------------------------------------------------------

    def if_(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        outs: list[_Out] = []
        here = ctx  # the first condition always runs; later ones only if earlier ones failed
        has_else = False
        for number, (condition, body, is_else) in enumerate(_if_branches(node)):
            inside = ctx.in_branch(node.start_byte, number)
            if is_else:
                outs.append(self.statements(body, inside, state))
                has_else = True
                continue
            tested = self.statements(condition, here, state)
            outs.append(self.statements(body, inside, tested.ok))
            outs.append(_Out(_UNREACHED, _UNREACHED, tested.exits, tested.left))
            state, here = tested.fail, ctx.cond()
        if not has_else:
            outs.append(_Out(state, _UNREACHED))  # no branch taken: status 0
        return _merge(outs)

    def loop(self, ctx: _Ctx, state: _State, iteration: Callable[[_State], _Out]) -> _Out:
        """A body that may run any number of times: if it changes the cwd, later iterations
        start somewhere unknown, so walk it once quietly to find out, then for real."""
        with self.dry_run():
            first = iteration(state)
        entry = _join(state, first.either(), first.left)
        out = iteration(entry)
        after = _join(entry, out.either(), out.left)
        return _Out(after, after, exits=out.exits)

    def while_(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        until = bool(node.children) and node.children[0].type == "until"
        condition = [
            c for i, c in enumerate(node.children) if node.field_name_for_child(i) == "condition"
        ]
        body = node.child_by_field_name("body")

        def iteration(entry: _State) -> _Out:
            tested = self.statements(condition, ctx, entry)
            inside = tested.fail if until else tested.ok
            done = self.statements(body.children if body else [], ctx.cond(), inside)
            return _Out(_join(done.ok, inside), _join(done.fail, inside), done.exits, done.left)

        return self.loop(ctx, state, iteration)

    def for_(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        variable = node.child_by_field_name("variable")
        if variable is not None:
            self.r.assign(self.text(variable))
        for value in node.children_by_field_name("value"):
            self.word(value, ctx, state)
        body = node.child_by_field_name("body")
        statements = body.children if body is not None else []
        return self.loop(ctx, state, lambda entry: self.statements(statements, ctx.cond(), entry))

    def c_for(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        for name in ("initializer", "condition", "update"):
            for part in node.children_by_field_name(name):
                self.arithmetic(part, ctx, state)
        body = node.child_by_field_name("body")
        statements = body.children if body is not None else []
        return self.loop(ctx, state, lambda entry: self.statements(statements, ctx.cond(), entry))

    def case(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        subject = node.child_by_field_name("value")
        if subject is not None:
            self.word(subject, ctx, state)
        outs: list[_Out] = []
        catch_all = False
        for item in (c for c in node.children if c.type == "case_item"):
            body: list[Node] = []
            for index, child in enumerate(item.children):
                if item.field_name_for_child(index) == "value":
                    catch_all = catch_all or self.text(child) == "*"
                    self.word(child, ctx, state)
                elif child.is_named:
                    body.append(child)
            outs.append(self.statements(body, ctx.cond(), state))
        if not catch_all:
            outs.append(_Out(state, _UNREACHED))
        return _merge(outs)

    # ---- simple commands -------------------------------------------------------------------

    def command(self, node: Node, ctx: _Ctx, state: _State, trailing: tuple[_Redir, ...]) -> _Out:
        mark = len(self.r.commands)
        parts = self.command_parts(node, ctx, state)
        parts.redirects.extend(trailing)
        if parts.words and parts.words[0].raw in _RESERVED:  # tree-sitter-bash accepts a lone `fi`
            row, col = node.start_point
            self.r.note(f"{self.prefix}parse error at line {row + 1} col {col + 1}")
        values = [w.value if not w.glob else None for w in parts.words]
        return self.emit(
            parts, ctx, state, (), lambda: self.effects(values, parts, ctx, state), mark
        )

    def emit(
        self,
        parts: _Parts,
        ctx: _Ctx,
        state: _State,
        trailing: tuple[_Redir, ...],
        effects: Callable[[], _Out],
        mark: int | None = None,
    ) -> _Out:
        """Record a command (before the commands its words ran, as in the source) and apply
        what it does to the flow."""
        redirs = [*parts.redirects, *trailing]
        command = Command(
            argv=tuple(parts.words),
            assignments=tuple(parts.assignments),
            cwd=_cwd_of(state),
            conditional=ctx.conditional or state is _UNREACHED,
            in_subshell=ctx.in_subshell,
            redirects=(*(redirect for redirect, _ in redirs), *ctx.redirects),
            nested=ctx.nested,
            branch=ctx.branch,
        )
        self.r.commands.insert(len(self.r.commands) if mark is None else mark, command)
        parts.redirects = redirs
        return effects()

    def command_parts(self, node: Node, ctx: _Ctx, state: _State) -> _Parts:
        parts = _Parts()
        prefix = ("", "")  # text tree-sitter left out before the next word: (raw, value)
        previous_end = node.start_byte
        for index, child in enumerate(node.children):
            role = node.field_name_for_child(index)
            gap = self.src[previous_end : child.start_byte].decode("utf-8", "replace")
            previous_end = child.end_byte
            if child.type == "variable_assignment" and not parts.words:
                parts.assignments.append(self.assignment(child, ctx, state))
            elif child.type in _REDIRECTS:
                parts.redirects.append(self.redirect(child, ctx, state))
            elif role in ("name", "argument") and not child.is_named and child.type == "$":
                prefix = ("$", "")  # `$"…"`: a locale-translated string
            elif role in ("name", "argument"):
                standalone, before = _escaped_blanks(gap)
                parts.words.extend(standalone)
                word = self.word(child, ctx, state)
                parts.words.append(_prefixed(word, before, prefix))
                prefix = ("", "")
        return parts

    def assignment(self, node: Node, ctx: _Ctx, state: _State) -> tuple[str, Word]:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        name = self.text(name_node) if name_node is not None else ""
        if name_node is not None and name_node.type == "subscript":
            array = name_node.child_by_field_name("name")
            name = self.text(array) if array is not None else name
        if value_node is None:
            return name, Word("", "", (), glob=False)
        return name, self.word(value_node, ctx, state)

    def redirect(self, node: Node, ctx: _Ctx, state: _State) -> _Redir:
        descriptor = node.child_by_field_name("descriptor")
        fd = self.text(descriptor) if descriptor is not None else ""
        token = next((c for c in node.children if not c.is_named), None)
        doc = self.heredocs.get(token.start_byte) if token is not None else None
        targets = node.children_by_field_name("destination") or [
            c for c in node.children if c.is_named and c.type != "file_descriptor"
        ]
        if node.type == "heredoc_redirect":  # only if masking missed one
            return Redirect(fd + "<<", None, ""), None
        if doc is not None and doc.body is not None:
            return Redirect(fd + doc.operator, None, doc.body), doc
        operator = "<<<" if doc is not None or token is None else self.text(token)
        target = self.word(targets[0], ctx, state) if targets else None
        return Redirect(fd + operator, target, None), doc

    def effects(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        out = self.run_command(values, parts, ctx, state)
        for redirect, doc in parts.redirects:
            if doc is not parts.fed:
                self.heredoc_data(redirect, doc, ctx, state)
        return out

    def run_command(
        self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State
    ) -> _Out:
        if not parts.words:
            return self.bare_assignments(parts, state)
        name = values[0]
        if name is None:
            self.r.note(f"{self.prefix}command name is dynamic ({parts.words[0].raw})")
            return _both(state)
        builtin = _BUILTINS.get(name)
        if builtin is not None:
            return builtin(self, values, parts, ctx, state)
        if name in self.r.functions:
            return self.call(name, ctx, state)
        parts.fed = self.shell_command(
            values, tuple(parts.words), ctx, state, tuple(parts.redirects)
        )
        return _both(state)

    def bare_assignments(self, parts: _Parts, state: _State) -> _Out:
        for name, _ in parts.assignments:
            self.r.assign(name)
        return _both(state)

    def heredoc_data(
        self, redirect: Redirect, doc: _HereDoc | None, ctx: _Ctx, state: _State
    ) -> None:
        """An unquoted heredoc body is data, but the shell expands $V and runs $(…) in it."""
        body = redirect.heredoc_body
        if doc is None or doc.quoted or body is None or ("$" not in body and "`" not in body):
            return
        delimiter = "DOCKERFIX_EOF"
        while delimiter in body:
            delimiter += "_"
        text = f"cat <<{delimiter}\n{body}{'' if body.endswith(chr(10)) else chr(10)}{delimiter}\n"
        source = text.encode("utf-8")
        walker = _Walker(self.r, source, {}, prefix=self.prefix, depth=self.depth)
        for node in _descendants(_parser().parse(source).root_node, "heredoc_body"):
            acc = _WordAcc()
            for child in node.named_children:
                walker.scan(child, acc, ctx, state)
            self.r.reads.update(dict.fromkeys(acc.variables))

    # ---- shells inside the script ----------------------------------------------------------

    def shell_command(
        self,
        values: Sequence[str | None],
        words: tuple[Word, ...],
        ctx: _Ctx,
        state: _State,
        redirs: tuple[_Redir, ...],
    ) -> _HereDoc | None:
        """`sh -c '…'` and `bash <<EOF`: walk the script the child shell runs. Returns the
        heredoc consumed as a script, if any."""
        start = _unwrap(values)
        if start is None or values[start] is None:
            return None
        program = str(values[start]).rsplit("/", 1)[-1]
        if program not in _SHELLS:
            return None
        mode, index = _shell_mode(values, start + 1)
        inner = replace(ctx, nested=True, own_shell=False)
        if mode == "c":
            word = words[index] if index < len(words) else None
            if word is None or word.value is None or word.glob:
                self.r.note(f"{self.prefix}non-static sh -c argument")
            else:
                self.nested(word.value, inner, state)
            return None
        if mode == "stdin":
            return self.shell_stdin(redirs, inner, state)
        return None

    def shell_stdin(self, redirs: tuple[_Redir, ...], ctx: _Ctx, state: _State) -> _HereDoc | None:
        for redirect, doc in redirs:
            if doc is None or redirect.operator.rstrip("<-") not in ("", "0"):
                continue
            if doc.body is not None:
                self.nested(doc.body if doc.quoted else _unescape_heredoc(doc.body), ctx, state)
                return doc
            target = redirect.target
            if target is not None and target.value is not None:
                self.nested(target.value, ctx, state)
            elif target is not None:
                self.r.note(f"{self.prefix}non-static here-string fed to a shell")
            return doc
        return None

    def nested(self, text: str, ctx: _Ctx, state: _State) -> _Out:
        if self.depth + 1 > _MAX_DEPTH:
            self.r.note(f"{self.prefix}nesting too deep")
            return _both(state)
        prefix = self.prefix or "nested script: "
        walker = _Walker.for_text(text, self.r, prefix=prefix, depth=self.depth + 1)
        return walker.run(replace(ctx, nested=True), state)

    # ---- builtins --------------------------------------------------------------------------

    def cd(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        operands = _operands(values[1:], "LPe@")
        if len(operands) != 1 or operands[0] in (None, "-"):
            return _Out(_chdir(state, None), _UNREACHED)  # home, previous or unknown directory
        return _Out(_chdir(state, operands[0]), _UNREACHED)

    def dirstack(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        return _Out(_chdir(state, None), _UNREACHED)

    def set_(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        enabled = _set_options(values[1:])
        if ctx.own_shell:
            self.r.options.update(enabled)
            self.r.allexport = self.r.allexport or "a" in enabled
        return _Out(state, _UNREACHED)

    def read(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        for name in _read_names(values):
            self.r.assign(name)
        return _both(state)

    def eval_(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        arguments = values[1:]
        if any(v is None for v in arguments):
            self.r.note(f"{self.prefix}eval of dynamic text")
            return _both(state)
        text = " ".join(v for v in arguments if v is not None)
        return self.nested(text, replace(ctx, nested=True), state)

    def source(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        target = parts.words[1].raw if len(parts.words) > 1 else ""
        self.r.note(f"{self.prefix}source/. of a file ({target})")
        return _both(state)

    def exit(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        status = values[1] if len(values) > 1 else ""
        failing = status is not None and status not in ("", "0")
        # A failing exit ends the build, so no successful run gets past it.
        if values[0] != "exit":  # return, break, continue: only the function or loop ends
            return _Out(_UNREACHED, _UNREACHED, left=state)
        return _Out(_UNREACHED, _UNREACHED, exits=not failing and state is not _UNREACHED)

    def exec_(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        if len(values) == 1:  # `exec >log 2>&1` only redirects the shell itself
            return _both(state)
        parts.fed = self.shell_command(
            values, tuple(parts.words), ctx, state, tuple(parts.redirects)
        )
        return _Out(_UNREACHED, _UNREACHED, exits=state is not _UNREACHED)

    def true(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        return _Out(state, _UNREACHED)

    def false(self, values: list[str | None], parts: _Parts, ctx: _Ctx, state: _State) -> _Out:
        return _Out(_UNREACHED, state)

    # ---- declarations, tests, assignments --------------------------------------------------

    def declaration(
        self, node: Node, ctx: _Ctx, state: _State, trailing: tuple[_Redir, ...]
    ) -> _Out:
        mark = len(self.r.commands)
        parts = _Parts()
        flags: set[str] = set()
        declared: list[tuple[str, bool]] = []  # (name, has a value)
        for child in node.children:
            parts.words.append(self.word(child, ctx, state))
            text = self.text(child)
            if child.type == "word" and text.startswith("-"):
                flags.update(text[1:])
            elif child.type == "variable_assignment":
                declared.append((text.split("=", 1)[0].split("[", 1)[0].rstrip("+"), True))
            elif child.type == "variable_name":
                declared.append((text, False))
        keyword = self.text(node.children[0]) if node.children else ""
        self.declare(keyword, flags, declared)
        return self.emit(parts, ctx, state, trailing, lambda: _both(state), mark)

    def declare(self, keyword: str, flags: set[str], declared: list[tuple[str, bool]]) -> None:
        if "f" in flags or "p" in flags:  # functions or printing, not variables
            return
        exporting = (keyword == "export" and "n" not in flags) or "x" in flags
        for name, has_value in declared:
            if has_value or keyword in ("declare", "typeset", "local"):
                self.r.assign(name)
            if exporting:
                self.r.exported.add(name)

    def unset(self, node: Node, ctx: _Ctx, state: _State, trailing: tuple[_Redir, ...]) -> _Out:
        mark = len(self.r.commands)
        parts = _Parts(words=[self.word(child, ctx, state) for child in node.children])
        return self.emit(parts, ctx, state, trailing, lambda: _both(state), mark)

    def test(self, node: Node, ctx: _Ctx, state: _State, trailing: tuple[_Redir, ...]) -> _Out:
        mark = len(self.r.commands)
        parts = _Parts()
        for child in node.children:
            self.flatten_test(child, parts.words, ctx, state)
        return self.emit(parts, ctx, state, trailing, lambda: _both(state), mark)

    def flatten_test(self, node: Node, out: list[Word], ctx: _Ctx, state: _State) -> None:
        if node.type in _TEST_EXPRESSIONS:
            for child in node.children:
                self.flatten_test(child, out, ctx, state)
        else:
            out.append(self.word(node, ctx, state))

    def bare_assignment(self, node: Node, ctx: _Ctx, state: _State) -> _Out:
        nodes = [node] if node.type == "variable_assignment" else list(node.named_children)
        for child in nodes:
            name, _ = self.assignment(child, ctx, state)
            self.r.assign(name)
        return _both(state)

    def arithmetic(self, node: Node, ctx: _Ctx, state: _State) -> None:
        acc = _WordAcc()
        self.scan_arithmetic(node, acc, ctx, state)
        self.r.reads.update(dict.fromkeys(acc.variables))

    # ---- words -----------------------------------------------------------------------------

    def word(self, node: Node, ctx: _Ctx, state: _State) -> Word:
        text = self.text(node)
        if node.type == "word" and not _PLAIN_WORD_UNSAFE.search(text):
            return Word(text, text, (), _has_glob(text))  # the common case, no quoting at all
        acc = _WordAcc()
        self.collect(node, acc, ctx, state)
        if node.type == "array":
            acc.dynamic = True
        word = acc.word(self.text(node))
        self.r.reads.update(dict.fromkeys(word.variables))
        return word

    def collect(self, node: Node, acc: _WordAcc, ctx: _Ctx, state: _State) -> None:
        kind = node.type
        text = self.text(node)
        if not node.is_named or kind in _LITERAL_NODES:
            self.unquoted(text, acc)
        elif kind == "raw_string":
            acc.quoted(text[1:-1] if len(text) > 1 and text.endswith("'") else text[1:])
        elif kind == "ansi_c_string":
            acc.quoted(_ansi_c(text[2:-1] if len(text) > 2 and text.endswith("'") else text[2:]))
        elif kind in ("string", "translated_string"):
            self.double_quoted(node, acc, ctx, state)
        elif kind in _EXPANSIONS:
            acc.dynamic = True
            self.scan(node, acc, ctx, state)
        else:  # concatenation, command_name, brace_expression, variable_assignment, …
            self.collect_children(node, acc, ctx, state)

    def collect_children(self, node: Node, acc: _WordAcc, ctx: _Ctx, state: _State) -> None:
        position = node.start_byte
        for child in node.children:
            if child.start_byte > position:
                self.unquoted(self.src[position : child.start_byte].decode("utf-8", "replace"), acc)
            self.collect(child, acc, ctx, state)
            position = max(position, child.end_byte)
        if position < node.end_byte:
            self.unquoted(self.src[position : node.end_byte].decode("utf-8", "replace"), acc)

    def unquoted(self, text: str, acc: _WordAcc) -> None:
        if not acc.started() and text.startswith("~"):
            acc.dynamic = True  # tilde expansion
            user = re.match(r"~([^/]*)", text)
            if user is not None and not user.group(1):
                acc.variable("HOME")
        if "\\" not in text:
            acc.unquoted(text)
            return
        i = 0
        while i < len(text):
            if text[i] == "\\" and i + 1 < len(text):
                if text[i + 1] != "\n":
                    acc.quoted(text[i + 1])
                i += 2
                continue
            acc.unquoted(text[i])
            i += 1

    def double_quoted(self, node: Node, acc: _WordAcc, ctx: _Ctx, state: _State) -> None:
        text = self.text(node)
        start = node.start_byte + (2 if text.startswith("$") else 1)
        end = node.end_byte - 1 if len(text) > 1 and text.endswith('"') else node.end_byte
        position = start
        for child in node.named_children:
            if child.type not in _EXPANSIONS:
                continue
            acc.quoted(
                _unescape_double(self.src[position : child.start_byte].decode("utf-8", "replace"))
            )
            acc.dynamic = True
            self.scan(child, acc, ctx, state)
            position = child.end_byte
        acc.quoted(_unescape_double(self.src[position:end].decode("utf-8", "replace")))

    def scan(self, node: Node, acc: _WordAcc, ctx: _Ctx, state: _State) -> None:
        """Find the variables an expansion reads and run the commands it substitutes."""
        kind = node.type
        if kind in _SUBSTITUTIONS:
            self.statements(node.children, ctx.subshell(), state)
        elif kind == "variable_name":
            acc.variable(self.text(node))
        elif kind == "arithmetic_expansion":
            self.scan_arithmetic(node, acc, ctx, state)
        else:
            for child in node.named_children:
                self.scan(child, acc, ctx, state)

    def scan_arithmetic(self, node: Node, acc: _WordAcc, ctx: _Ctx, state: _State) -> None:
        """In arithmetic a bare name is a variable, and `i=0` assigns one."""
        kind = node.type
        if kind in _SUBSTITUTIONS or kind in ("simple_expansion", "expansion"):
            self.scan(node, acc, ctx, state)
        elif kind in ("variable_name", "word") and _NAME.fullmatch(self.text(node)):
            acc.variable(self.text(node))
        elif kind == "variable_assignment":
            name = node.child_by_field_name("name")
            if name is not None:
                self.r.assign(self.text(name))
            value = node.child_by_field_name("value")
            if value is not None:
                self.scan_arithmetic(value, acc, ctx, state)
        else:
            for child in node.named_children:
                self.scan_arithmetic(child, acc, ctx, state)


_Handler = Callable[[_Walker, "Node", _Ctx, _State], _Out]
_TrailingHandler = Callable[[_Walker, "Node", _Ctx, _State, tuple[_Redir, ...]], _Out]
_Builtin = Callable[[_Walker, list[str | None], _Parts, _Ctx, _State], _Out]

_WITH_TRAILING: Final[dict[str, _TrailingHandler]] = {
    "command": _Walker.command,
    "list": _Walker.list_,
    "pipeline": _Walker.pipeline,
    "negated_command": _Walker.negated,
    "declaration_command": _Walker.declaration,
    "unset_command": _Walker.unset,
    "test_command": _Walker.test,
}
_HANDLERS: Final[dict[str, _Handler]] = {
    "redirected_statement": _Walker.redirected,
    "subshell": _Walker.subshell,
    "compound_statement": _Walker.group,
    "if_statement": _Walker.if_,
    "while_statement": _Walker.while_,
    "for_statement": _Walker.for_,
    "c_style_for_statement": _Walker.c_for,
    "case_statement": _Walker.case,
    "function_definition": _Walker.function_definition,
    "variable_assignment": _Walker.bare_assignment,
    "variable_assignments": _Walker.bare_assignment,
}
_STATEMENTS: Final = frozenset({*_WITH_TRAILING, *_HANDLERS, "ERROR"})
_LITERAL_NODES: Final = frozenset(
    {"word", "number", "extglob_pattern", "regex", "test_operator", "special_variable_name",
     "variable_name", "file_descriptor"}
)  # fmt: skip
_BUILTINS: Final[dict[str, _Builtin]] = {
    "cd": _Walker.cd,
    "pushd": _Walker.dirstack,
    "popd": _Walker.dirstack,
    "set": _Walker.set_,
    "read": _Walker.read,
    "mapfile": _Walker.read,
    "readarray": _Walker.read,
    "printf": _Walker.read,
    "getopts": _Walker.read,
    "eval": _Walker.eval_,
    "source": _Walker.source,
    ".": _Walker.source,
    "exit": _Walker.exit,
    "return": _Walker.exit,
    "break": _Walker.exit,
    "continue": _Walker.exit,
    "exec": _Walker.exec_,
    "true": _Walker.true,
    ":": _Walker.true,
    "false": _Walker.false,
}


# --------------------------------------------------------------------------------------------
# Small helpers over nodes and argument lists.


def _list_parts(node: Node) -> tuple[Node | None, str, Node | None]:
    named = [c for c in node.children if c.is_named and c.type in _STATEMENTS]
    operators = [c.type for c in node.children if c.type in ("&&", "||")]
    if len(named) != 2 or len(operators) != 1:
        return None, "", None
    return named[0], operators[0], named[1]


def _if_branches(node: Node) -> Iterator[tuple[list[Node], list[Node], bool]]:
    """(condition, body, is_else) for the if and each elif/else clause."""
    yield (*_split_at_then(node.children), False)
    for clause in node.children:
        if clause.type == "elif_clause":
            yield (*_split_at_then(clause.children), False)
        elif clause.type == "else_clause":
            yield [], list(clause.children), True


def _split_at_then(children: Sequence[Node]) -> tuple[list[Node], list[Node]]:
    condition: list[Node] = []
    body: list[Node] = []
    target = condition
    for child in children:
        if child.type == "then":
            target = body
        elif child.type not in ("elif_clause", "else_clause"):
            target.append(child)
    return condition, body


def _error_point(node: Node) -> tuple[int, int]:
    """Where an error really starts: tree-sitter's ERROR node often opens with statements that
    parsed fine (`a\nif x; then y` is one ERROR from `a`), so skip those."""
    for child in node.children:
        if child.type == "comment":
            continue
        if not (child.is_named and child.type in _STATEMENTS and not child.has_error):
            return child.start_point.row, child.start_point.column
    return node.start_point.row, node.start_point.column


def _descendants(node: Node, kind: str) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == kind:
            yield current
        stack.extend(reversed(current.children))


def _escaped_blanks(gap: str) -> tuple[list[Word], str]:
    r"""tree-sitter-bash drops `\ ` between words, but the shell keeps an escaped blank as a
    word character: standalone ones become words, one touching the next word joins it."""
    if "\\" not in gap:
        return [], ""
    runs = list(re.finditer(r"(?:\\[ \t])+", gap))
    standalone: list[Word] = []
    before = ""
    for run in runs:
        raw = run.group(0)
        if run.end() == len(gap):
            before = raw
        else:
            standalone.append(Word(raw, raw[1::2], (), glob=False))
    return standalone, before


def _prefixed(word: Word, escaped: str, prefix: tuple[str, str]) -> Word:
    if not escaped and not prefix[0]:
        return word
    value = None if word.value is None else escaped[1::2] + prefix[1] + word.value
    return replace(word, raw=escaped + prefix[0] + word.raw, value=value)


_PLAIN_WORD_UNSAFE: Final = re.compile(r"[\\{~]")
_RESERVED: Final = frozenset({"then", "else", "elif", "fi", "do", "done", "esac", "}", "in"})
