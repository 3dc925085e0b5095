# shellcheck shell=bash
# Step reporting, failure messages and JSON text for build-image.sh.
# After `start_logging`, everything commands print goes to the build log; only
# step lines (fd 3) and failures (fd 4) reach the caller's terminal.

current_step="start"
# fd 3: step lines, fd 4: failures; both stay on the terminal after start_logging.
exec 3>&1 4>&2
# die leaves a note here so the exit trap does not repeat the failure, even
# when die ran in a $(...) subshell.
failure_note="$(mktemp "${TMPDIR:-/tmp}/build-image-failure.XXXXXX")"
rm -f "$failure_note"

step() {
    current_step="$1"
    printf '==> %s\n' "$current_step" >&3
}

# Prints one line saying which step failed and why, then exits.
die() {
    printf 'build-image: step "%s" failed: %s\n' "$current_step" "$*" >&4
    if [[ -n "${log_file:-}" && -s "$log_file" ]]; then
        printf 'last lines of %s:\n' "$log_file" >&4
        tail -n 15 "$log_file" | sed 's/^/    /' >&4
    fi
    : >"$failure_note"
    exit 1
}

# Usage errors come before logging starts, so they go to the plain stderr.
usage_error() {
    printf 'build-image: %s\n' "$*" >&2
    printf 'run "%s --help" for the list of options\n' "$0" >&2
    exit 2
}

start_logging() {
    local log_file="$1"
    : >"$log_file"
    chmod 600 "$log_file"
    exec >>"$log_file" 2>&1
}

json_string() {
    local text="$1"
    text="${text//\\/\\\\}"
    text="${text//\"/\\\"}"
    text="${text//$'\t'/\\t}"
    text="${text//$'\n'/\\n}"
    text="${text//$'\r'/\\r}"
    printf '"%s"' "$text"
}

# A JSON array of strings from the arguments.
json_string_array() {
    local first=1 item
    printf '['
    for item in "$@"; do
        ((first)) || printf ','
        first=0
        json_string "$item"
    done
    printf ']'
}

# Proxy URL with any password replaced, for files that are not secret.
redact_url() {
    local url="$1"
    if [[ "$url" =~ ^([a-z]+://)([^/@]*)@(.*)$ ]]; then
        printf '%s***@%s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}"
    else
        printf '%s' "$url"
    fi
}
