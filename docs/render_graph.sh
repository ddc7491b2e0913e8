#!/bin/sh
# Draw the dependency graph that `dockerfix explain --format dot` prints, as docs/explain.svg.
# Needs graphviz (apt-get install graphviz) and dockerfix on PATH (or DOCKERFIX=/path/to/it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
case_dir="$root/fixtures/realbuild/bb-multistage"
"${DOCKERFIX:-dockerfix}" explain "$case_dir/Dockerfile" --context "$case_dir/context" --format dot \
    | dot -Tsvg -o "$here/explain.svg"
echo "wrote $here/explain.svg"
