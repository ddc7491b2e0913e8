"""Table tests for composer: exact reads, declines with reasons, writes."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test, writes_test

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "composer install --no-dev --no-scripts --no-autoloader",
        {
            "composer.json": '{"autoload": {"psr-4": {"App\\\\": "src/"}}, '
            '"scripts": {"post-install-cmd": ["@php artisan optimize"]}}'
        },
        "install",
        "composer",
        ("composer.json", "composer.lock", "auth.json"),
        False,
        (),
    ),
    (
        "composer install --no-dev",
        {"composer.json": '{"autoload": {"psr-4": {"App\\\\": "src/"}}}'},
        "install",
        "composer",
        ("composer.json", "composer.lock", "auth.json"),
        True,
        (
            "composer install generates the autoloader from src/: it reads them (use "
            "--no-autoloader, then dump-autoload)",
        ),
    ),
    (
        "composer install --no-autoloader",
        {"composer.json": '{"scripts": {"post-autoload-dump": "php artisan package:discover"}}'},
        "install",
        "composer",
        ("composer.json", "composer.lock", "auth.json"),
        True,
        (
            "composer.json has a post-autoload-dump script: composer install runs it and it may read "
            "any file",
        ),
    ),
    (
        # composer run from its archive: php reads the archive too.
        "php composer.phar install --no-scripts --no-autoloader",
        {"composer.json": "{}"},
        "install",
        "composer",
        ("composer.json", "composer.lock", "auth.json", "composer.phar"),
        False,
        (),
    ),
    (
        "./composer.phar install --no-scripts --no-autoloader",
        {"composer.json": "{}"},
        "install",
        "composer",
        ("composer.json", "composer.lock", "auth.json"),
        False,
        (),
    ),
    (
        "php artisan migrate",
        {},
        "unknown",
        None,
        (),
        True,
        ("a PHP program may read and write any file",),
    ),
]


test_classify = classify_test(CASES)


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    (
        "composer install --no-scripts --no-autoloader",
        {"COMPOSER_HOME": "/tmp"},
        ("vendor", "/tmp"),
        False,
        True,
    ),
]


test_writes = writes_test(WRITE_CASES)
