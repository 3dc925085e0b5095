#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian/Ubuntu machine:
# the Debian packages for the image build and boot tests, and Node.js 22
# (under /opt/node22, from the npm registry) when the system Node is older.
# Run as root (or through sudo). Prints the PATH to use for Node 22.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    exec sudo -E bash "$0" "$@"
fi

DEBIAN_PACKAGES=(
    qemu-system-x86 qemu-utils          # boot test; qemu-img for the image build
    debootstrap                         # the tests' small Debian base image
    gdisk fdisk parted e2fsprogs dosfstools util-linux mount  # partitions, filesystems, loop devices
    grub-pc-bin                         # BIOS boot loader for the tests' base image
    genisoimage                         # NoCloud seed (and isoinfo) for the boot test
    procps python3                      # pgrep in the boot test; the stand-in runner's listener
    shellcheck                          # lint for every shell script, including rendered userdata
    systemd                             # systemd --test checks the units the userdata writes
    curl ca-certificates
)

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${DEBIAN_PACKAGES[@]}" >/dev/null

NODE_MAJOR_WANTED=22
NODE_VERSION=22.23.3
NODE_PREFIX=/opt/node22
current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$current_major" -lt "$NODE_MAJOR_WANTED" ]; then
    case "$(uname -m)" in
        x86_64) node_arch=x64 ;;
        aarch64) node_arch=arm64 ;;
        *) echo "setup: no Node.js $NODE_MAJOR_WANTED package for $(uname -m)" >&2; exit 1 ;;
    esac
    if [ "$("$NODE_PREFIX/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
        # The platform package ships the binary itself: no install script has to run.
        npm install --global --prefix "$NODE_PREFIX" "node-linux-$node_arch@$NODE_VERSION" >/dev/null
    fi
    echo "setup: Node.js $("$NODE_PREFIX/bin/node" --version) installed; use: export PATH=$NODE_PREFIX/bin:\$PATH"
else
    echo "setup: system Node.js $(node --version) is recent enough"
fi
