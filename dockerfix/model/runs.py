"""Effects of RUN instructions: shell analysis plus the known-command classifier."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from dockerfix.model import shell
from dockerfix.model.context import BuildContext, clean
from dockerfix.model.effect import ALL_VARS, Effect, StepKind
from dockerfix.model.paths import PathSet, is_under, normalize, under_any
from dockerfix.model.stages import DEFAULT_SHELL, Model, Stage, Step
from dockerfix.model.variables import referenced_names

_POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "busybox"})
_PROJECT_FREE = frozenset({"system-packages", "noop", "metadata", "download", "filesystem"})
_INSTALL_WORDS = frozenset(
    {"install", "ci", "get", "restore", "fetch", "download", "sync", "add", "resolve", "deps.get"}
)
UNKNOWN_RUN_COST = 10.0


def _unknown(
    reason: str,
    cost: float = UNKNOWN_RUN_COST,
    context_files: tuple[str, ...] = (),
    install_like: bool = False,
) -> Effect:
    return Effect(
        "run-unknown",
        reads=PathSet.all(),
        writes=PathSet.all(),
        reads_vars=ALL_VARS,
        reads_state=frozenset({"workdir", "user", "shell"}),
        writes_state=frozenset({"users"}),
        cost=cost,
        context_files=context_files,
        notes=(reason,),
        install_like=install_like,
    )


def script_text(step: Step) -> str | None:
    """The shell text BuildKit hands to the shell for a shell-form RUN (None for exec form)."""
    ins = step.instruction
    if ins.json:
        return None
    line = ins.value[0] if ins.value else ""
    if ins.heredocs:
        if (
            len(ins.heredocs) == 1
            and line.strip().lstrip("0123456789").startswith("<<")
            and " " not in line.strip()
        ):
            return ins.heredocs[0].content
        return line + "\n" + "".join(h.content + h.name + "\n" for h in ins.heredocs)
    return line


def _mount_context_files(
    step: Step, ctx: BuildContext | None
) -> tuple[tuple[str, ...], str | None]:
    """Context files read through `--mount=type=bind` (the default mount type)."""
    files: list[str] = []
    for flag in step.instruction.flags:
        if not flag.startswith("--mount="):
            continue
        opts = dict([*kv.split("=", 1), ""][:2] for kv in flag[len("--mount=") :].split(",") if kv)
        mount_type = opts.get("type", "bind")
        if mount_type != "bind":
            continue
        if "from" in opts:
            return (), "bind mount from another image or stage"
        source = opts.get("source", opts.get("src", "."))
        if ctx is None:
            return (), "bind mount of the build context, and the context is not known"
        rel = clean(source)
        files.extend(ctx.files_under(rel) if ctx.is_dir(rel) else [rel])
    return tuple(files), None


def analyse_run(
    step: Step,
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    prior: Mapping[int, Effect],
) -> Effect:
    """What a RUN reads and writes; for one that may read anything only because of an
    assumption the unsafe tier may make, also its effect under that assumption."""
    seen: list[str] = []
    effect = _analyse_run(step, model, stage, ctx, prior, False, seen)
    if effect.kind == "run-unknown" and seen:
        assumed = _analyse_run(step, model, stage, ctx, prior, True, [])
        if assumed.kind == "run-install":
            if _hooks_only(seen) and _no_git_in_stage(stage, ctx):
                # The Git hook installer finds no .git wherever the install runs: it does
                # nothing either way, and the install reads only its manifests.
                return assumed
            return replace(effect, assumed=assumed, assumption="; ".join(dict.fromkeys(seen)))
    return effect


def _hooks_only(assumptions: Sequence[str]) -> bool:
    """Every assumption is that a lifecycle script only installs Git hooks."""
    from dockerfix.model.commands.node import GIT_HOOKS_ASSUMPTION

    return all(a.endswith(GIT_HOOKS_ASSUMPTION) for a in assumptions)


_GIT_WORD = re.compile(r"(?<![\w.-])git(?![\w.-])")


def _no_git_in_stage(stage: Stage, ctx: BuildContext | None) -> bool:
    """No .git reaches this stage's image: no copy of the stage sends one from the build
    context, its base is not a stage of the Dockerfile, it copies nothing from another stage
    or image, adds no URL, and no RUN of it runs git."""
    if ctx is None or stage.base_stage is not None:
        return False
    for step in stage.steps:
        ins = step.instruction
        if ins.keyword == "RUN" and _GIT_WORD.search(ins.original):
            return False
        if ins.keyword not in ("COPY", "ADD"):
            continue
        if any(f.startswith("--from") for f in ins.flags):
            return False
        for source in ins.value[:-1]:
            if source.startswith("<<"):
                continue  # a heredoc: no file of the context
            if "://" in source or source.startswith("git@") or "$" in source:
                return False
            if any(c in source for c in "*?["):
                sent: Sequence[str] = ctx.files  # a glob: any file of the context, at most
            else:
                rel = clean(source)
                sent = ctx.files_under(rel) if ctx.is_dir(rel) else [rel]
            if any(".git" in f.split("/") for f in sent):
                return False
    return True


def _analyse_run(
    step: Step,
    model: Model,
    stage: Stage,
    ctx: BuildContext | None,
    prior: Mapping[int, Effect],
    assume: bool,
    seen: list[str],
) -> Effect:
    from dockerfix.model.commands import classify
    from dockerfix.model.commands.files import EXACT, PRINTS, WRITE_NOTHING
    from dockerfix.model.commands.ruby import bundle_setting

    ins = step.instruction
    mounted, mount_problem = _mount_context_files(step, ctx)
    if mount_problem:
        return _unknown(mount_problem)
    state = step.state
    if state.shell not in (DEFAULT_SHELL, ("/bin/bash", "-c"), ("bash", "-c")) and not ins.json:
        return _unknown("RUN uses a non-POSIX SHELL", context_files=mounted)
    text = script_text(step)
    if ins.json:
        script = shell.analyze_exec(list(ins.value))
    else:
        if text is None:
            return _unknown("empty RUN")
        if (
            text.startswith("#!")
            and posixpath.basename(text[2:].split()[0] if text[2:].split() else "")
            not in _POSIX_SHELLS
        ):
            return _unknown("heredoc script for another interpreter", context_files=mounted)
        script = shell.analyze(text)
    if script.opaque:
        return _unknown(
            "shell analysis incomplete: " + "; ".join(script.opaque), context_files=mounted
        )
    workdir = state.workdir
    project = workdir if workdir not in (None, "/") else None
    # `cd /srv/app && npm install` from `/` (or from the base image's /go): the project is
    # where every command runs.
    working = [
        cmd for cmd in script.commands if not (cmd.argv and cmd.argv[0].value in _SHELL_STATE)
    ]
    cwds = {_tool_dir(cmd) or _cwd(workdir, cmd) for cmd in working}
    only = next(iter(cwds)) if len(cwds) == 1 else None
    if only is not None and (project is None or not is_under(only, project)):
        project = only if only != "/" else None
    effects = dict(prior)
    blocked: list[str] = []
    reader = image_reader(stage.steps, step.position, effects, ctx, blocked)
    known: list[set[str]] = []  # the image files earlier copies put there, once asked for

    def known_images() -> set[str]:
        if not known:
            known.append(_known_image_files(step, stage, effects))
        return known[0]

    env = {k: v for k, v in state.env.items() if v is not None}
    reads: dict[str, None] = {}
    users = False
    writes: set[str] = set()
    cost = 0.0
    kinds: set[str] = set()
    ecos: list[str] = []
    notes: list[str] = []
    tree_reads = True  # every project-reading command names its reads across the tree
    # Every command writes no file (`test -f …`, `grep -q …`), or even only prints (`ls -l
    # /app`, `echo`): the step leaves nothing in the image.
    silent = prints = True
    entered: set[str] = set()  # the folders `cd` goes to
    named: set[str] = set()  # the files the command lines name as inputs
    # Every command is a file tool that touches exactly the paths it names (`chmod +x
    # run.sh`, `mkdir -p logs`, `cp a b`), or writes nothing: the step reads and writes
    # those and nothing else.
    exact = True
    made: dict[str, str] = {}  # files earlier commands of this RUN wrote, with their text
    for cmd in script.commands:
        if not cmd.argv or cmd.argv[0].value is None:
            return _unknown("a command name is not static", context_files=mounted)
        static = all(w.value is not None for w in cmd.argv)
        argv = [w.value if w.value is not None else w.raw for w in cmd.argv]
        cmd_env = dict(env)
        unset: set[str] = set()  # `NAME=$UNKNOWN cmd`: matters only if the handler reads it
        for name, word in cmd.assignments:
            if word.value is None:
                unset.add(name)
                cmd_env.pop(name, None)
            else:
                cmd_env[name] = word.value
        cwd = _cwd(workdir, cmd)

        def read_file(path: str, _cwd: str | None = cwd) -> str | None:
            if _cwd is None:
                return None
            full = normalize(path, _cwd)
            return made[full] if full in made else reader(full)

        def glob(pattern: str, _cwd: str | None = cwd) -> list[str] | None:
            if _cwd is None:
                return None
            full = normalize(pattern, _cwd)
            return sorted(
                posixpath.relpath(p, _cwd) for p in known_images() if _segment_match(p, full)
            )

        looked: set[str] = set()
        effect = classify(
            argv,
            env=cmd_env,
            read_file=read_file,
            glob=glob,
            unknown=frozenset(unset),
            noted=looked,
        )
        static = static and not looked
        printed = _printed_requirements(argv, cmd, read_file, cwd) or bundle_setting(
            argv, cmd_env, read_file, cwd
        )
        if printed is not None:
            made[printed[0]] = printed[1]
        if effect.assumed is not None:
            seen.append(effect.assumption)
            if assume:
                effect = effect.assumed
        kind = effect.kind
        if kind not in _PROJECT_FREE:
            tree_reads = tree_reads and effect.names_tree_reads
        if kind == "download" and effect.ecosystem is not None:
            kind = "install"  # go mod download, cargo fetch, mvn dependency:go-offline …
        install_like = kind == "install" or (
            effect.ecosystem is not None and any(a in _INSTALL_WORDS for a in argv[1:3])
        )
        kinds.add(kind)
        users = users or kind == "system-packages"
        cost += effect.cost
        if effect.ecosystem and kind == "install":
            ecos.append(effect.ecosystem)
        notes.extend(effect.reasons)
        shown = " ".join(argv[:3])
        if kind not in _PROJECT_FREE and cwd is None:
            where = (
                "the base image's working directory is not known to dockerfix: add a WORKDIR "
                "before it"
                if workdir is None and cmd.cwd is not None
                else "a `cd` dockerfix cannot follow"
            )
            return _unknown(
                f"the directory `{shown}` runs in is not known ({where})",
                max(cost, UNKNOWN_RUN_COST),
                mounted,
                install_like=install_like,
            )
        if kind == "unknown" or effect.reads_all or effect.writes_all:
            reason = "; ".join(effect.reasons) or f"`{argv[0]}` is not a command dockerfix knows"
            if blocked and "not known" in reason:
                reason = blocked[0]
            return _unknown(reason, max(cost, UNKNOWN_RUN_COST), mounted, install_like=install_like)
        if kind not in _PROJECT_FREE and not static:
            return _unknown(
                f"`{shown}` has arguments dockerfix cannot resolve",
                max(cost, UNKNOWN_RUN_COST),
                mounted,
                install_like=install_like,
            )
        redirected = _redirect_paths(cmd)
        writes_file = redirected is None or bool(redirected[1])
        silent = silent and argv[0] in WRITE_NOTHING and not writes_file
        # echo and printf name no file, whatever their words expand to (`echo
        # "{\"version\": \"$BUILD\"}" > version.json` writes exactly version.json).
        words_known = static or argv[0] in ("echo", "printf") or _compares_strings(cmd)
        exact = exact and argv[0] in EXACT and words_known
        prints = prints and silent and argv[0] in PRINTS
        if redirected is None:
            return _unknown(
                f"`{shown}` redirects to a file dockerfix cannot resolve", cost, mounted
            )
        effect = replace(
            effect,
            reads=(*effect.reads, *redirected[0]),
            writes=(*effect.writes, *redirected[1]),
        )
        known_cd = len(argv) == 2 and static and (cwd is not None or argv[1].startswith("/"))
        if argv[0] in ("cd", "pushd") and known_cd and argv[1] not in ("-", "~"):
            entered.add(normalize(argv[1], cwd or "/"))
        for path in effect.reads:
            if cwd is None and not path.startswith("/"):
                return _unknown("relative path with unknown working directory", cost, mounted)
            reads[normalize(path, cwd or "/")] = None
        named.update(normalize(path, cwd or "/") for path in effect.named)
        for path in effect.writes:
            if cwd is None and not path.startswith("/"):
                return _unknown("relative path with unknown working directory", cost, mounted)
            target = normalize(path, cwd or "/")
            if is_under("/etc/passwd", target) or is_under("/etc/group", target):
                users = True
            if kind in _PROJECT_FREE and project is not None and is_under(project, target):
                # "writes /usr" for a system package manager means system files, which
                # the outside-the-project part of the write set already covers.
                exact = False
                continue
            writes.add(target)
            parent = posixpath.dirname(target)
            creates = path in redirected[1] or (
                posixpath.basename(argv[0]) in _CREATES_FILES and not _makes_parents(argv)
            )
            if creates and parent != "/" and (workdir is None or not is_under(workdir, parent)):
                # `cp x /app/config/x.conf` fails unless /app/config exists: the step
                # stays after what creates it (a WORKDIR and the folders above exist).
                reads[parent] = None
    if exact:
        # `cd src && ls` fails unless src exists, and nothing else it does names a file there:
        # it stays after what creates the folder. (Any other command after the `cd` reads
        # what it names there, or everything.)
        for folder in entered:
            reads.setdefault(folder, None)
    # `cd data && pip install flask` fails unless data exists, though it reads nothing there.
    # The WORKDIR and the folders above it exist, and so do the system's own top folders.
    needs = frozenset(
        f
        for f in entered
        if not (workdir is not None and is_under(workdir, f))
        and not (f.count("/") == 1 and f[1:] in SYSTEM_TOPS)
    )
    root_files = _earlier_copies(step, stage, effects) if workdir == "/" else None
    if project is None and root_files:
        # The project was copied into `/`: its files are those the earlier copies put there
        # and whatever a copy of the build context puts at a top-level name, outside the
        # system's folders (`/src`, `/app.py`, `/.git`, not `/etc/pip.conf`: a tool reads
        # that as system configuration); everything else is the system, as outside a
        # project directory.
        mine = frozenset(p for p in root_files if p.split("/", 2)[1] not in SYSTEM_TOPS)
        outside: frozenset[str] | None = mine | _context_tops(ctx)
        read_set = PathSet(frozenset(reads), False, outside)
        write_set = PathSet(frozenset(writes), False, outside)
    elif (
        project is None
        and workdir is None
        and (copied := _earlier_copies(step, stage, prior, ("copy-context",), absolute=True))
    ):
        # The base image's WORKDIR is not known, and this RUN names only absolute paths
        # (others made it unknown above): the files the build context's copies put at
        # absolute paths are read and written as it names them; it may touch anything else.
        read_set = PathSet(frozenset(reads), False, copied)
        write_set = PathSet(frozenset(writes), False, copied)
    elif project is None:
        # Without a project directory every RUN may read what any COPY put anywhere.
        read_set = PathSet.all()
        write_set = PathSet.all() if writes or kinds - {"noop", "metadata"} else PathSet()
    else:
        top = _copied_tree(step, stage, prior, project) if tree_reads else None
        outside = frozenset({top or project})
        read_set = PathSet(frozenset(reads), False, outside)
        write_set = PathSet(frozenset(writes), False, outside)
    silent &= not users and not mounted
    prints &= silent
    if exact and not mounted:
        read_set, write_set = PathSet(frozenset(reads)), PathSet(frozenset(writes))
    if silent:
        write_set = PathSet()
    step_kind: StepKind
    if "install" in kinds:
        step_kind = "run-install"
    elif kinds <= _PROJECT_FREE:
        step_kind = "run-system"
    else:
        step_kind = "run-known"
    return Effect(
        step_kind,
        reads=read_set,
        writes=write_set,
        reads_vars=ALL_VARS,
        reads_state=frozenset({"workdir", "user", "shell"}),
        # Only system package managers and commands writing passwd/group create users.
        writes_state=frozenset({"users"}) if users else frozenset(),
        context_files=mounted,
        cost=max(cost, 1.0),
        ecosystems=tuple(dict.fromkeys(ecos)),
        read_order=tuple(reads),
        named_vars=script.variables_read
        | frozenset(n for f in ins.flags for n in referenced_names(f)),
        project_dir=project,
        notes=tuple(dict.fromkeys(notes)),
        prints_only=prints,
        needs_dirs=frozenset() if exact else needs,
        named=frozenset(named),
    )


def _cwd(workdir: str | None, cmd: shell.Command) -> str | None:
    """The directory a command runs in: the WORKDIR, moved by the `cd`s before it (an
    absolute `cd` needs no known WORKDIR); None when unknown."""
    if cmd.cwd is None:
        return None
    if cmd.cwd and cmd.cwd[0].startswith("/"):
        return normalize(posixpath.join(*cmd.cwd))
    if workdir is None:
        return None
    return normalize(posixpath.join(workdir, *cmd.cwd)) if cmd.cwd else workdir


def _compares_strings(cmd: shell.Command) -> bool:
    """A test whose words dockerfix does not know are strings it compares (`[ "$MODE" = 1
    ]`), none a file it looks at."""
    words = cmd.argv
    if not words or words[0].value not in ("[", "[[", "test"):
        return False
    for i, word in enumerate(words):
        if word.value is None and i > 0 and (words[i - 1].value or "").startswith("-"):
            return False  # `-f "$FILE"`, `"$A" -nt "$B"`, or an operator not known
        if (
            word.value is None
            and i + 1 < len(words)
            and words[i + 1].value in ("-nt", "-ot", "-ef")
        ):
            return False
    return True


# Commands that create the file or folder they are told to (as a redirection does), and no
# folder on the way there.
_CREATES_FILES = frozenset({"cp", "mv", "ln", "touch", "mkdir", "tee", "install", "curl", "wget"})


def _makes_parents(argv: Sequence[str]) -> bool:
    """`mkdir -p`, `install -D`, `cp --parents`, `curl --create-dirs`: folders on the way
    are created."""
    tool = posixpath.basename(argv[0]) if argv else ""
    words = set(argv[1:])
    if tool == "mkdir":
        return bool(words & {"--parents"}) or any(
            re.fullmatch(r"-[a-zA-Z]*p[a-zA-Z]*", w) for w in words
        )
    if tool == "install":
        return any(re.fullmatch(r"-[a-zA-Z]*D[a-zA-Z]*", w) for w in words)
    return bool(words & {"--parents", "--create-dirs"})


# Options that give a package manager the folder of its project.
_DIR_FLAGS = {
    "composer": ("-d", "--working-dir"),
    "npm": ("--prefix",),
    "yarn": ("--cwd",),
    "pnpm": ("-C", "--dir"),
}


def _tool_dir(cmd: shell.Command) -> str | None:
    """The absolute project folder a package manager is given (`composer install
    --working-dir=/opt/app`), where it works whatever the WORKDIR."""
    words = [w.value for w in cmd.argv]
    flags = _DIR_FLAGS.get(posixpath.basename(words[0] or "")) if words else None
    for i, word in enumerate(words[1:], 1):
        if word is None or flags is None:
            continue
        value = words[i + 1] if word in flags and i + 1 < len(words) else None
        for flag in flags:
            if word.startswith(flag + "=") and flag.startswith("--"):
                value = word[len(flag) + 1 :]
        if value is not None and value.startswith("/"):
            return normalize(value)
    return None


# Builtins that only change the shell's own state: they run "nowhere".
_SHELL_STATE = frozenset({"cd", "set", "export", "true", ":"})

_DEVICES = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty")


def _printed_requirements(
    argv: list[str], cmd: shell.Command, read_file: Callable[[str], str | None], cwd: str | None
) -> tuple[str, str] | None:
    """`python -c "<pyproject_snippet or SETUP_SNIPPET>" > FILE`: the file and the
    requirements it holds."""
    from dockerfix.model.commands.python import (
        SETUP_SNIPPET,
        pyproject_requirements,
        setup_py_requirements,
        snippet_extras,
    )

    if cwd is None or len(argv) != 3 or argv[1] != "-c" or not _is_python(argv[0]):
        return None
    targets = [r.target.value for r in cmd.redirects if r.operator == ">" and r.target]
    if len(cmd.redirects) != 1 or len(targets) != 1 or targets[0] is None:
        return None
    extras = snippet_extras(argv[2])
    if extras is not None:
        text = pyproject_requirements(read_file("pyproject.toml"), extras)
    elif argv[2] == SETUP_SNIPPET:
        text = setup_py_requirements(read_file("setup.py"))
    else:
        return None
    return (normalize(targets[0], cwd), text) if text is not None else None


def _is_python(program: str) -> bool:
    return re.fullmatch(r"python(?:3(?:\.\d+)?)?", posixpath.basename(program)) is not None


def _redirect_paths(cmd: shell.Command) -> tuple[list[str], list[str]] | None:
    """Files a command's redirections read (<) and write (>, >>); None if not static."""
    reads: list[str] = []
    writes: list[str] = []
    for redirect in cmd.redirects:
        op, target = redirect.operator, redirect.target
        if target is None or op in ("<<", "<<-", "<<<"):
            continue  # heredoc or here-string: no file
        if target.value is None:
            return None
        value = target.value
        if value in _DEVICES or (op.endswith("&") and (value.isdigit() or value == "-")):
            continue  # a device, or a descriptor duplicated (2>&1)
        if ">" in op:
            writes.append(value)
        elif "<" in op:
            reads.append(value)
    return reads, writes


def _segment_match(path: str, pattern: str) -> bool:
    """Glob match where `*` never crosses `/` (shell and workspace-pattern semantics)."""
    parts, pats = path.split("/"), pattern.split("/")
    return len(parts) == len(pats) and all(fnmatch.fnmatchcase(p, q) for p, q in zip(parts, pats))


def _copied_tree(
    step: Step, stage: Stage, effects: Mapping[int, Effect], project: str
) -> str | None:
    """The highest folder above ``project`` (not `/`) that an earlier copy of the build
    context wrote into: the tree a command that names all its reads may read in."""
    tops = [d for d in _copy_dests(step, stage, effects) if is_under(project, d)]
    return min(tops, key=len) if tops else None


# The destinations `_copy_dests` found so far for one stage and effects mapping: the steps of
# a stage are analysed in order, so each call scans only the steps added since the last.
_DESTS: list[tuple[Stage, Mapping[int, Effect], int, list[str]]] = []


def _copy_dests(step: Step, stage: Stage, effects: Mapping[int, Effect]) -> list[str]:
    """The folders the copies of the build context before ``step`` wrote into."""
    start, found = 0, list[str]()
    if _DESTS and _DESTS[0][0] is stage and _DESTS[0][1] is effects:
        _, _, start, found = _DESTS[0]
    steps = stage.steps
    end = next((i for i, s in enumerate(steps) if s.position >= step.position), len(steps))
    if end < start:
        start, found = 0, []
    found = list(found)
    for other in steps[start:end]:
        eff = effects.get(other.position)
        if eff is None:
            continue
        copy = eff.copy
        if (
            eff.kind == "copy-context"
            and copy is not None
            and copy.known
            and copy.dest_is_dir
            and copy.dest not in (None, "/")
            and copy.dest not in found
        ):
            found.append(copy.dest)
    # Only steps whose effects are in place count: a step analysed later moves `end` on.
    complete = all(s.position in effects for s in steps[start:end])
    if complete:
        _DESTS[:] = [(stage, effects, end, found)]
    return found


_COPIES = ("copy-context", "copy-stage", "copy-text", "add-remote")


def _earlier_copies(
    step: Step,
    stage: Stage,
    effects: Mapping[int, Effect],
    kinds: tuple[str, ...] = _COPIES,
    absolute: bool = False,
) -> frozenset[str] | None:
    """The image files the stage's copies of ``kinds`` before ``step`` put in place, when
    every one is known (None otherwise: a copy whose files are unknown may have put anything
    anywhere); with ``absolute``, each must also name an absolute destination."""
    files: set[str] = set()
    for other in stage.steps:
        if other.position >= step.position:
            break
        eff = effects.get(other.position)
        if eff is None:
            return None
        if eff.kind in kinds:
            if eff.copy is None or not eff.copy.known:
                return None
            if absolute and not (eff.copy.dest or "").startswith("/"):
                return None
            files |= set(eff.copy.image_files())
    return frozenset(files)


# The top-level folders of a Linux system (the Filesystem Hierarchy Standard's, and the
# lib variants): package managers and language tools read and write there.
SYSTEM_TOPS = frozenset(
    {
        "bin", "boot", "dev", "etc", "home", "lib", "lib32", "lib64", "libx32", "media", "mnt",
        "opt", "proc", "root", "run", "sbin", "srv", "sys", "tmp", "usr", "var",
    }
)  # fmt: skip


def _context_tops(ctx: BuildContext | None) -> frozenset[str]:
    """`/<name>` for each top-level name of the build context that is no system folder."""
    if ctx is None:
        return frozenset()
    found = _TOPS.get(id(ctx))
    if found is None or found[0] is not ctx:
        tops = {path.split("/", 1)[0] for path in ctx.files}
        found = (ctx, frozenset("/" + t for t in tops if t and t not in SYSTEM_TOPS))
        _TOPS.clear()
        _TOPS[id(ctx)] = found
    return found[1]


_TOPS: dict[int, tuple[BuildContext, frozenset[str]]] = {}


def _known_image_files(step: Step, stage: Stage, effects: dict[int, Effect]) -> set[str]:
    files: set[str] = set()
    for other in stage.steps:
        if other.position >= step.position:
            break
        eff = effects.get(other.position)
        if eff is not None and eff.copy is not None and eff.copy.known:
            files.update(eff.copy.image_files())
    return files


def image_reader(
    stage_steps: Sequence[Step],
    upto: int,
    effects: Mapping[int, Effect],
    ctx: BuildContext | None,
    blocked: list[str] | None = None,
) -> Callable[[str], str | None]:
    """The classifier's read_file: which context file is at an image path before ``upto``."""

    def read(path: str) -> str | None:
        if ctx is None:
            return None
        for step in reversed(stage_steps):
            if step.position >= upto:
                continue
            effect = effects.get(step.position)
            if effect is None or effect.dir_only:  # a WORKDIR changes no file's content
                continue
            if effect.copy is not None and effect.copy.known:
                src = effect.copy.image_files().get(path)
                if src is not None:
                    return ctx.read_text(src)
            if effect.writes.everything or under_any(path, effect.writes.paths):
                if blocked is not None:
                    text = " ".join(step.instruction.original.split())[:60]
                    blocked.append(
                        f"`{text}` runs before it and may change {posixpath.basename(path)}"
                    )
                return None
        return None

    return read
