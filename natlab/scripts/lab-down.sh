#!/usr/bin/env bash
# Removes every namespace of the GCS NAT lab and ends the processes still running inside them (by PID, only processes
# inside the lab's own namespaces). Idempotent: a missing lab is not an error.
set -uo pipefail
. "$(dirname "$0")/lab-common.sh"
mapfile -t spaces < <(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${LAB_PREFIX}" || true)
for ns in "${spaces[@]}"; do
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    kill -TERM "$pid" 2>/dev/null || true
  done
done
for ns in "${spaces[@]}"; do
  for i in $(seq 1 30); do   # at most 3 s per namespace for its processes to end
    [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break
    sleep 0.1
  done
  for pid in $(ip netns pids "$ns" 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null || true
  done
done
for ns in "${spaces[@]}"; do
  ip netns del "$ns" 2>/dev/null || true
done
left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep "^${LAB_PREFIX}" || true)
if [ -n "$left" ]; then
  echo "lab-down: could not remove: $left" >&2
  exit 1
fi
exit 0
