# Shared by the bench/*.sh scripts: source it, do not run it.

# tagged ROUND SIDE COMMAND...: runs COMMAND and prints its JSON lines, each tagged with the round, the side and the
# one-minute load average just before it started.
tagged() {
    local round=$1 side=$2; shift 2
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    "$@" 2>/dev/null | grep '^{' | sed "s/^{/{\"round\": $round, \"side\": \"$side\", \"load1\": $load, /"
}

# machine_fields: the CPU, core count and load average as JSON fields (without braces), for a header line.
machine_fields() {
    echo "\"machine\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\", \"cores\": $(nproc), \"load1_start\": $(cut -d' ' -f1 /proc/loadavg)"
}
