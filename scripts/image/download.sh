# shellcheck shell=bash
# Downloads kept in a content-addressed cache: a file is used only after its
# sha256 matches, whether it was just fetched or found in the cache.

sha256_of() {
    sha256sum "$1" | cut -d' ' -f1
}

# fetch_verified URL SHA256 CACHE_DIR -> prints the path of the verified file.
fetch_verified() {
    local url="$1" expected="$2" cache="$3"
    local name="${url##*/}"
    name="${name%%\?*}"
    local target="$cache/$expected-$name"
    mkdir -p "$cache"
    if [[ -f "$target" ]]; then
        if [[ "$(sha256_of "$target")" == "$expected" ]]; then
            echo "using cached $target" >&2
            printf '%s' "$target"
            return 0
        fi
        echo "cached $target does not match its sha256; downloading again" >&2
        rm -f "$target"
    fi
    local partial="$target.partial.$$"
    local curl_error
    if ! curl_error="$(curl --fail --silent --show-error --location --retry 3 --retry-delay 2 --output "$partial" "$url" 2>&1)"; then
        rm -f "$partial"
        die "download of $url failed: $curl_error"
    fi
    local actual
    actual="$(sha256_of "$partial")"
    if [[ "$actual" != "$expected" ]]; then
        rm -f "$partial"
        die "sha256 mismatch for $url: expected $expected, got $actual"
    fi
    mv "$partial" "$target"
    printf '%s' "$target"
}

# The sha256 of an image as listed in the SHA256SUMS file next to it
# (Ubuntu's cloud image server publishes one per directory).
lookup_listed_sha256() {
    local url="$1"
    local sums_url="${url%/*}/SHA256SUMS" name="${url##*/}" sums curl_error
    if ! sums="$(curl --fail --silent --show-error --location --retry 3 "$sums_url" 2>&1)"; then
        curl_error="$sums"
        die "could not read $sums_url to find the sha256 of $name: $curl_error (pass --base-image-sha256 instead)"
    fi
    local line hash file
    while read -r line; do
        hash="${line%% *}"
        file="${line#* }"
        file="${file# }"
        file="${file#\*}"
        if [[ "$file" == "$name" ]]; then
            printf '%s' "$hash"
            return 0
        fi
    done <<<"$sums"
    die "$sums_url has no entry for $name (pass --base-image-sha256 instead)"
}
