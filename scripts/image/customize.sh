# shellcheck shell=bash
# What goes into the image, run inside the chroot at $root. Build-time
# network access uses the host's own proxy environment; the proxies given as
# inputs are written into the image last, for the runners.
# Globals ($root, the *_value proxies) are set by build-image.sh and options.sh.
# shellcheck disable=SC2154

in_root() {
    chroot "$root" /usr/bin/env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
        ${http_proxy:+http_proxy="$http_proxy"} ${https_proxy:+https_proxy="$https_proxy"} \
        ${no_proxy:+no_proxy="$no_proxy"} \
        ${build_ca_file:+NODE_EXTRA_CA_CERTS="$build_ca_file"} \
        "$@"
}

# A build host behind a TLS-intercepting proxy trusts its CA through
# NODE_EXTRA_CA_CERTS; npm inside the chroot (yarn) gets the same trust for the
# build only: the file sits in the image's /tmp, which is emptied afterwards.
build_ca_file=""
share_host_ca_for_build() {
    if [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -r "$NODE_EXTRA_CA_CERTS" ]]; then
        cp "$NODE_EXTRA_CA_CERTS" "$root/tmp/build-image-extra-ca.pem"
        build_ca_file=/tmp/build-image-extra-ca.pem
    fi
}

apt_in_root() {
    in_root apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

# Package scripts must not start services inside the chroot (policy-rc.d, 101 = action forbidden).
forbid_service_starts() {
    [[ -e "$root/usr/sbin/policy-rc.d" ]] && die "the image already has /usr/sbin/policy-rc.d; refusing to overwrite it"
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
    added_policy_rc_d=1
}

allow_service_starts() {
    if ((added_policy_rc_d)); then
        rm -f "$root/usr/sbin/policy-rc.d"
        added_policy_rc_d=0
    fi
}

# The image's resolv.conf (on Ubuntu a link into /run) is set aside and put back.
use_host_dns() {
    if [[ -e "$root/etc/resolv.conf" || -L "$root/etc/resolv.conf" ]]; then
        mv "$root/etc/resolv.conf" "$root/etc/resolv.conf.build-image"
    fi
    cp --dereference /etc/resolv.conf "$root/etc/resolv.conf"
    replaced_resolv_conf=1
}

restore_image_dns() {
    if ((replaced_resolv_conf)); then
        rm -f "$root/etc/resolv.conf"
        if [[ -e "$root/etc/resolv.conf.build-image" || -L "$root/etc/resolv.conf.build-image" ]]; then
            mv "$root/etc/resolv.conf.build-image" "$root/etc/resolv.conf"
        fi
        replaced_resolv_conf=0
    fi
}

os_release_id() {
    (
        # shellcheck disable=SC1091
        . "$root/etc/os-release"
        printf '%s' "${ID:-unknown}"
    )
}

# update-grub in this chroot (root on a loop device, no partition device
# nodes, no udev) writes a grub.cfg that cannot boot, so the kernel and boot
# loader stay as the base image has them during the build (Ubuntu refreshes
# its cloud images often); they are released again for updates after boot.
held_boot_packages=()
hold_boot_packages() {
    # shellcheck disable=SC2016 # dpkg-query's format
    mapfile -t held_boot_packages < <(in_root dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' |
        awk '$2 == "ii" && $1 ~ /^(linux-(image|modules|headers|generic|virtual|kvm)|grub|shim)/ { print $1 }')
    if ((${#held_boot_packages[@]} > 0)); then
        in_root apt-mark hold "${held_boot_packages[@]}"
    fi
}

release_boot_packages() {
    if ((${#held_boot_packages[@]} > 0)); then
        in_root apt-mark unhold "${held_boot_packages[@]}"
    fi
}

# /usr/local/bin/yq, mode 755.
install_yq() {
    local binary="$1"
    install -m 0755 "$binary" "$root/usr/local/bin/yq"
}

remove_unattended_upgrades() {
    # shellcheck disable=SC2016 # ${Status} is dpkg-query's format, not a shell expansion
    if in_root dpkg-query -W -f='${Status}' unattended-upgrades 2>/dev/null | grep -q "install ok installed"; then
        apt_in_root purge unattended-upgrades
    fi
}

ensure_runner_user() {
    if ! in_root id -u ubuntu >/dev/null 2>&1; then
        in_root useradd --create-home --shell /bin/bash ubuntu
    fi
    in_root usermod --append --groups docker ubuntu
    if in_root getent group microk8s >/dev/null; then
        in_root usermod --append --groups microk8s ubuntu
    fi
}

# The runner's userdata writes docker's settings (mirror, proxies) at boot. With
# dockerd started by its socket on first use, it reads them without a restart.
socket_activate_docker() {
    in_root systemctl disable docker.service
    in_root systemctl enable docker.socket
}

install_runner() {
    local tarball="$1" dir="$root/home/ubuntu/actions-runner"
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -xzf "$tarball" -C "$dir" || die "could not unpack the runner tarball"
    [[ -x "$dir/run.sh" && -x "$dir/config.sh" ]] || die "the runner tarball has no executable run.sh and config.sh at its top"
}

install_runner_dependencies() {
    local script=/home/ubuntu/actions-runner/bin/installdependencies.sh
    [[ -f "$root$script" ]] || die "the runner tarball has no bin/installdependencies.sh"
    in_root bash "$script" || die "the runner's bin/installdependencies.sh failed (see the log)"
    # After the dependencies: anything that script left in the runner's directory belongs to ubuntu too.
    in_root chown -R ubuntu:ubuntu /home/ubuntu/actions-runner
}

# systemd unit values: a % must be doubled.
systemd_escape_value() {
    printf '%s' "${1//%/%%}"
}

write_apt_proxy() {
    local file="$root/etc/apt/apt.conf.d/90runner-proxy"
    rm -f "$file"
    [[ -z "$http_proxy_value$https_proxy_value" ]] && return 0
    {
        [[ -n "$http_proxy_value" ]] && printf 'Acquire::http::Proxy "%s";\n' "$http_proxy_value"
        [[ -n "$https_proxy_value" ]] && printf 'Acquire::https::Proxy "%s";\n' "$https_proxy_value"
    } >"$file"
    chmod 600 "$file"
}

write_npm_proxy() {
    [[ -n "$http_proxy_value" ]] && in_root npm config set --location=global proxy "$http_proxy_value"
    [[ -n "$https_proxy_value" ]] && in_root npm config set --location=global https-proxy "$https_proxy_value"
    [[ -n "$no_proxy_value" ]] && in_root npm config set --location=global noproxy "$no_proxy_value"
    return 0
}

write_docker_proxy() {
    local dropin_dir="$root/etc/systemd/system/docker.service.d"
    local client_dir="$root/home/ubuntu/.docker"
    rm -f "$dropin_dir/http-proxy.conf"
    [[ -z "$http_proxy_value$https_proxy_value$no_proxy_value" ]] && return 0
    mkdir -p "$dropin_dir"
    {
        echo "[Service]"
        [[ -n "$http_proxy_value" ]] && printf 'Environment="HTTP_PROXY=%s"\n' "$(systemd_escape_value "$http_proxy_value")"
        [[ -n "$https_proxy_value" ]] && printf 'Environment="HTTPS_PROXY=%s"\n' "$(systemd_escape_value "$https_proxy_value")"
        [[ -n "$no_proxy_value" ]] && printf 'Environment="NO_PROXY=%s"\n' "$(systemd_escape_value "$no_proxy_value")"
    } >"$dropin_dir/http-proxy.conf"
    chmod 600 "$dropin_dir/http-proxy.conf"

    mkdir -p "$client_dir"
    local entries=()
    [[ -n "$http_proxy_value" ]] && entries+=("$(json_string httpProxy): $(json_string "$http_proxy_value")")
    [[ -n "$https_proxy_value" ]] && entries+=("$(json_string httpsProxy): $(json_string "$https_proxy_value")")
    [[ -n "$no_proxy_value" ]] && entries+=("$(json_string noProxy): $(json_string "$no_proxy_value")")
    local joined
    joined="$(printf '%s, ' "${entries[@]}")"
    printf '{"proxies": {"default": {%s}}}\n' "${joined%, }" >"$client_dir/config.json"
    chmod 700 "$client_dir"
    chmod 600 "$client_dir/config.json"
    in_root chown -R ubuntu:ubuntu /home/ubuntu/.docker
}

clean_for_first_boot() {
    build_ca_file=""
    apt_in_root clean
    rm -rf "$root"/var/lib/apt/lists/* "$root"/root/.npm "$root"/tmp/* "$root"/var/tmp/*
    if [[ -x "$root/usr/bin/cloud-init" ]]; then
        in_root cloud-init clean --logs
    fi
    : >"$root/etc/machine-id"
    if [[ -f "$root/var/lib/dbus/machine-id" && ! -L "$root/var/lib/dbus/machine-id" ]]; then
        rm -f "$root/var/lib/dbus/machine-id"
    fi
    rm -f "$root"/etc/ssh/ssh_host_*
}

installed_version() {
    # shellcheck disable=SC2016 # dpkg-query's format
    in_root dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true
}
