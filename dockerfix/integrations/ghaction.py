"""Post dockerfix's rewrites on a GitHub pull request as review suggestions (the Action's engine).

Run by ``action.yml`` as ``python -m dockerfix.integrations.ghaction --base SHA --head SHA``.
Everything but the HTTP calls is pure and tested locally; ``--dry-run`` prints the review
payload instead of posting. Standard library only, so the action needs nothing beyond
dockerfix itself.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dockerfix.integrations.discover import is_dockerfile_name
from dockerfix.records import dataclass

LineRange = tuple[int, int]
MARKER = "<!-- dockerfix-review -->"
API_VERSION = "2022-11-28"
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# Diff options that user configuration (diff.noprefix, external drivers, colour) cannot change.
_DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


class ActionError(Exception):
    """A problem the action reports in one line (exit code 2)."""


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified-diff hunk: ``tag`` is ' ', '-' or '+'; ``old`` its old line number."""

    tag: str
    text: str
    old: int | None


@dataclass(frozen=True)
class Change:
    """One hunk of a rewrite, its outer context trimmed: what a single suggestion would replace."""

    lines: tuple[DiffLine, ...]
    before: DiffLine | None  # the context line above, to anchor a pure insertion
    after: DiffLine | None  # the context line below


@dataclass(frozen=True)
class Suggestion:
    """Old lines ``start``..``end`` of a file replaced by ``text`` (whole lines)."""

    start: int
    end: int
    text: str


# --- git ----------------------------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise ActionError(f"cannot run git: {exc}") from None
    if result.returncode != 0:
        raise ActionError(f"git {args[0]} failed: {result.stderr.strip()}")
    return result.stdout


def changed_dockerfiles(base: str, head: str, repo: Path) -> list[str]:
    """Dockerfiles added, modified or renamed between the merge base of ``base`` and ``head``."""
    out = _git(repo, "diff", "--name-only", "-z", "-M", "--diff-filter=AMR", f"{base}...{head}")
    names = [name for name in out.split("\0") if name]
    return sorted(name for name in names if is_dockerfile_name(Path(name).name))


def pr_added_lines(base: str, head: str, path: str, repo: Path) -> list[LineRange]:
    """Line ranges of ``path`` at ``head`` that the pull request adds or changes (the RIGHT side).

    The whole diff is read, not one pathspec, so that a renamed file is paired with its old name
    as GitHub pairs it (a pathspec would make every line of it look added).
    """
    out = _git(repo, "diff", *_DIFF_OPTIONS, "-U0", "-M", f"{base}...{head}")
    return added_ranges(out, path)


def added_ranges(diff: str, path: str) -> list[LineRange]:
    """The new-side line ranges of ``path``'s hunks in a ``-U0`` git diff."""
    ranges: list[LineRange] = []
    current: str | None = None
    for line in diff.split("\n"):
        if line.startswith("diff --git "):
            current = None
        elif line.startswith("+++ "):
            current = line[len("+++ b/") :] if line.startswith("+++ b/") else None
        elif current == path and (match := _HUNK_HEADER.match(line)):
            start, count = int(match[3]), int(match[4] if match[4] is not None else 1)
            if count:
                ranges.append((start, start + count - 1))
    return ranges


# --- the rewrite's diff -------------------------------------------------------------------------


def parse_changes(diff: str) -> list[Change]:
    """Split a unified diff (one file) into hunks, each trimmed to its first and last change."""
    changes: list[Change] = []
    hunk: list[DiffLine] | None = None  # None until the first hunk header: skips ---/+++ lines
    old = 0
    # split("\n"), not splitlines(): a form feed inside a Dockerfile line is no line break.
    lines = diff.split("\n")
    for line in lines[:-1] if lines[-1] == "" else lines:
        line = line.removesuffix("\r")
        match = _HUNK_HEADER.match(line)
        if match:
            changes.extend(_trim(hunk or []))
            hunk, old = [], int(match[1])
        elif hunk is not None and not line.startswith("\\"):  # "\ No newline at end of file"
            tag, text = (line[:1] or " "), line[1:]
            hunk.append(DiffLine(tag, text, None if tag == "+" else old))
            old += tag != "+"
    changes.extend(_trim(hunk or []))
    return changes


def _trim(hunk: list[DiffLine]) -> list[Change]:
    changed = [i for i, line in enumerate(hunk) if line.tag != " "]
    if not changed:
        return []
    first, last = changed[0], changed[-1]
    before = hunk[first - 1] if first > 0 else None
    after = hunk[last + 1] if last + 1 < len(hunk) else None
    return [Change(tuple(hunk[first : last + 1]), before, after)]


def suggestion_for(change: Change, ranges: Sequence[LineRange]) -> Suggestion | None:
    """The suggestion replacing ``change``, if all the lines it replaces are in one PR range.

    A pure insertion replaces no line, and GitHub needs at least one: it is anchored on the
    context line above (or below) and the suggestion repeats that line.
    """
    options = [change.lines]
    if all(line.tag == "+" for line in change.lines):
        options = [
            (*([change.before] if change.before else []), *change.lines),
            (*change.lines, *([change.after] if change.after else [])),
        ]
    for lines in options:
        olds = [line.old for line in lines if line.old is not None]
        if olds and any(lo <= olds[0] and olds[-1] <= hi for lo, hi in ranges):
            text = "".join(line.text + "\n" for line in lines if line.tag != "-")
            return Suggestion(olds[0], olds[-1], text)
    return None


# --- the review ---------------------------------------------------------------------------------


def _fence(text: str, char: str = "`") -> str:
    longest = max((len(run) for run in re.findall(f"{re.escape(char)}+", text)), default=0)
    return char * max(3, longest + 1)


def _block(kind: str, text: str) -> str:
    fence = _fence(text)
    newline = "" if text.endswith("\n") or not text else "\n"
    return f"{fence}{kind}\n{text}{newline}{fence}"


def _fixes_near(
    fixes: Sequence[Mapping[str, Any]], start: int, end: int
) -> list[Mapping[str, Any]]:
    applied = [f for f in fixes if f.get("applied")]
    near = [f for f in applied if start - 1 <= int(f.get("line", 0)) <= end + 1]
    return near or applied


def _headline(fixes: Sequence[Mapping[str, Any]]) -> str:
    if not fixes:
        return "**dockerfix**: cache-friendlier order"
    return "\n".join(f"**dockerfix {f['code']}**: {f['message']}" for f in fixes)


def _file_comments(entry: Mapping[str, Any], ranges: Sequence[LineRange]) -> list[dict[str, Any]]:
    """Suggestions for every hunk, or one comment with the whole diff if any hunk cannot be one.

    All or nothing per file: the hunks of one rewrite belong together (a move is a deletion
    here and an insertion there), so offering only some of them could change the image.
    """
    path, diff, fixes = entry["path"], entry["diff"], entry.get("fixes", [])
    changes = parse_changes(diff)
    suggestions = [suggestion_for(change, ranges) for change in changes]
    if suggestions and all(s is not None for s in suggestions):
        return [
            _suggestion_comment(path, s, fixes, i, len(suggestions))
            for i, s in enumerate(suggestions, 1)
            if s is not None
        ]
    olds = [line.old for change in changes for line in change.lines if line.old is not None]
    # The PR line nearest to the rewrite carries the comment: GitHub accepts no other line.
    anchor = min((n for r in ranges for n in r), key=lambda n: abs(n - (olds or [1])[0]))
    body = (
        f"{_headline(_fixes_near(fixes, 0, sys.maxsize))}\n\n"
        "This rewrite also changes lines outside this pull request's changes, so it cannot be "
        f"offered as a suggestion. Apply it with `dockerfix --write {path}`, or apply this diff:"
        f"\n\n{_block('diff', diff)}"
    )
    return [{"path": path, "line": anchor, "side": "RIGHT", "body": body}]


def _suggestion_comment(
    path: str, s: Suggestion, fixes: Sequence[Mapping[str, Any]], index: int, total: int
) -> dict[str, Any]:
    body = f"{_headline(_fixes_near(fixes, s.start, s.end))}\n\n{_block('suggestion', s.text)}"
    if total > 1:
        body += (
            f"\n\nPart {index} of {total} of this file's rewrite: apply all {total} together "
            "(Add suggestion to batch); applying only some of them can change the image."
        )
    comment: dict[str, Any] = {"path": path, "line": s.end, "side": "RIGHT", "body": body}
    if s.start != s.end:
        comment.update(start_line=s.start, start_side="RIGHT")
    return comment


def _notes(doc: Mapping[str, Any]) -> list[str]:
    """Review-body bullets: files dockerfix could not read, and fixes it declined or holds back."""
    notes = [f"- not checked: {message}" for message in doc.get("errors", [])]
    for entry in doc.get("files", []):
        path = entry["path"]
        if entry.get("error"):
            notes.append(f"- `{path}`: not checked: {entry['error']}")
        for fix in entry.get("fixes", []):
            if fix.get("applied"):
                continue
            unsafe = fix["tier"] == "unsafe" and "--unsafe-fixes" not in fix["message"]
            hint = " (an unsafe fix: `--unsafe-fixes` applies it)" if unsafe else ""
            notes.append(f"- `{path}` line {fix['line']}: {fix['code']}: {fix['message']}{hint}")
    return notes


def build_review(
    findings_json: Mapping[str, Any] | str,
    pr_lines: Mapping[str, Sequence[LineRange]],
    commit_sha: str,
) -> dict[str, Any]:
    """The body of GitHub's "create a review" request for dockerfix's ``--format json`` output.

    ``pr_lines`` maps each path to the lines the pull request adds (see :func:`pr_added_lines`).
    Files without any such line (a ``.dockerignore`` dockerfix would create) go into the review
    body as diffs. ``body`` is empty when there is nothing to say.
    """
    doc = json.loads(findings_json) if isinstance(findings_json, str) else findings_json
    files = doc.get("files", [])
    comments: list[dict[str, Any]] = []
    elsewhere: list[str] = []
    for entry in files:
        if not entry.get("diff"):
            continue
        ranges = pr_lines.get(entry["path"], [])
        if ranges:
            comments.extend(_file_comments(entry, ranges))
        else:
            elsewhere.append(f"`{entry['path']}`:\n\n{_block('diff', entry['diff'])}")
    notes = _notes(doc)
    body = _review_body(comments, notes, elsewhere)
    return {"commit_id": commit_sha, "event": "COMMENT", "body": body, "comments": comments}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _review_body(comments: list[dict[str, Any]], notes: list[str], elsewhere: list[str]) -> str:
    if not (comments or notes or elsewhere):
        return ""
    suggested = sum("```suggestion" in c["body"] for c in comments)
    parts = [
        f"**dockerfix** reviewed the Dockerfiles this pull request changes: "
        f"{_count(suggested, 'suggestion')}, {_count(len(comments) - suggested, 'other comment')}. "
        "Each rewrite builds the same image, and after a source edit fewer of its steps rerun."
    ]
    if notes:
        parts.append("Not rewritten:\n\n" + "\n".join(notes))
    if elsewhere:
        heading = "Changes to files this pull request does not change:"
        parts.append(heading + "\n\n" + "\n\n".join(elsewhere))
    parts.append(MARKER)
    return "\n\n".join(parts)


def fold_comments(review: Mapping[str, Any]) -> dict[str, Any]:
    """The review with its line comments moved into the body (when GitHub refuses a line)."""
    folded = [
        f"`{c['path']}` line {c.get('start_line', c['line'])}:\n\n{c['body']}"
        for c in review["comments"]
    ]
    body = "\n\n".join([review["body"].replace(MARKER, "").rstrip(), *folded, MARKER])
    return {**review, "body": body, "comments": []}


def drop_posted(
    review: Mapping[str, Any],
    posted_comments: Iterable[Mapping[str, Any]],
    posted_bodies: Iterable[str],
) -> dict[str, Any] | None:
    """The part of ``review`` not posted before on this pull request; None if nothing is new."""
    seen = {(c.get("path"), c.get("line"), c.get("body")) for c in posted_comments}
    fresh = [c for c in review["comments"] if (c["path"], c["line"], c["body"]) not in seen]
    if fresh:
        return {**review, "comments": fresh}
    if review["comments"] or review["body"] in set(posted_bodies):
        return None
    return {**review, "comments": []}


# --- reviewdog mode -----------------------------------------------------------------------------


def reviewdog_commands(
    dockerfix: Sequence[str], files: Sequence[str], extra: Sequence[str], reporter: str
) -> tuple[list[str], list[str]]:
    """``dockerfix --format rdjson FILES | reviewdog ...``: the two commands of the pipe."""
    producer = [*dockerfix, "--format", "rdjson", "--quiet", *extra, "--", *files]
    consumer = [
        "reviewdog",
        "-f=rdjson",
        "-name=dockerfix",
        f"-reporter={reporter}",
        "-filter-mode=added",
    ]
    return producer, consumer


# --- running ------------------------------------------------------------------------------------


def _default_dockerfix() -> list[str]:
    beside = Path(sys.executable).parent / "dockerfix"
    return [str(beside)] if beside.exists() else ["dockerfix"]


def run_dockerfix(
    dockerfix: Sequence[str], files: Sequence[str], extra: Sequence[str], repo: Path
) -> dict[str, Any]:
    """dockerfix's ``--format json`` report on ``files`` (run from the repository root)."""
    command = [*dockerfix, "--format", "json", "--quiet", *extra, "--", *files]
    try:
        result = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ActionError(f"cannot run {command[0]}: {exc}") from None
    # Exit 2 still reports the files it could read; the others are named on stderr.
    if result.returncode not in (0, 1, 2) or not result.stdout.strip():
        raise ActionError(f"dockerfix failed ({result.returncode}): {result.stderr.strip()}")
    doc: dict[str, Any] = json.loads(result.stdout)
    prefix = "dockerfix: error: "
    doc["errors"] = [
        line.removeprefix(prefix) for line in result.stderr.splitlines() if line.startswith(prefix)
    ]
    return doc


def _request(url: str, token: str, payload: Mapping[str, Any] | None = None) -> Any:
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST")
    request.add_header("Accept", "application/vnd.github+json")
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("X-GitHub-Api-Version", API_VERSION)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def _get_all(url: str, token: str) -> list[Any]:
    items: list[Any] = []
    for page in range(1, 11):  # 1000 earlier comments are plenty to recognise our own
        batch = _request(f"{url}?per_page=100&page={page}", token)
        items.extend(batch)
        if len(batch) < 100:
            break
    return items


def post_review(review: Mapping[str, Any], pulls_url: str, token: str) -> None:
    """Post ``review`` unless it was posted before; fold line comments in if GitHub refuses one."""
    posted = _get_all(f"{pulls_url}/comments", token)
    bodies = [r.get("body") or "" for r in _get_all(f"{pulls_url}/reviews", token)]
    fresh = drop_posted(review, posted, bodies)
    if fresh is None:
        print("dockerfix: these findings were posted before; nothing new", file=sys.stderr)
        return
    try:
        _request(f"{pulls_url}/reviews", token, fresh)
    except urllib.error.HTTPError as exc:
        # 422: a line GitHub does not count as part of the diff; the body can always be posted.
        if exc.code != 422 or not fresh["comments"]:
            raise
        _request(f"{pulls_url}/reviews", token, fold_comments(fresh))


def _pull_request_number(given: int | None) -> int:
    if given is not None:
        return given
    event_path = os.environ.get("GITHUB_EVENT_PATH")
    if event_path and Path(event_path).is_file():
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
        number = (event.get("pull_request") or {}).get("number")
        if isinstance(number, int):
            return number
    raise ActionError("not a pull request event: pass --pr NUMBER")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dockerfix.integrations.ghaction",
        description="Post dockerfix's rewrites on a GitHub pull request as review suggestions.",
    )
    parser.add_argument("--base", required=True, help="base commit of the pull request")
    parser.add_argument("--head", required=True, help="head commit (must be checked out)")
    parser.add_argument("--repo", type=Path, default=Path("."), help="repository root")
    parser.add_argument("--mode", choices=("review", "reviewdog"), default="review")
    parser.add_argument("--dry-run", action="store_true", help="print instead of posting")
    parser.add_argument("--dockerfix", help="the dockerfix executable (default: the installed one)")
    parser.add_argument("--dockerfix-args", default="", help="extra dockerfix options")
    parser.add_argument("--reviewdog-reporter", default="github-pr-review")
    parser.add_argument("--pr", type=int, help="pull request number (default: from the event)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when done (posted, printed or nothing to say), 1 when posting failed, 2 on errors."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except ActionError as exc:
        print(f"dockerfix: error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    repo: Path = args.repo
    head = _git(repo, "rev-parse", "--verify", f"{args.head}^{{commit}}").strip()
    if _git(repo, "rev-parse", "HEAD").strip() != head:
        raise ActionError(
            f"the checkout is not the pull request head {head[:12]}: check out "
            "`github.event.pull_request.head.sha` (line numbers refer to it)"
        )
    try:
        _git(repo, "merge-base", args.base, head)
    except ActionError:
        raise ActionError(
            f"no merge base of {args.base} and {head[:12]}: check out with `fetch-depth: 0`"
        ) from None
    files = changed_dockerfiles(args.base, head, repo)
    if not files:
        print("dockerfix: no Dockerfile changed in this pull request", file=sys.stderr)
        return 0
    dockerfix = [args.dockerfix] if args.dockerfix else _default_dockerfix()
    extra = shlex.split(args.dockerfix_args)
    if args.mode == "reviewdog":
        return _run_reviewdog(dockerfix, files, extra, args)
    findings = run_dockerfix(dockerfix, files, extra, repo)
    pr_lines = {
        entry["path"]: pr_added_lines(args.base, head, entry["path"], repo)
        for entry in findings["files"]
    }
    review = build_review(findings, pr_lines, head)
    if not review["body"]:
        print("dockerfix: nothing to suggest", file=sys.stderr)
        return 0
    if args.dry_run:
        print(json.dumps(review, indent=2))
        return 0
    return _post(review, args.pr)


def _post(review: Mapping[str, Any], pr: int | None) -> int:
    token = os.environ.get("GITHUB_TOKEN")
    repository = os.environ.get("GITHUB_REPOSITORY")
    if not token or not repository:
        raise ActionError("GITHUB_TOKEN and GITHUB_REPOSITORY must be set to post (or --dry-run)")
    api = os.environ.get("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    pulls_url = f"{api}/repos/{repository}/pulls/{_pull_request_number(pr)}"
    try:
        post_review(review, pulls_url, token)
    except (urllib.error.URLError, OSError) as exc:
        detail = ""
        if isinstance(exc, urllib.error.HTTPError):
            detail = exc.read().decode("utf-8", "replace")
        print(f"dockerfix: error: posting the review failed: {exc} {detail}", file=sys.stderr)
        return 1
    print(f"dockerfix: posted a review with {len(review['comments'])} comment(s)", file=sys.stderr)
    return 0


def _run_reviewdog(
    dockerfix: list[str], files: list[str], extra: list[str], args: argparse.Namespace
) -> int:
    producer, consumer = reviewdog_commands(dockerfix, files, extra, args.reviewdog_reporter)
    if args.dry_run:
        print(f"{shlex.join(producer)} | {shlex.join(consumer)}")
        return 0
    if shutil.which("reviewdog") is None:
        raise ActionError("mode reviewdog needs reviewdog on PATH (uses: reviewdog/action-setup)")
    env = dict(os.environ)
    env.setdefault("REVIEWDOG_GITHUB_API_TOKEN", env.get("GITHUB_TOKEN", ""))
    report = subprocess.run(producer, cwd=args.repo, capture_output=True, check=False)
    if report.returncode not in (0, 1, 2) or not report.stdout.strip():
        raise ActionError(f"dockerfix failed ({report.returncode}): {report.stderr.decode()}")
    posted = subprocess.run(consumer, cwd=args.repo, input=report.stdout, env=env, check=False)
    return posted.returncode


if __name__ == "__main__":
    sys.exit(main())
