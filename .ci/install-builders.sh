#!/bin/sh
# Install the tools real-build tests need: docker.io (dockerd and a 20.10 client with BuildKit
# built in), buildah (a second engine), busybox-static (a tiny base image without a registry)
# and debootstrap (a Debian base image). The tests start dockerd themselves when none runs.
# Idempotent: does nothing when every package is already installed.
set -eu

packages="docker.io buildah busybox-static debootstrap"

missing=""
for pkg in $packages; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -z "$missing" ]; then
    echo "install-builders: already installed:$(printf ' %s' $packages)"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi

echo "install-builders: installing:$missing"
$SUDO apt-get update
# shellcheck disable=SC2086  # word splitting of the package list is intended
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
buildah --version
/usr/bin/docker --version
