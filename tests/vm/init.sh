#!/ bin / sh
#SPDX - License - Identifier : (LGPL - 2.1 OR BSD - 2 - Clause)
#PID 1 of the initramfs vmtest.sh builds : load the virtio, 9p and overlay
#modules, mount the host's / (read-only, 9p) under a tmpfs overlay and the
#results share, then switch to it and run stage2.sh.
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
for m in $($B cat /mods/order);
do
	$B insmod / mods / $m || echo "vm init: insmod $m failed";
done $B mount - t 9p - o ro, trans = virtio, version = 9p2000.L, msize = 512000,
			     cache = loose hostroot / lower ||
{
	echo "vm init: 9p root mount failed";
	$B poweroff - f;
}
$B mount - t tmpfs - o size = 1g tmpfs / upper &&$B mkdir - p / upper / u / upper / w $B mount -
			      t overlay - o lowerdir = / lower,
		       upperdir = / upper / u, workdir = / upper / w overlay / newroot ||
{
	echo "vm init: overlay mount failed";
	$B poweroff - f;
}
$B mkdir - p / newroot / out $B mount - t 9p -
	o trans = virtio,
	  version = 9p2000.L,
	  msize = 512000 out / newroot / out || echo "vm init: results mount failed" $B umount /
							proc / sys / dev exec $B switch_root /
							newroot / bin / sh @STAGE2 @
