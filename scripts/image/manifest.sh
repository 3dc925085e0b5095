# shellcheck shell=bash
# The manifest next to the image: what went in (proxies without passwords),
# what versions came out, and the image's own checksum.
# Globals are set by build-image.sh and options.sh.
# shellcheck disable=SC2154

write_manifest() {
    local file="$1" package first=1
    {
        printf '{\n'
        printf '  "image": {"file": %s, "sha256": %s, "sizeBytes": %s},\n' \
            "$(json_string "${output##*/}")" "$(json_string "$output_sha256")" "$output_size"
        printf '  "base": %s,\n  "arch": %s,\n  "os": %s,\n' \
            "$(json_string "$base")" "$(json_string "$target_arch")" "$(json_string "$os_name")"
        printf '  "baseImage": {"url": %s, "sha256": %s},\n' \
            "$(json_string "$base_image_url")" "$(json_string "$base_image_sha256")"
        printf '  "runner": {"version": %s, "url": %s, "sha256": %s},\n' \
            "$(json_string "$runner_version")" "$(json_string "$runner_url")" "$(json_string "$runner_sha256")"
        printf '  "yq": {"version": %s, "url": %s, "sha256": %s},\n' \
            "$(json_string "$yq_version")" "$(json_string "$yq_url")" "$(json_string "$yq_sha256")"
        printf '  "proxy": {"http": %s, "https": %s, "noProxy": %s},\n' \
            "$(json_string "$(redact_url "$http_proxy_value")")" \
            "$(json_string "$(redact_url "$https_proxy_value")")" \
            "$(json_string "$no_proxy_value")"
        printf '  "extraPackages": %s,\n' "$(json_string_array "${extra_packages[@]}")"
        printf '  "diskGrowth": %s,\n' "$(json_string "$disk_growth")"
        printf '  "versions": {'
        for package in "${!versions[@]}"; do
            ((first)) || printf ', '
            first=0
            printf '%s: %s' "$(json_string "$package")" "$(json_string "${versions[$package]}")"
        done
        printf ', "yarn": %s},\n' "$(json_string "$yarn_version")"
        printf '  "builtAt": %s\n' "$(json_string "$(date -u +%Y-%m-%dT%H:%M:%SZ)")"
        printf '}\n'
    } >"$file.partial"
    mv "$file.partial" "$file"
}
