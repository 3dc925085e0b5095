# shellcheck shell=bash
# Disk handling without the nbd module: a raw copy of the image, partitions
# reached through loop devices at their byte offsets, a chroot on top.
# Every loop device and mount made here is recorded so cleanup_disk can undo
# them after a failure at any point.

attached_loops=()

disk_device=""
attached_device=""

# attach_disk RAW: sets disk_device. Partitions are attached on top of it, not
# on the file: GRUB's update-grub (run by kernel upgrades in the chroot) skips
# every kernel when the root device is a loop over a plain file.
attach_disk() {
    local raw="$1"
    disk_device="$(losetup --find --show "$raw")" || die "could not attach $raw to a loop device"
    attached_loops+=("$disk_device")
}

# attach_partition RAW NUMBER: sets attached_device to the loop device of that
# partition (a global, not printed: a $(...) subshell would lose the record).
attach_partition() {
    local raw="$1" number="$2" start sectors
    read -r start sectors < <(partx --noheadings --raw --output START,SECTORS --nr "$number" "$raw")
    [[ -n "$start" && -n "$sectors" ]] || die "partition $number not found in $raw"
    attached_device="$(losetup --find --show --offset $((start * 512)) --sizelimit $((sectors * 512)) "$disk_device")" ||
        die "could not attach partition $number of $raw to a loop device"
    attached_loops+=("$attached_device")
}

# Grows the disk file, moves the backup GPT to the new end and grows
# partition 1 over the free space, keeping its type, GUID and name.
grow_disk_and_root_partition() {
    local raw="$1" growth="$2"
    qemu-img resize -f raw "$raw" "+$growth" || die "qemu-img could not grow $raw by $growth"
    sfdisk --relocate gpt-bak-std "$raw" || die "could not move the backup GPT header to the end of the grown disk"
    echo ", +" | sfdisk --no-reread --no-tell-kernel --force -N 1 "$raw" || die "could not grow partition 1"
}

# e2fsck -p exits 1 when it fixed something, which is fine before a resize.
check_and_resize_filesystem() {
    local device="$1" status=0
    e2fsck -f -p "$device" || status=$?
    ((status <= 1)) || die "e2fsck found errors it could not fix on the root filesystem (exit $status)"
    resize2fs "$device" || die "resize2fs could not grow the root filesystem"
}

# Mounts the image's other partitions (Ubuntu's /boot and /boot/efi) where
# the image's own fstab puts them, found by filesystem LABEL or UUID.
mount_other_partitions() {
    local raw="$1" root="$2" number device label uuid type target
    local -a found=()
    while read -r number; do
        [[ "$number" == 1 ]] && continue
        attach_partition "$raw" "$number"
        device="$attached_device"
        label="$(blkid -o value -s LABEL "$device" || true)"
        uuid="$(blkid -o value -s UUID "$device" || true)"
        type="$(blkid -o value -s TYPE "$device" || true)"
        target="$(fstab_target "$root/etc/fstab" "$label" "$uuid")"
        [[ -n "$target" ]] || continue
        # A host kernel without that filesystem (vfat in some containers) cannot mount it.
        if [[ -z "$type" ]] || ! grep -qw "$type" /proc/filesystems; then
            echo "warning: not mounting partition $number (${type:-no filesystem}) on $target: this kernel cannot mount it;" \
                "package updates that write to $target during the build will not reach that partition"
            continue
        fi
        found+=("$target $device")
    done < <(partx --noheadings --raw --output NR "$raw")
    local entry
    # Shorter paths first, so /boot is mounted before /boot/efi.
    while read -r entry; do
        [[ -n "$entry" ]] || continue
        target="${entry% *}"
        device="${entry##* }"
        mkdir -p "$root$target"
        mount "$device" "$root$target" || die "could not mount partition $device on $target"
    done < <(printf '%s\n' "${found[@]}" | awk '{ print length($1) " " $0 }' | sort -n | cut -d' ' -f2-)
}

fstab_target() {
    local fstab="$1" label="$2" uuid="$3" source target rest
    [[ -f "$fstab" ]] || return 0
    while read -r source target rest; do
        [[ "$source" == \#* || -z "$source" ]] && continue
        if [[ (-n "$label" && "$source" == "LABEL=$label") || (-n "$uuid" && "$source" == "UUID=$uuid") ]]; then
            printf '%s' "$target"
            return 0
        fi
    done <"$fstab"
}

# /run is a fresh tmpfs, not the host's: with the host's /run the packages'
# scripts would see the host's systemd and could start services on the host.
mount_chroot_filesystems() {
    local root="$1"
    mount --bind /dev "$root/dev"
    mount --bind /dev/pts "$root/dev/pts"
    mount -t proc proc "$root/proc"
    mount -t sysfs sysfs "$root/sys"
    mount -t tmpfs tmpfs "$root/run"
}

unmount_tree() {
    local root="$1"
    if [[ -d "$root" ]] && mountpoint -q "$root"; then
        umount --recursive "$root" || umount --recursive --lazy "$root"
    fi
}

# Partitions first, then the disk under them.
detach_loops() {
    local index
    for ((index = ${#attached_loops[@]} - 1; index >= 0; index--)); do
        losetup --detach "${attached_loops[index]}" 2>/dev/null || true
    done
    attached_loops=()
}
