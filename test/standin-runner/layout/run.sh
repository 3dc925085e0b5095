#!/bin/bash
# Stand-in for the actions runner's run.sh: same entry point, same refusal to run
# as root, hands over to bin/Runner.Listener like the real one does.
set -euo pipefail
runner_root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$(id -u)" -eq 0 ] && [ -z "${RUNNER_ALLOW_RUNASROOT:-}" ]; then
  echo "Must not run interactively with sudo" >&2
  exit 1
fi
exec "$runner_root/bin/Runner.Listener" run "$@"
