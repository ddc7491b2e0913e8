"""JVM build tools: Maven, Gradle and sbt."""

from __future__ import annotations

import posixpath
import re

from dockerfix.model.commands._base import (
    Args,
    CommandEffect,
    Ecosystem,
    _build_all,
    _Ctx,
    _Reads,
    _simple,
    join,
    norm,
    parse_args,
    unknown_effect,
)
from dockerfix.model.commands._registry import handles

ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem(
        name="maven",
        manifests=("pom.xml", ".mvn/", "mvnw"),
        detect=("pom.xml",),
        install_examples=("mvn -B dependency:go-offline", "./mvnw -B package -DskipTests"),
        extra_reads="module poms (`<modules>`), the parent pom (`relativePath`), .mvn/ "
        "configuration and extensions; lifecycle phases read all sources; "
        "go-offline may miss plugins resolved only during the build",
        unsafe_variant="`mvn dependency:go-offline` before `COPY src src`, then `mvn -o package`",
        output_dirs=("target",),
        dependency_install=("mvn", "dependency:go-offline"),
    ),
    Ecosystem(
        name="gradle",
        manifests=(
            "settings.gradle",
            "settings.gradle.kts",
            "build.gradle",
            "build.gradle.kts",
            "gradle.properties",
            "gradle/",
            "gradlew",
            "buildSrc/",
        ),
        detect=("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts"),
        install_examples=("gradle dependencies --no-daemon", "./gradlew build -x test"),
        extra_reads="subproject build files from `include(...)` in settings, included builds, "
        "scripts applied with `apply from`; build scripts are code and may read "
        "other files",
        unsafe_variant="`./gradlew dependencies` before `COPY src src`, then the build",
        output_dirs=("build", ".gradle"),
        dependency_install=("gradle", "dependencies"),
    ),
    Ecosystem(
        name="sbt",
        manifests=("build.sbt", "*.sbt", "project/", ".sbtopts", ".jvmopts"),
        detect=("build.sbt", "project/build.properties"),
        install_examples=("sbt update", "sbt stage"),
        extra_reads="project/ holds plugins and build code; subprojects' *.sbt "
        '(`file("x")`); compiling reads the sources',
        unsafe_variant="`sbt update` before `COPY src src`",
        output_dirs=("target", "project/target"),
        dependency_install=("sbt", "update"),
    ),
)

_MVN_VALUE = (
    "-f",
    "--file",
    "-s",
    "--settings",
    "-gs",
    "--global-settings",
    "-t",
    "--toolchains",
    "-P",
    "--activate-profiles",
    "-pl",
    "--projects",
    "-rf",
    "--resume-from",
    "-T",
    "--threads",
    "-l",
    "--log-file",
    "-D",
    "--define",
    "-b",
    "--builder",
    "-gt",
    "--global-toolchains",
    "--color",
)
_MVN_RESOLVE = re.compile(
    r"(dependency|(org\.apache\.maven\.plugins:)?maven-dependency-plugin(:[^:]+)?)"
    r":(go-offline|resolve|resolve-plugins|sources|resolve-sources)"
    r"|(de\.qaware\.maven:)?go-offline-maven-plugin(:[^:]+)?:resolve-dependencies"
    r"|help:(evaluate|effective-pom|active-profiles|describe)"
)


def _mvn_args(args: list[str]) -> Args:
    # Maven's `-Dx=y`, `-pl a` and `-gs f` are multi-letter single-dash options.
    words: list[str] = []
    for word in args:
        if re.match(r"-D.", word):
            words += ["-D", word[2:]]
        elif re.fullmatch(r"-[a-z]{2,}", word) and word not in _MVN_VALUE:
            words.append("-" + word)  # `-ntp`, `-am`: flags, not bundles
        else:
            words.append(word)
    return parse_args(words, _MVN_VALUE)


def _pom(ctx: _Ctx, acc: _Reads, path: str, seen: set[str]) -> None:
    if path in seen:
        return
    seen.add(path)
    acc.add(path)
    text = ctx.text(path)
    if text is None:
        acc.decline(f"{path} is not known: cannot tell its modules and parent")
        return
    folder = posixpath.dirname(path)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    parent = re.search(r"<parent>(.*?)</parent>", text, re.DOTALL)
    if parent:
        relative = re.search(r"<relativePath\s*>\s*([^<]*?)\s*</relativePath>", parent.group(1))
        empty = re.search(r"<relativePath\s*/>", parent.group(1))
        target = relative.group(1) if relative else ("" if empty else "..")
        if target:
            acc.add(_pom_file(join(folder, target)))
    for module in re.findall(r"<module>\s*([^<]+?)\s*</module>", text):
        _pom(ctx, acc, _pom_file(join(folder, module)), seen)


def _pom_file(path: str) -> str:
    return path if path.endswith(".xml") else join(path, "pom.xml")


@handles("mvn", "mvnw")
def _mvn(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = _mvn_args(args)
    goals = list(parsed.positionals)
    pom = parsed.last("-f", "--file") or "pom.xml"
    pom = _pom_file(pom)
    base = posixpath.dirname(pom)
    props = dict(d.partition("=")[::2] for d in parsed.values("-D", "--define"))
    repo = props.get("maven.repo.local") or f"{ctx.home}/.m2"
    if parsed.has("-v", "--version", "-h", "--help") and not goals:
        return _simple("noop", "maven")
    settings = parsed.values(
        "-s",
        "--settings",
        "-gs",
        "--global-settings",
        "-t",
        "--toolchains",
        "-gt",
        "--global-toolchains",
    )
    wrapper = (join(base, "mvnw"), join(base, ".mvn/wrapper")) if prog.startswith("mvnw") else ()
    if not goals or not all(_MVN_RESOLVE.fullmatch(g) for g in goals):
        phase = next((g for g in goals if not _MVN_RESOLVE.fullmatch(g)), "")
        return _build_all(
            "maven",
            f"mvn {phase} runs the build lifecycle: it reads the sources"
            if phase
            else "mvn without goals runs the project's default goal",
            (norm(base), repo),
            cost=60.0,
        )
    acc = _Reads()
    _pom(ctx, acc, pom, set())
    acc.add(join(base, ".mvn"), *wrapper)
    acc.name(*settings)
    # .mvn/maven.config holds more command-line options, a settings file among them.
    config = _mvn_args((ctx.text(join(base, ".mvn/maven.config")) or "").split())
    for value in config.values("-s", "--settings", "-gs", "--global-settings"):
        acc.name(value if value.startswith("/") else join(base, value))
    return acc.effect(
        "download", "maven", [repo], network=not parsed.has("-o", "--offline"), cost=40.0
    )


_GRADLE_VALUE = (
    "-p",
    "--project-dir",
    "-b",
    "--build-file",
    "-c",
    "--settings-file",
    "-g",
    "--gradle-user-home",
    "-x",
    "--exclude-task",
    "-I",
    "--init-script",
    "--console",
    "--warning-mode",
    "--max-workers",
    "--priority",
    "--project-cache-dir",
    "--include-build",
    "-M",
    "--write-verification-metadata",
    "--dependency-verification",
    "-F",
)
_GRADLE_SAFE_TASKS = frozenset(
    {
        "dependencies",
        "buildEnvironment",
        "help",
        "projects",
        "properties",
        "tasks",
        "javaToolchains",
        "outgoingVariants",
        "dependencyInsight",
        "androidDependencies",
    }
)


def _gradle_args(args: list[str]) -> Args:
    words: list[str] = []
    for word in args:
        if re.match(r"-[DP].", word):
            words += [word[:2], word[2:]]
        else:
            words.append(word)
    return parse_args(words, (*_GRADLE_VALUE, "-D", "-P"))


def _gradle_settings(ctx: _Ctx, acc: _Reads, base: str) -> None:
    for name in ("settings.gradle", "settings.gradle.kts"):
        text = ctx.text(join(base, name))
        if text is None:
            continue
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.DOTALL)
        if re.search(
            r"projectDir\s*=|\beachDir\b|listFiles\(|\.forEach\b|\.each\b|\bfor\s*\(", code
        ):
            acc.decline(
                f"{join(base, name)} computes its project layout: the subprojects "
                "cannot be listed statically"
            )
        for statement in re.finditer(
            r"\b(include|includeFlat|includeBuild)\b\s*\(?([^\n)]*)", code
        ):
            for project in re.findall(r"[\"']([^\"']+)[\"']", statement.group(2)):
                _gradle_project(acc, base, statement.group(1), project)


def _gradle_project(acc: _Reads, base: str, how: str, project: str) -> None:
    if how == "includeBuild":
        acc.add(join(base, project))
        return
    folder = project.strip(":").replace(":", "/")
    folder = join("..", folder) if how == "includeFlat" else folder
    acc.add(
        *(
            join(join(base, folder), f)
            for f in ("build.gradle", "build.gradle.kts", "gradle.properties")
        )
    )


@handles("gradle", "gradlew")
def _gradle(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = _gradle_args(args)
    base = parsed.last("-p", "--project-dir") or "."
    tasks = [t.rsplit(":", 1)[-1] for t in parsed.positionals]
    home = (
        parsed.last("-g", "--gradle-user-home")
        or ctx.env.get("GRADLE_USER_HOME")
        or f"{ctx.home}/.gradle"
    )
    writes = [home, join(base, ".gradle")]
    if parsed.has("-v", "--version", "-h", "--help", "-?") and not tasks:
        return _simple("noop", "gradle")
    dry_run = parsed.has("-m", "--dry-run")
    if tasks and not dry_run and not all(t in _GRADLE_SAFE_TASKS for t in tasks):
        task = next(t for t in parsed.positionals if t.rsplit(":", 1)[-1] not in _GRADLE_SAFE_TASKS)
        return _build_all(
            "gradle",
            f"gradle {task} compiles and packages the sources",
            (norm(base), *writes),
            cost=60.0,
        )
    acc = _Reads()
    acc.add(
        *(
            join(base, f)
            for f in (
                "settings.gradle",
                "settings.gradle.kts",
                "build.gradle",
                "build.gradle.kts",
                "gradle.properties",
                "gradle",
                "buildSrc",
            )
        )
    )
    if prog.startswith("gradlew"):
        acc.add(join(base, "gradlew"))
        # A distribution the wrapper takes from the project (`distributionUrl=../dist/…zip`).
        props = ctx.text(join(base, "gradle/wrapper/gradle-wrapper.properties")) or ""
        for url in re.findall(r"^\s*distributionUrl\s*=\s*(\S+)", props, re.MULTILINE):
            local = re.sub(r"^file:(//)?", "", url)
            if "://" not in local and not local.startswith("/") and "$" not in local:
                acc.add(join(join(base, "gradle/wrapper"), local))
    acc.add(*parsed.values("-b", "--build-file", "-c", "--settings-file", "-I", "--init-script"))
    _gradle_settings(ctx, acc, base)
    for name in ("build.gradle", "build.gradle.kts"):
        for script in re.findall(
            r"apply\s*\(?\s*from\s*[:=]\s*[\"']([^\"']+)[\"']", ctx.text(join(base, name)) or ""
        ):
            if "://" not in script:
                acc.add(join(base, script))
    return acc.effect("download", "gradle", writes, network=not parsed.has("--offline"), cost=40.0)


_SBT_SAFE = frozenset(
    {
        "update",
        "updateClassifiers",
        "updateSbtClassifiers",
        "about",
        "sbtVersion",
        "projects",
        "exit",
        "reload",
        "evicted",
    }
)


@handles("sbt")
def _sbt(ctx: _Ctx, prog: str, args: list[str]) -> CommandEffect:
    parsed = parse_args(
        [a for a in args if not re.match(r"-[DJX]", a)],
        (
            "-mem",
            "-sbt-version",
            "-java-home",
            "-sbt-dir",
            "-ivy",
            "--sbt-dir",
            "-jvm-debug",
            "--mem",
            "-sbt-jar",
        ),
    )
    commands = [c.strip() for word in parsed.positionals for c in word.split(";") if c.strip()]
    writes = [
        f"{ctx.home}/.ivy2",
        f"{ctx.home}/.sbt",
        f"{ctx.home}/.cache/coursier",
        "target",
        "project/target",
        "project/project",
    ]
    if not commands:
        return unknown_effect(args, "sbt without commands starts an interactive shell")
    names = [re.split(r"[/:]", c.split()[0])[-1] for c in commands]
    if not all(n in _SBT_SAFE for n in names):
        bad = next(c for c, n in zip(commands, names, strict=True) if n not in _SBT_SAFE)
        return _build_all("sbt", f"sbt {bad} compiles the sources", (".", *writes), cost=60.0)
    acc = _Reads()
    acc.add("build.sbt", "*.sbt", "project", ".sbtopts", ".jvmopts")
    text = ctx.text("build.sbt") or ""
    for folder in re.findall(r"\bfile\(\s*\"([^\"]+)\"\s*\)", text):
        if norm(folder).startswith(".."):
            acc.decline(f"build.sbt refers to a project outside the build directory: {folder}")
        acc.add(join(folder, "*.sbt"))
    return acc.effect("download", "sbt", writes, network=True, cost=60.0)
