#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# layout-check.sh - the folders of recorder/ are the stages of the pipeline,
# and calls go down this list only (docs/architecture.md):
#
#   base <- decode <- kernel <- store <- print <- daemon <- cli
#
# A file may include the headers of its own stage and of the stages before
# it, never of a later one. The generated headers have their owners too:
# the BPF skeletons (*.skel.h) only kernel/, the protobuf ones (*.pb-c.h)
# only store/, the daemon's control handlers and the CLI files that encode
# or decode a message (never cli/cli.h). Every folder is on the include
# path, so a header name must be unique; and no source file is over 1,000
# lines (split a file by what its parts do). Run by `make lint`; prints one
# line per problem and exits 1 when there is any.
set -eu
cd "$(dirname "$0")/.."

STAGES="base decode kernel store print daemon"

rank() {
	i=0
	for s in $STAGES cli; do
		[ "$s" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}

# The stage whose folder holds header $1, or "" (system, bpf/, generated).
stage_of() {
	for s in $STAGES; do
		[ -e "recorder/$s/$1" ] && { echo "$s"; return; }
	done
	[ -e "cli/$1" ] && { echo cli; return; }
	echo ""
}

bad=0
for f in recorder/*/*.[ch] cli/*.[ch]; do
	case $f in
	recorder/*) st=${f#recorder/}; st=${st%%/*} ;;
	cli/*) st=cli ;;
	esac
	r=$(rank "$st")
	if [ "$r" -lt 0 ]; then
		echo "$f: recorder/$st is not a stage ($STAGES)"
		bad=1
		continue
	fi
	for h in $(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		case $h in
		*.skel.h)
			[ "$st" = kernel ] || { echo "$f: includes $h (BPF skeletons: kernel/ only)"; bad=1; }
			continue ;;
		*.pb-c.h)
			case $f in
			recorder/store/* | recorder/daemon/ctl_handlers.c | cli/*.c) ;;
			*) echo "$f: includes $h (protobuf: store/, daemon/ctl_handlers.c, cli/*.c only)"; bad=1 ;;
			esac
			continue ;;
		esac
		hs=$(stage_of "$h")
		[ -n "$hs" ] || continue
		if [ "$(rank "$hs")" -gt "$r" ]; then
			echo "$f: includes $h of $hs/, a later stage than $st/ (calls go $(echo $STAGES | sed 's/ / <- /g') <- cli)"
			bad=1
		fi
	done
done
dups=$(ls recorder/*/*.h cli/*.h | sed 's|.*/||' | sort | uniq -d)
for h in $dups; do
	echo "$h: more than one header of this name in recorder/ and cli/"
	bad=1
done
for f in recorder/*/*.[ch] cli/*.[ch]; do
	n=$(wc -l <"$f")
	if [ "$n" -gt 1000 ]; then
		echo "$f: $n lines, over 1,000"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "layout: every include goes down the stages ($(echo $STAGES | sed 's/ / <- /g') <- cli)"
exit $bad
