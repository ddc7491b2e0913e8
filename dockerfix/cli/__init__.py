"""The command line: `dockerfix` and its subcommands."""
