/**
 * Stand-in commands for the sandbox: each records exactly how it was called
 * (argument vector, environment, ids, working directory, stdin) in its own
 * numbered directory under /calls, so the test sees every call in order.
 */
export const CALLS_DIR = "/calls";

/** Bash source of a recording stand-in; `extra` runs after recording (e.g. config.sh leaves .runner). */
export function recorderScript(extra = ""): string {
    return `#!/bin/bash
set -euo pipefail
n=$(find ${CALLS_DIR} -mindepth 1 -maxdepth 1 | wc -l)
dir=$(printf '%s/%04d' ${CALLS_DIR} "$n")
mkdir "$dir"
printf '%s' "\${0##*/}" >"$dir/name"
printf '%s' "$#" >"$dir/argc"
printf '%s\\0' "$@" >"$dir/argv"
env -0 >"$dir/env"
id -u >"$dir/uid"
id -g >"$dir/gid"
id -G >"$dir/groups"
pwd >"$dir/cwd"
cat >"$dir/stdin"
${extra}
`;
}

export interface RecordedCall {
    name: string;
    argv: string[];
    env: Record<string, string>;
    uid: number;
    gid: number;
    groups: number[];
    cwd: string;
    stdin: string;
}
