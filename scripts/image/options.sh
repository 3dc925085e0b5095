# shellcheck shell=bash
# Command-line options of build-image.sh, their validation, and the host checks.
# The option variables are read by the other files of build-image.sh.
# shellcheck disable=SC2034

# yq is pinned. These are the sha256 values of the v4.44.3 release binaries as
# published in its checksums file (cross-checked against several independent
# pins; not re-downloaded where this was written). Another version needs --yq-sha256.
readonly default_yq_version="v4.44.3"
declare -A default_yq_sha256=(
    [amd64]="a2c097180dd884a8d50c956ee16a9cec070f30a7947cf4ebf87d5f36213e9ed7"
    [arm64]="0e7e1524f68d91b3ff9b089872d185940ab0fa020a5a9052046ef10547023156"
)

print_usage() {
    cat <<'USAGE'
usage: build-image.sh --base jammy|noble --arch amd64|arm64 --output FILE.qcow2 --cache-dir DIR
                      --runner-url URL --runner-sha256 HEX [--runner-version VERSION]
                      [--yq-version vX.Y.Z] [--yq-url URL] [--yq-sha256 HEX]
                      [--base-image-url URL] [--base-image-sha256 HEX]
                      [--http-proxy URL] [--https-proxy URL] [--no-proxy LIST]
                      [--extra-package NAME]... [--disk-growth SIZE] [--apt-cache-dir DIR]

  --base-image-url      default: Ubuntu's current cloud image for base and arch
  --base-image-sha256   default: its entry in SHA256SUMS next to it
  --yq-url              default: the mikefarah/yq release asset for version and arch
  --yq-sha256           default: pinned for v4.44.3 from GitHub; required otherwise
  --*-proxy             written into the image for apt, npm and docker; default from
                        BUILD_IMAGE_HTTP_PROXY, BUILD_IMAGE_HTTPS_PROXY, BUILD_IMAGE_NO_PROXY
                        (the build itself uses the host's http_proxy/https_proxy)
  --disk-growth         space added to the disk, as qemu-img resize takes it (default 1536M)
  --apt-cache-dir       keeps downloaded .deb files between builds
USAGE
}

base=""
target_arch=""
output=""
cache_dir=""
apt_cache_dir=""
base_image_url=""
base_image_sha256=""
runner_url=""
runner_sha256=""
runner_version="unknown"
yq_version="$default_yq_version"
yq_url=""
yq_sha256=""
http_proxy_value="${BUILD_IMAGE_HTTP_PROXY:-}"
https_proxy_value="${BUILD_IMAGE_HTTPS_PROXY:-}"
no_proxy_value="${BUILD_IMAGE_NO_PROXY:-}"
extra_packages=()
disk_growth="1536M"

parse_options() {
    while (($#)); do
        case "$1" in
            -h | --help) print_usage; exit 0 ;;
            --*)
                (($# >= 2)) || usage_error "option $1 needs a value"
                set_option "$1" "$2"
                shift 2
                ;;
            *) usage_error "unexpected argument '$1'" ;;
        esac
    done
}

set_option() {
    local name="$1" value="$2"
    case "$name" in
        --base) base="$value" ;;
        --arch) target_arch="$value" ;;
        --output) output="$value" ;;
        --cache-dir) cache_dir="$value" ;;
        --apt-cache-dir) apt_cache_dir="$value" ;;
        --base-image-url) base_image_url="$value" ;;
        --base-image-sha256) base_image_sha256="$value" ;;
        --runner-url) runner_url="$value" ;;
        --runner-sha256) runner_sha256="$value" ;;
        --runner-version) runner_version="$value" ;;
        --yq-version) yq_version="$value" ;;
        --yq-url) yq_url="$value" ;;
        --yq-sha256) yq_sha256="$value" ;;
        --http-proxy) http_proxy_value="$value" ;;
        --https-proxy) https_proxy_value="$value" ;;
        --no-proxy) no_proxy_value="$value" ;;
        --extra-package) extra_packages+=("$value") ;;
        --disk-growth) disk_growth="$value" ;;
        *) usage_error "unknown option $name" ;;
    esac
}

require_sha256() {
    local option="$1" value="$2"
    [[ "$value" =~ ^[0-9a-f]{64}$ ]] || usage_error "$option must be a sha256: 64 lowercase hex characters, got '$value'"
}

require_url() {
    local option="$1" value="$2"
    [[ "$value" =~ ^(https?|file)://[^[:space:]\"\'\\]+$ ]] || usage_error "$option must be an http(s) or file URL without spaces or quotes, got '$value'"
}

# Proxies land in apt.conf, a systemd unit and JSON: no quotes, spaces or backslashes.
require_proxy_url() {
    local option="$1" value="$2"
    [[ -z "$value" ]] && return 0
    [[ "$value" =~ ^https?://[^[:space:]\"\'\\]+$ ]] ||
        usage_error "$option must be an http:// or https:// URL without spaces, quotes or backslashes (value not shown: it may hold a password)"
}

validate_options() {
    case "$base" in
        jammy | 22.04) base="jammy" ;;
        noble | 24.04) base="noble" ;;
        "") usage_error "--base is required: jammy or noble (22.04/24.04)" ;;
        *) usage_error "--base must be jammy or noble (22.04/24.04), got '$base'" ;;
    esac
    case "$target_arch" in
        amd64 | x64) target_arch="amd64" ;;
        arm64) ;;
        "") usage_error "--arch is required: amd64 or arm64" ;;
        *) usage_error "--arch must be amd64 (x64) or arm64, got '$target_arch'" ;;
    esac
    [[ -n "$output" ]] || usage_error "--output is required: the path of the qcow2 to write"
    [[ "$output" == *.qcow2 ]] || usage_error "--output must end in .qcow2, got '$output'"
    [[ -n "$cache_dir" ]] || usage_error "--cache-dir is required: where downloads are kept between builds"

    base_image_url="${base_image_url:-https://cloud-images.ubuntu.com/$base/current/$base-server-cloudimg-$target_arch.img}"
    require_url --base-image-url "$base_image_url"
    [[ -z "$base_image_sha256" ]] || require_sha256 --base-image-sha256 "$base_image_sha256"

    [[ -n "$runner_url" ]] || usage_error "--runner-url is required: the actions/runner tarball for $target_arch"
    require_url --runner-url "$runner_url"
    require_sha256 --runner-sha256 "$runner_sha256"
    [[ "$runner_version" =~ ^[0-9A-Za-z.+-]+$ ]] || usage_error "--runner-version must look like 2.321.0, got '$runner_version'"

    [[ "$yq_version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || usage_error "--yq-version must look like v4.44.3, got '$yq_version'"
    yq_url="${yq_url:-https://github.com/mikefarah/yq/releases/download/$yq_version/yq_linux_$target_arch}"
    require_url --yq-url "$yq_url"
    if [[ -z "$yq_sha256" && "$yq_version" == "$default_yq_version" && "$yq_url" == https://github.com/mikefarah/* ]]; then
        yq_sha256="${default_yq_sha256[$target_arch]}"
    fi
    [[ -n "$yq_sha256" ]] || usage_error "--yq-sha256 is required for yq $yq_version from $yq_url (the pinned checksum covers only $default_yq_version from GitHub)"
    require_sha256 --yq-sha256 "$yq_sha256"

    require_proxy_url --http-proxy "$http_proxy_value"
    require_proxy_url --https-proxy "$https_proxy_value"
    [[ "$no_proxy_value" =~ ^[A-Za-z0-9.,:/*_-]*$ ]] ||
        usage_error "--no-proxy must be a comma-separated list of hosts, domains or CIDRs, got '$no_proxy_value'"

    local package
    for package in "${extra_packages[@]}"; do
        [[ "$package" =~ ^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?$ ]] ||
            usage_error "--extra-package must be a Debian package name (optionally =version), got '$package'"
    done
    [[ "$disk_growth" =~ ^[0-9]+[KMGT]?$ ]] || usage_error "--disk-growth must be a size such as 1536M or 2G, got '$disk_growth'"
}

require_host_tools() {
    local tool missing=()
    for tool in qemu-img sfdisk partx losetup blkid e2fsck resize2fs mount umount mountpoint chroot curl sha256sum fstrim; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    ((${#missing[@]} == 0)) ||
        die "missing tools on this host: ${missing[*]} (Debian/Ubuntu: apt-get install qemu-utils fdisk mount util-linux e2fsprogs curl coreutils)"
}

# A foreign-architecture chroot runs only through a binfmt_misc handler (qemu-user-static).
require_arch_support() {
    local wanted="$1" host
    host="$(uname -m)"
    case "$wanted:$host" in
        amd64:x86_64 | arm64:aarch64) return 0 ;;
    esac
    local machine
    case "$wanted" in
        amd64) machine="x86_64" ;;
        arm64) machine="aarch64" ;;
    esac
    local handler="/proc/sys/fs/binfmt_misc/qemu-$machine"
    if [[ ! -r "$handler" ]] || ! grep -qx enabled "$handler"; then
        die "cannot build an image for $wanted on this $host host: no enabled binfmt_misc handler $handler; install qemu-user-static and binfmt-support, or build on a $machine host"
    fi
}
