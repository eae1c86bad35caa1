#!/usr/bin/env bash
# it_stale_pid.sh with cache=off: no invalidation helps there, only the
# inode numbers of each world.
STALE_PID_OPTS=cache=off exec "$(dirname "${BASH_SOURCE[0]}")/it_stale_pid.sh"
