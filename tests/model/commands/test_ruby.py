"""Table tests for bundler and gem: exact reads, declines with reasons, writes."""

from __future__ import annotations

from tests.model.commands.helpers import classify_test, writes_test

# (command, files, kind, ecosystem, reads, reads_all, reasons)
CASES = [
    (
        "bundle install --jobs 4",
        {"Gemfile": "source 'https://rubygems.org'\ngem 'rails'\n"},
        "install",
        "bundler",
        ("Gemfile", "Gemfile.lock", ".bundle/config", "vendor/cache"),
        False,
        (),
    ),
    (
        "bundle install",
        {"Gemfile": "source 'https://rubygems.org'\ngemspec\n"},
        "install",
        "bundler",
        ("Gemfile", "*.gemspec", "Gemfile.lock", ".bundle/config", "vendor/cache"),
        True,
        (
            "Gemfile has a gemspec line: bundler loads the *.gemspec, which usually reads "
            "lib/…/version.rb and lists files with git ls-files",
        ),
    ),
    (
        "bundle install",
        {"Gemfile": "gem 'engine', path: 'engines/engine'\n"},
        "install",
        "bundler",
        ("Gemfile", "Gemfile.lock", ".bundle/config", "vendor/cache"),
        True,
        (
            "Gemfile installs a gem from a local path (gem 'engine', path: 'engines/engine'): "
            "bundler reads its files",
        ),
    ),
    (
        "bundle install",
        {"Gemfile": "eval_gemfile 'Gemfile.shared'\n", "Gemfile.shared": "gem 'pg'\n"},
        "install",
        "bundler",
        ("Gemfile", "Gemfile.shared", "Gemfile.lock", ".bundle/config", "vendor/cache"),
        False,
        (),
    ),
    ("gem install bundler -v 2.5.0 --no-document", {}, "install", "bundler", (), False, ()),
]


test_classify = classify_test(CASES)


# (command, env, writes, writes_all, network)
WRITE_CASES = [
    ("bundle install --deployment", {}, ("vendor/bundle", ".bundle/config"), False, True),
]


test_writes = writes_test(WRITE_CASES)


def test_the_config_files_settings_make_an_install_frozen() -> None:
    from tests.model.commands.helpers import run

    gemfile = {"Gemfile": "source 'https://rubygems.org'\ngem 'rack'\n"}
    assert "Gemfile.lock" in run("bundle install", gemfile).writes
    for config in (
        '---\nBUNDLE_DEPLOYMENT: "true"\n',
        "---\nBUNDLE_FROZEN: 'true'\n",
    ):
        frozen = run("bundle install", {**gemfile, ".bundle/config": config})
        assert "Gemfile.lock" not in frozen.writes, config
    # The user's config counts too; a setting of something else does not.
    user = run("bundle install", {**gemfile, "/root/.bundle/config": 'BUNDLE_FROZEN: "1"\n'})
    assert "Gemfile.lock" not in user.writes
    other = run("bundle install", {**gemfile, ".bundle/config": 'BUNDLE_WITHOUT: "test"\n'})
    assert "Gemfile.lock" in other.writes
