"""Table tests for Maven, Gradle and sbt: exact reads, declines with reasons, writes."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test, writes_test

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "mvn -B -ntp dependency:go-offline",
        {
            "pom.xml": "<project><modules><module>core</module></modules></project>",
            "core/pom.xml": "<project><parent><artifactId>p</artifactId></parent></project>",
        },
        "download",
        "maven",
        ("pom.xml", "core/pom.xml", ".mvn"),
        False,
        (),
    ),
    (
        "./mvnw dependency:resolve -s settings.xml",
        {"pom.xml": "<project><parent><relativePath/></parent></project>"},
        "download",
        "maven",
        ("pom.xml", ".mvn", "mvnw", ".mvn/wrapper", "settings.xml"),
        False,
        (),
    ),
    (
        "mvn -B package -DskipTests",
        {},
        "build",
        "maven",
        (),
        True,
        ("mvn package runs the build lifecycle: it reads the sources",),
    ),
    (
        "mvn dependency:go-offline",
        {},
        "download",
        "maven",
        ("pom.xml", ".mvn"),
        True,
        ("pom.xml is not known: cannot tell its modules and parent",),
    ),
    (
        "gradle dependencies --no-daemon",
        {"settings.gradle": "include 'app'\n"},
        "download",
        "gradle",
        (
            "settings.gradle",
            "settings.gradle.kts",
            "build.gradle",
            "build.gradle.kts",
            "gradle.properties",
            "gradle",
            "buildSrc",
            "app/build.gradle",
            "app/build.gradle.kts",
            "app/gradle.properties",
        ),
        False,
        (),
    ),
    (
        "./gradlew build -x test",
        {},
        "build",
        "gradle",
        (),
        True,
        ("gradle build compiles and packages the sources",),
    ),
    (
        "gradle dependencies",
        {"settings.gradle.kts": 'file("modules").listFiles()!!.forEach { include(it.name) }\n'},
        "download",
        "gradle",
        (
            "settings.gradle",
            "settings.gradle.kts",
            "build.gradle",
            "build.gradle.kts",
            "gradle.properties",
            "gradle",
            "buildSrc",
        ),
        True,
        (
            "settings.gradle.kts computes its project layout: the subprojects cannot be listed "
            "statically",
        ),
    ),
    (
        "sbt -batch update",
        {},
        "download",
        "sbt",
        ("build.sbt", "*.sbt", "project", ".sbtopts", ".jvmopts"),
        False,
        (),
    ),
    ("sbt clean stage", {}, "build", "sbt", (), True, ("sbt clean compiles the sources",)),
]


test_classify = classify_test(CASES)


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("mvn -o dependency:go-offline -Dmaven.repo.local=/m2", {}, ("/m2",), False, False),
]


test_writes = writes_test(WRITE_CASES)
