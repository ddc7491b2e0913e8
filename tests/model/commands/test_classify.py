"""Table tests for `classify` itself: wrappers, empty commands and unknown programs; costs."""

from __future__ import annotations

import pytest

from tests.model.commands.helpers import classify_test, run, writes_test

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    ("", {}, "noop", None, (), False, ()),
    (
        "./build.sh --release",
        {},
        "unknown",
        None,
        (),
        True,
        ("`build.sh` is not a command dockerfix knows",),
    ),
    ("sudo -E env PIP_NO_CACHE_DIR=1 pip install six", {}, "install", "pip", (), False, ()),
]


test_classify = classify_test(CASES)


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("frobnicate", {}, (), True, True),
]


test_writes = writes_test(WRITE_CASES)


@pytest.mark.parametrize(
    ("command", "cost"),
    [
        ("true", 0.0),
        ("mkdir -p /x", 0.1),
        ("apt-get install -y curl", 30.0),
        ("pip install flask", 20.0),
        ("npm ci --ignore-scripts", 20.0),
        ("go build ./...", 20.0),
        ("cargo build", 60.0),
        ("apt-get update", 10.0),
    ],
)
def test_cost(command: str, cost: float) -> None:
    assert run(command, {"package.json": "{}"}).cost == cost


def test_unknown_prefix_values_matter_only_when_the_handler_reads_them() -> None:
    from dockerfix.model.commands import classify

    noted: set[str] = set()
    classify(
        ["yarn", "install", "--frozen-lockfile"],
        unknown=frozenset({"npm_config_target_arch"}),
        noted=noted,
    )
    assert noted == set()
    classify(
        ["pip", "install", "-r", "requirements.txt"],
        unknown=frozenset({"PIP_CONSTRAINT"}),
        noted=noted,
    )
    assert noted == {"PIP_CONSTRAINT"}
