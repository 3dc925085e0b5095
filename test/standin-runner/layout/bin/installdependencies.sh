#!/bin/bash
# Stand-in for the runner's bin/installdependencies.sh. The real one installs the
# .NET runtime's libraries with the distribution's package manager and needs root;
# the stand-in needs nothing, so it only checks root and leaves a record that it ran.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "Need to run with sudo privilege" >&2
  exit 1
fi
runner_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$runner_root/_diag"
date -u +%Y-%m-%dT%H:%M:%SZ > "$runner_root/_diag/installdependencies.ran"
echo "-----------------------------"
echo " Finish Install Dependencies"
echo "-----------------------------"
