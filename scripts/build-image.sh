#!/usr/bin/env bash
# Turns an Ubuntu cloud image into a GitHub Actions runner image (qcow2) plus
# a manifest JSON next to it. Runs as root (re-executes through sudo when
# not); needs qemu-img, sfdisk, partx, losetup, e2fsck/resize2fs, curl.
# No nbd: the image is converted to raw and its partitions are reached
# through loop devices at their offsets.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/image/common.sh
. "$script_dir/image/common.sh"
# shellcheck source=scripts/image/download.sh
. "$script_dir/image/download.sh"
# shellcheck source=scripts/image/disk.sh
. "$script_dir/image/disk.sh"
# shellcheck source=scripts/image/customize.sh
. "$script_dir/image/customize.sh"
# shellcheck source=scripts/image/options.sh
. "$script_dir/image/options.sh"
# shellcheck source=scripts/image/manifest.sh
. "$script_dir/image/manifest.sh"

parse_options "$@"
validate_options

if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null || usage_error "must run as root (loop devices, mounts, chroot), and sudo is not installed"
    sudo_options=("--preserve-env=BUILD_IMAGE_HTTP_PROXY,BUILD_IMAGE_HTTPS_PROXY,BUILD_IMAGE_NO_PROXY,http_proxy,https_proxy,no_proxy,NODE_EXTRA_CA_CERTS")
    # Without a terminal (pulumi up in CI) sudo cannot ask for a password: fail at once instead of hanging.
    [[ -t 0 ]] || sudo_options+=(--non-interactive)
    exec sudo "${sudo_options[@]}" -- "$script_dir/build-image.sh" "$@"
fi

step "check the host"
require_host_tools
require_arch_support "$target_arch"

mkdir -p "$cache_dir" "$(dirname "$output")"
cache_dir="$(realpath "$cache_dir")"
output="$(realpath "$output")"
log_file="${output%.qcow2}.build.log"
start_logging "$log_file"

work="$(mktemp -d "${TMPDIR:-/var/tmp}/build-image.XXXXXX")"
root="$work/root"
raw="$work/disk.raw"
added_policy_rc_d=0
replaced_resolv_conf=0

cleanup() {
    local status=$?
    set +e
    if [[ -d "$root" ]] && mountpoint -q "$root"; then
        allow_service_starts
        restore_image_dns
    fi
    unmount_tree "$root"
    detach_loops
    rm -rf "$work" "$output.partial"
    if ((status != 0)) && [[ ! -e "$failure_note" ]]; then
        printf 'build-image: step "%s" failed (exit %s); last lines of %s:\n' "$current_step" "$status" "$log_file" >&4
        tail -n 25 "$log_file" | sed 's/^/    /' >&4
    fi
    rm -f "$failure_note"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "download the base image"
if [[ -z "$base_image_sha256" ]]; then
    base_image_sha256="$(lookup_listed_sha256 "$base_image_url")"
fi
base_image_file="$(fetch_verified "$base_image_url" "$base_image_sha256" "$cache_dir/downloads")"

step "download the runner tarball"
runner_file="$(fetch_verified "$runner_url" "$runner_sha256" "$cache_dir/downloads")"

step "download yq $yq_version"
yq_file="$(fetch_verified "$yq_url" "$yq_sha256" "$cache_dir/downloads")"

step "convert the base image to raw"
mkdir -p "$root"
qemu-img convert -O raw "$base_image_file" "$raw" || die "qemu-img could not read $base_image_file as a disk image"

step "grow the disk by $disk_growth and partition 1 to the end"
grow_disk_and_root_partition "$raw" "$disk_growth"

step "grow the root filesystem"
attach_disk "$raw"
attach_partition "$raw" 1
root_device="$attached_device"
check_and_resize_filesystem "$root_device"

step "mount the image"
mount "$root_device" "$root" || die "could not mount partition 1 of the image"
[[ -f "$root/etc/os-release" ]] || die "partition 1 of the base image is not a root filesystem (no /etc/os-release)"
mount_other_partitions "$raw" "$root"
mount_chroot_filesystems "$root"
if [[ -n "$apt_cache_dir" ]]; then
    mkdir -p "$apt_cache_dir"
    mount --bind "$(realpath "$apt_cache_dir")" "$root/var/cache/apt/archives"
fi
forbid_service_starts
use_host_dns
share_host_ca_for_build

step "apt-get update and upgrade (kernel and boot loader held)"
hold_boot_packages
apt_in_root update || die "apt-get update failed inside the image (see the log)"
apt_in_root upgrade || die "apt-get upgrade failed inside the image (see the log)"

packages=(docker.io npm python3-pip python-is-python3 shellcheck jq wget unzip gh git ca-certificates curl "${extra_packages[@]}")
step "install packages: ${packages[*]}"
apt_in_root install --no-install-recommends "${packages[@]}" ||
    die "apt-get install of ${packages[*]} failed inside the image: $(grep -E '^E: ' "$log_file" | tail -n 3 | tr '\n' ' ')"

step "install yarn with npm"
in_root npm install --global yarn || die "npm install --global yarn failed inside the image (see the log)"

step "install yq $yq_version"
install_yq "$yq_file"

step "remove unattended-upgrades"
remove_unattended_upgrades

step "start docker on first use (socket activation), so boot-time settings need no restart"
socket_activate_docker || die "could not switch docker to socket activation inside the image (see the log)"

step "create user ubuntu in group docker"
ensure_runner_user

step "make /usr/local/bin writable by all"
chmod 0777 "$root/usr/local/bin"

step "unpack runner $runner_version into /home/ubuntu/actions-runner"
install_runner "$runner_file"

step "install the runner's dependencies"
install_runner_dependencies

step "write proxy settings for apt, npm and docker"
write_apt_proxy
write_npm_proxy
write_docker_proxy

step "record installed versions"
os_name="$(os_release_id)"
declare -A versions=()
for package in docker.io npm python3 gh jq shellcheck git; do
    versions[$package]="$(installed_version "$package")"
done
yarn_version="$(in_root yarn --version || true)"

step "clean the image for first boot"
if [[ -n "$apt_cache_dir" ]]; then
    umount "$root/var/cache/apt/archives"
fi
release_boot_packages
clean_for_first_boot
allow_service_starts
restore_image_dns
fstrim "$root" || true

step "unmount the image"
unmount_tree "$root"
e2fsck -f -p "$root_device" || (($? <= 1)) || die "the root filesystem has errors after the build"
detach_loops

step "compress to qcow2"
qemu-img convert -c -f raw -O qcow2 "$raw" "$output.partial" || die "qemu-img could not write $output.partial"
mv "$output.partial" "$output"
output_sha256="$(sha256_of "$output")"
output_size="$(stat -c %s "$output")"

step "write the manifest"
write_manifest "${output%.qcow2}.manifest.json"
rm -rf "$work"
step "done: $output ($output_size bytes, sha256 $output_sha256)"
