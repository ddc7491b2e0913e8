"""Which JavaScript installs may rewrite their lock file, and which leave devDependencies
out: the flags and environment npm, Yarn and pnpm read for it."""

from __future__ import annotations

from dockerfix.model.commands._base import Args, _Ctx, _truthy


def npm_dev(ctx: _Ctx, parsed: Args) -> bool:
    """npm installs devDependencies: not with `--omit=dev`, `--production`, `--only=prod`, or
    NODE_ENV=production (unless `--include=dev`)."""
    omitted = {*parsed.values("--omit"), *(ctx.env.get("npm_config_omit", "").split())}
    if "dev" in parsed.values("--include"):
        return True
    only = parsed.last("--only") or ""
    return not (
        "dev" in omitted
        or parsed.has("--production")
        or only.startswith("prod")
        or _truthy(ctx.env.get("npm_config_production"))
        or ctx.env.get("NODE_ENV") == "production"
    )


def yarn_frozen(ctx: _Ctx, parsed: Args, flavour: str) -> bool:
    """The install leaves yarn.lock as it is: `--frozen-lockfile` (Yarn 1; Yarn 2+ takes it
    for `--immutable`), `--pure-lockfile` (Yarn 1), `--immutable` (Yarn 2+, its default when
    CI is set)."""
    if parsed.has("--frozen-lockfile"):
        return True
    if flavour == "yarn-classic":
        return parsed.has("--pure-lockfile") or _truthy(ctx.env.get("YARN_FROZEN_LOCKFILE"))
    immutable = parsed.has("--immutable") or _truthy(ctx.env.get("YARN_ENABLE_IMMUTABLE_INSTALLS"))
    if flavour == "yarn-berry":
        return immutable or (
            _truthy(ctx.env.get("CI")) and "YARN_ENABLE_IMMUTABLE_INSTALLS" not in ctx.env
        )
    return immutable or parsed.has("--pure-lockfile")  # Yarn 2+ refuses the latter


def pnpm_frozen(ctx: _Ctx, parsed: Args) -> bool:
    """`pnpm install` leaves pnpm-lock.yaml as it is: `--frozen-lockfile`, or CI set (its
    default there) without `--no-frozen-lockfile`."""
    if parsed.has("--no-frozen-lockfile") or parsed.has("--prefer-frozen-lockfile"):
        return False
    return (
        parsed.has("--frozen-lockfile")
        or _truthy(ctx.env.get("npm_config_frozen_lockfile"))
        or _truthy(ctx.env.get("CI"))
    )
