"""Split a Dockerfile into stages and track the build state (workdir, env, user, shell) per step."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from types import MappingProxyType

from dockerfix.model.base_images import default_user, default_workdir
from dockerfix.model.paths import normalize
from dockerfix.model.variables import expand, expand_word
from dockerfix.records import dataclass
from dockerfix.syntax import Dockerfile, Instruction
from dockerfix.syntax.lineparse import parse_words

DEFAULT_SHELL = ("/bin/sh", "-c")


@dataclass(frozen=True)
class State:
    """What a step sees when it runs.  ``None`` means "inherited from an unknown base image"."""

    workdir: str | None = None
    env: Mapping[str, str | None] = field(default_factory=lambda: MappingProxyType({}))
    user: str | None = None
    shell: tuple[str, ...] | None = DEFAULT_SHELL
    args: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Step:
    """One instruction of a stage with the state it runs in."""

    position: int
    instruction: Instruction
    stage: int
    state: State

    @property
    def keyword(self) -> str:
        return self.instruction.keyword


@dataclass(frozen=True)
class Stage:
    index: int
    name: str | None
    base: str
    base_stage: int | None
    start: Step
    steps: tuple[Step, ...]
    end_state: State


@dataclass(frozen=True)
class Model:
    tree: Dockerfile
    global_steps: tuple[Step, ...]
    stages: tuple[Stage, ...]
    global_args: Mapping[str, str | None]

    def stage_named(self, ref: str) -> Stage | None:
        for stage in self.stages:
            if stage.name is not None and stage.name.lower() == ref.lower():
                return stage
        if ref.isdigit() and int(ref) < len(self.stages):
            return self.stages[int(ref)]
        return None


def _arg_defs(ins: Instruction, escape: str) -> list[tuple[str, str | None]]:
    out = []
    for word in parse_words(ins.args, escape):
        name, eq, default = word.partition("=")
        out.append((name, _unquote(default) if eq else None))
    return out


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _env_pairs(ins: Instruction) -> list[tuple[str, str]]:
    values = ins.value
    return [(values[i], _unquote(values[i + 1])) for i in range(0, len(values) - 1, 2)]


def build_model(tree: Dockerfile) -> Model:
    """Walk the instructions once, recording the state before each one."""
    escape = tree.escape
    global_args: dict[str, str | None] = {}
    global_steps: list[Step] = []
    stages: list[Stage] = []
    current: list[Step] = []
    start: Step | None = None
    state = State()
    meta: dict[str, object] = {}

    def close() -> None:
        if start is not None:
            stages.append(
                Stage(
                    index=len(stages),
                    name=meta.get("name"),  # type: ignore[arg-type]
                    base=str(meta.get("base")),
                    base_stage=meta.get("base_stage"),  # type: ignore[arg-type]
                    start=start,
                    steps=tuple(current),
                    end_state=state,
                )
            )

    for position, ins in enumerate(tree.instructions):
        keyword = ins.keyword
        if keyword == "FROM":
            close()
            current = []
            words = list(ins.value)
            base = words[0] if words else ""
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            base_value = expand(base, global_args, escape).value or base
            base_stage = next(
                (s.index for s in stages if s.name and s.name.lower() == base_value.lower()), None
            )
            if base_stage is not None:
                state = stages[base_stage].end_state
            else:
                state = State(default_workdir(base_value), user=default_user(base_value))
            state = State(state.workdir, state.env, state.user, state.shell, frozenset())
            meta = {"name": name, "base": base_value, "base_stage": base_stage}
            start = Step(position, ins, len(stages), state)
            continue
        if start is None:
            if keyword == "ARG":
                for name, default in _arg_defs(ins, escape):
                    value = (
                        expand(default, global_args, escape).value if default is not None else None
                    )
                    global_args[name] = value
            global_steps.append(Step(position, ins, -1, state))
            continue
        step = Step(position, ins, len(stages), state)
        current.append(step)
        state = _advance(state, ins, escape, global_args)
    close()
    return Model(tree, tuple(global_steps), tuple(stages), MappingProxyType(dict(global_args)))


def _advance(
    state: State, ins: Instruction, escape: str, global_args: Mapping[str, str | None]
) -> State:
    keyword = ins.keyword
    env = dict(state.env)
    if keyword == "ENV":
        for name, raw in _env_pairs(ins):
            env[name] = expand(raw, env, escape).value
        return State(state.workdir, MappingProxyType(env), state.user, state.shell, state.args)
    if keyword == "ARG":
        args = set(state.args)
        for name, default in _arg_defs(ins, escape):
            if default is not None:
                env[name] = expand(default, env, escape).value
            elif name in global_args:
                env[name] = global_args[name]
            else:
                env[name] = None
            args.add(name)
        return State(state.workdir, MappingProxyType(env), state.user, state.shell, frozenset(args))
    if keyword == "WORKDIR":
        target = expand_word(ins.value[0] if ins.value else "", env, escape)
        if target is None:
            workdir = None
        elif target.startswith("/"):
            workdir = normalize(target)
        elif state.workdir is not None:
            workdir = normalize(target, state.workdir)
        else:
            workdir = None
        return State(workdir, state.env, state.user, state.shell, state.args)
    if keyword == "USER":
        user = expand_word(ins.value[0] if ins.value else "", env, escape)
        return State(state.workdir, state.env, user, state.shell, state.args)
    if keyword == "SHELL":
        shell = tuple(ins.value) if ins.json else None
        return State(state.workdir, state.env, state.user, shell, state.args)
    return state
