#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# vmtest.sh - the kernel matrix: boots a Debian kernel package under qemu and
# runs flap-recorder's demo steps and its whole kernel test suite inside it
# (`make vmtest KERNEL=...`).
#
#   tests/vm/vmtest.sh 6.1            Debian 12's kernel (bookworm)
#   tests/vm/vmtest.sh 5.10           Debian 11's kernel (bullseye)
#   tests/vm/vmtest.sh 6.12           bookworm-backports (Debian 13's series)
#   tests/vm/vmtest.sh linux-image-6.1.0-57-amd64   one exact package
#
# A short name resolves to the newest linux-image-<abi>-amd64 of its suite
# (the one its linux-image-amd64 metapackage names). Packages of another
# suite come through a separate apt configuration under the work dir, so the
# machine's own apt setup is left as it is.
#
# The guest's root is the host's / shared read-only over 9p with a tmpfs
# overlay on top: it runs this checkout's build and the host's libraries as
# they are. It mounts pure cgroup v2, bpffs and tracefs, then runs
# tests/vm/guest.sh, which writes its logs to a second 9p share
# ($VM_DIR/out/<kernel>). KVM opens on these machines but guests hang, so the
# guest runs under TCG (about 4x slower than the host).
#
# Needs root for nothing but apt-get; qemu-system-x86, busybox-static, kmod,
# cpio (installed by `make deps`). Environment:
#   VM_DIR     work dir (default build/vm): packages, kernels, results
#   FLAPSRC    the built checkout the guest runs (default: this one)
#   ONLY       run only this kernel test (-t NAME)
#   VERBOSE=1  the kernel tests with -v (verifier statistics, timings)
#   VM_TIMEOUT seconds before the guest is killed (default 2400)
#   VM_MEM, VM_SMP   guest memory and CPUs (default 2G, 2)
# Exit status: 0 when every guest step passed, 1 otherwise.
set -eu

SPEC=${1:?usage: vmtest.sh 5.10|6.1|6.12|linux-image-...}
HERE=$(cd "$(dirname "$0")" && pwd)
FLAPSRC=${FLAPSRC:-$(cd "$HERE/../.." && pwd)}
VM_DIR=${VM_DIR:-$FLAPSRC/build/vm}
VM_TIMEOUT=${VM_TIMEOUT:-2400}
VM_MEM=${VM_MEM:-2G}
VM_SMP=${VM_SMP:-2}
mkdir -p "$VM_DIR/debs" "$VM_DIR/k" "$VM_DIR/out"

log() { printf 'vmtest: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# --- which package, from which suite ------------------------------------------
case $SPEC in
5.10) SUITE=bullseye ;;
6.1) SUITE=bookworm ;;
6.12) SUITE=bookworm-backports ;;
linux-image-*) SUITE=${SUITE:-} ;;
*) die "unknown kernel '$SPEC': 5.10, 6.1, 6.12 or a linux-image-* package" ;;
esac

# apt options for @SUITE: the host's own configuration for its own suite,
# else a separate one that points at the same mirror.
APTOPT=()
host_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ -n "${SUITE:-}" ] && [ "$SUITE" != "$host_suite" ]; then
	A=$VM_DIR/apt/$SUITE
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/parts"
	if [ ! -s "$A/sources.list" ]; then
		uris=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
			/etc/apt/sources.list.d/*.list 2>/dev/null | grep -oE 'https?://[^ ]+' || true)
		main=$(echo "$uris" | grep -v security | grep -E '/debian/?$' | head -1)
		sec=$(echo "$uris" | grep -E '/debian-security/?$' | head -1)
		[ -n "$main" ] || main=http://deb.debian.org/debian
		echo "deb [trusted=yes] $main $SUITE main" > "$A/sources.list"
		case $SUITE in
		*-*) ;;
		*) [ -n "$sec" ] && echo "deb [trusted=yes] $sec $SUITE-security main" >> "$A/sources.list" ;;
		esac
	fi
	APTOPT=(-o "Dir::Etc::sourcelist=$A/sources.list" -o "Dir::Etc::sourceparts=$A/parts"
		-o "Dir::State::Lists=$A/lists" -o "Dir::Cache=$A/cache"
		-o Dir::State::status=/dev/null -o Debug::NoLocking=1)
	# One index refresh a day is enough for a kernel's ABI name.
	if [ -z "$(find "$A/lists" -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
		apt-get "${APTOPT[@]}" update > "$A/update.log" 2>&1 || { cat "$A/update.log" >&2; die "apt-get update for $SUITE failed"; }
	fi
fi

if [ "${SPEC#linux-image-}" = "$SPEC" ]; then
	# The ABI package the suite's metapackage depends on.
	PKG=$(apt-cache "${APTOPT[@]}" depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2 }' | sort -V | tail -1)
	[ -n "$PKG" ] || die "no linux-image-amd64 in $SUITE"
else
	PKG=$SPEC
fi

OUT=$VM_DIR/out/$PKG${TAG:+-$TAG}
rm -rf "$OUT"
mkdir -p "$OUT"
log "$SPEC -> $PKG${SUITE:+ ($SUITE)}"

# --- fetch and unpack the kernel ------------------------------------------------
DEB=$(ls "$VM_DIR/debs/${PKG}"_*.deb 2>/dev/null | head -1 || true)
if [ -z "$DEB" ]; then
	(cd "$VM_DIR/debs" && apt-get "${APTOPT[@]}" download "$PKG" 2>&1 | grep -v unsandboxed >&2) ||
		die "apt-get download $PKG failed"
	DEB=$(ls "$VM_DIR/debs/${PKG}"_*.deb | head -1)
fi
KR=$VM_DIR/k/$PKG
if [ ! -d "$KR/boot" ]; then
	rm -rf "$KR.tmp" && mkdir -p "$KR.tmp" && dpkg-deb -x "$DEB" "$KR.tmp" && mv "$KR.tmp" "$KR"
fi
KVER=$(ls "$KR/lib/modules" | head -1)
VMLINUZ=$KR/boot/vmlinuz-$KVER
[ -f "$KR/lib/modules/$KVER/modules.dep" ] || depmod -b "$KR" "$KVER"

# --- initramfs: busybox and the modules for virtio-pci, 9p and overlay ----------
IR=$VM_DIR/initramfs/$PKG
rm -rf "$IR"
mkdir -p "$IR"/{bin,dev,proc,sys,lower,upper,newroot,mods}
cp "$(command -v busybox)" "$IR/bin/busybox"
ln -s busybox "$IR/bin/sh"
for m in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -d "$KR" -S "$KVER" --show-depends $m 2>/dev/null | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r f; do
	b=$(basename "$f")
	case $b in
	*.xz) xz -dc "$f" > "$IR/mods/${b%.xz}"; b=${b%.xz} ;;
	*.zst) zstd -qdc "$f" > "$IR/mods/${b%.zst}"; b=${b%.zst} ;;
	*) cp "$f" "$IR/mods/" ;;
	esac
	echo "$b" >> "$IR/mods/order"
done
sed "s|@STAGE2@|$HERE/stage2.sh|" "$HERE/init.sh" > "$IR/init"
chmod +x "$IR/init"
(cd "$IR" && find . | cpio -o -H newc --quiet | gzip -1) > "$VM_DIR/initramfs-$PKG.cpio.gz"

# --- boot (TCG: KVM guests hang on these machines) -------------------------------
log "booting $KVER (TCG, $VM_SMP CPUs, $VM_MEM), logs in $OUT"
t0=$(date +%s)
rc=0
timeout "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -smp "$VM_SMP" -m "$VM_MEM" \
	-nographic -no-reboot -kernel "$VMLINUZ" -initrd "$VM_DIR/initramfs-$PKG.cpio.gz" \
	-append "console=ttyS0 panic=-1 loglevel=4 ${VM_CMDLINE:-} rdinit=/init flapsrc=$FLAPSRC flapvm=$HERE${ONLY:+ flapkt=$ONLY}${VERBOSE:+ flapverbose=1}" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$OUT,mount_tag=out,security_model=none" \
	< /dev/null > "$OUT/console.log" 2>&1 || rc=$?
[ $rc = 0 ] || log "qemu exited with $rc$([ $rc = 124 ] && echo " (timeout after ${VM_TIMEOUT}s)")"
log "$PKG: $(($(date +%s) - t0)) s in the guest"

# --- results ---------------------------------------------------------------------
if [ ! -f "$OUT/result" ]; then
	log "$PKG: the guest wrote no result; the console's last lines:"
	tail -40 "$OUT/console.log" >&2
	exit 1
fi
cat "$OUT/summary" 2>/dev/null >&2 || true
if [ "$(cat "$OUT/result")" != PASS ]; then
	log "$PKG: FAILED (guest log: $OUT/guest.log)"
	tail -60 "$OUT/guest.log" >&2
	exit 1
fi
log "$PKG: PASS"
