#!/usr/bin/env bash
# Makes a small Debian cloud image shaped like Ubuntu's cloud images, for the
# image build and boot tests (Ubuntu's image server is not reachable from CI):
# GPT, BIOS boot partition 14 and an (empty) ESP 15 labelled UEFI mounted at
# /boot/efi at the front, ext4 root "cloudimg-rootfs" on
# partition 1 up to the end of the disk, GRUB for BIOS, serial console,
# cloud-init, unattended-upgrades (as Ubuntu has it, for the build to remove),
# apt pointed at Debian's mirror. Output: a compressed qcow2.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: make-base-image.sh --output FILE.qcow2 [--package-cache DIR] [--mirror URL] [--suite NAME] [--size SIZE]
USAGE
}

output=""
package_cache=""
mirror="http://deb.debian.org/debian"
security_mirror="http://deb.debian.org/debian-security"
suite="bookworm"
size="2G"
while (($#)); do
    case "$1" in
        --output) output="$2"; shift 2 ;;
        --package-cache) package_cache="$2"; shift 2 ;;
        --mirror) mirror="$2"; shift 2 ;;
        --suite) suite="$2"; shift 2 ;;
        --size) size="$2"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "make-base-image: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ -n "$output" ]] || { echo "make-base-image: --output is required" >&2; exit 2; }
[[ $EUID -eq 0 ]] || { echo "make-base-image: must run as root (loop devices, mounts, chroot)" >&2; exit 2; }

current_step="start"
step() {
    current_step="$1"
    echo "==> base image: $current_step"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/base-image.XXXXXX")"
root="$work/root"
raw="$work/disk.raw"
disk_loop=""
root_loop=""
esp_loop=""

cleanup() {
    local status=$?
    set +e
    if ((status != 0)); then
        echo "make-base-image: step '$current_step' failed (exit $status)" >&2
    fi
    local mountpoint_path
    for mountpoint_path in "$root/var/cache/apt/archives" "$root/dev/pts" "$root/dev" "$root/proc" "$root/sys" "$root/run" "$root"; do
        if mountpoint -q "$mountpoint_path"; then
            umount "$mountpoint_path" || umount --lazy "$mountpoint_path"
        fi
    done
    [[ -n "$esp_loop" ]] && losetup --detach "$esp_loop"
    [[ -n "$root_loop" ]] && losetup --detach "$root_loop"
    [[ -n "$disk_loop" ]] && losetup --detach "$disk_loop"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

in_root() {
    chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"
}

step "partition a $size disk like an Ubuntu cloud image"
mkdir -p "$root"
truncate --size "$size" "$raw"
sgdisk --zap-all \
    --new=14:2048:+4M --typecode=14:ef02 --change-name=14:bios \
    --new=15:0:+16M --typecode=15:ef00 --change-name=15:esp \
    --new=1:0:0 --typecode=1:8300 --change-name=1:cloudimg-rootfs \
    "$raw" >/dev/null
first_sector="$(sgdisk --info=1 "$raw" | awk '/^First sector:/ {print $3}')"
last_sector="$(sgdisk --info=1 "$raw" | awk '/^Last sector:/ {print $3}')"
esp_first="$(sgdisk --info=15 "$raw" | awk '/^First sector:/ {print $3}')"
esp_last="$(sgdisk --info=15 "$raw" | awk '/^Last sector:/ {print $3}')"

step "format the root partition"
# The root loop sits on the disk's loop device, not on the file: GRUB's
# 10_linux skips kernels when the root device is a loop over a plain file.
disk_loop="$(losetup --find --show "$raw")"
root_loop="$(losetup --find --show --offset $((first_sector * 512)) --sizelimit $(((last_sector - first_sector + 1) * 512)) "$disk_loop")"
mkfs.ext4 -q -L cloudimg-rootfs "$root_loop"
esp_loop="$(losetup --find --show --offset $((esp_first * 512)) --sizelimit $(((esp_last - esp_first + 1) * 512)) "$disk_loop")"
mkfs.vfat -n UEFI "$esp_loop" >/dev/null
losetup --detach "$esp_loop"
esp_loop=""
mount "$root_loop" "$root"

step "debootstrap $suite"
debootstrap_args=(--variant=minbase "--include=systemd-sysv,udev,ca-certificates")
if [[ -n "$package_cache" ]]; then
    mkdir -p "$package_cache"
    debootstrap_args+=("--cache-dir=$(realpath "$package_cache")")
fi
debootstrap "${debootstrap_args[@]}" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    false
}

step "mount the chroot's /dev, /proc, /sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
if [[ -n "$package_cache" ]]; then
    mount --bind "$(realpath "$package_cache")" "$root/var/cache/apt/archives"
fi

step "point apt at Debian's mirror"
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
SOURCES
cp /etc/resolv.conf "$root/etc/resolv.conf"

step "install kernel, GRUB, cloud-init"
in_root debconf-set-selections <<'DEBCONF'
grub-pc grub-pc/install_devices multiselect
grub-pc grub-pc/install_devices_empty boolean true
DEBCONF
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends \
    linux-image-amd64 grub-pc cloud-init cloud-guest-utils ifupdown isc-dhcp-client \
    curl sudo locales e2fsprogs gdisk fdisk unattended-upgrades >/dev/null
in_root apt-get upgrade -y -qq >/dev/null

step "generate locales like Ubuntu's images (C.UTF-8 default, en_US.UTF-8 for cloud-init)"
echo "en_US.UTF-8 UTF-8" >"$root/etc/locale.gen"
in_root locale-gen >/dev/null
echo "LANG=C.UTF-8" >"$root/etc/default/locale"

step "configure boot: fstab, GRUB on the serial console"
cat >"$root/etc/fstab" <<'FSTAB'
LABEL=cloudimg-rootfs / ext4 defaults,discard 0 1
LABEL=UEFI /boot/efi vfat umask=0077,nofail 0 1
FSTAB
mkdir -p "$root/boot/efi"
echo "debian-cloud" >"$root/etc/hostname"
cat >"$root/etc/default/grub" <<'GRUB'
GRUB_DEFAULT=0
GRUB_TIMEOUT=0
GRUB_DISTRIBUTOR="Debian"
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200n8"
GRUB_TERMINAL="serial console"
GRUB_SERIAL_COMMAND="serial --speed=115200"
GRUB_DISABLE_OS_PROBER=true
GRUB
# grub.cfg is written here, not by update-grub: in a chroot whose root is a
# loop device (no partition device nodes, no udev) update-grub writes
# "loopback" entries and root=/dev/loopN, which cannot boot. The entry uses
# Debian's /vmlinuz and /initrd.img links; in a booted VM update-grub works
# normally and /etc/default/grub above applies.
mkdir -p "$root/boot/grub"
cat >"$root/boot/grub/grub.cfg" <<'GRUBCFG'
set default=0
set timeout=0
serial --speed=115200
terminal_input serial console
terminal_output serial console
insmod part_gpt
insmod ext2
search --no-floppy --label --set=root cloudimg-rootfs
menuentry 'Debian GNU/Linux (test cloud image)' {
    linux /vmlinuz root=LABEL=cloudimg-rootfs ro console=tty0 console=ttyS0,115200n8
    initrd /initrd.img
}
GRUBCFG
[[ -e "$root/vmlinuz" && -e "$root/initrd.img" ]] || { echo "make-base-image: no /vmlinuz or /initrd.img link in the image" >&2; false; }
# The root is a loop device without a partition table of its own, so GRUB
# would not know to put GPT support into its core image: name the modules.
in_root grub-install --target=i386-pc --modules="part_gpt ext2 search_fs_uuid" "$disk_loop" 2>&1 | sed 's/^/    /'

step "clean for first boot"
in_root apt-get clean
in_root cloud-init clean --logs
: >"$root/etc/machine-id"
rm -f "$root/etc/resolv.conf"
sync

step "unmount"
for mountpoint_path in "$root/var/cache/apt/archives" "$root/dev/pts" "$root/dev" "$root/proc" "$root/sys" "$root"; do
    if mountpoint -q "$mountpoint_path"; then umount "$mountpoint_path"; fi
done
losetup --detach "$root_loop"; root_loop=""
losetup --detach "$disk_loop"; disk_loop=""

step "convert to qcow2"
mkdir -p "$(dirname "$output")"
qemu-img convert -c -f raw -O qcow2 "$raw" "$output.partial"
mv "$output.partial" "$output"
step "done"
