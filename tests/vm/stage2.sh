#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# PID 1 in the guest after switch_root: the mounts a node has (proc, sys,
# dev, pure cgroup v2, bpffs, tracefs), then guest.sh, then power off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
ip link set lo up 2>/dev/null || ifconfig lo up 2>/dev/null
hostname guest
# The open-file limits systemd gives services on a node (soft 1024, hard 524288).
ulimit -Hn 524288
ulimit -Sn 1024
echo "vm stage2: $(uname -r)"
/bin/bash "$(dirname "$0")/guest.sh"
echo "vm stage2: done"
sync
echo o > /proc/sysrq-trigger
sleep 10
