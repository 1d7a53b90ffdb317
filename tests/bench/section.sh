#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# section.sh TITLE FROM INTO - put the markdown section "## TITLE" of file
# FROM (from its heading to the next "## " heading) into file INTO: in
# place of INTO's section of that title, else before its "## Environment"
# section, else at its end. FROM without the section changes nothing.
# The benchmarks' reports are generated in parts (run.sh, container_start.sh):
# each part keeps the others' sections of docs/benchmarks.md.
set -u
title=$1 from=$2 into=$3
[ -f "$from" ] && [ -f "$into" ] || exit 0
sect=$(awk -v t="## $title" '$0 == t { on = 1; print; next } on && /^## / { exit } on' "$from")
[ -n "$sect" ] || exit 0
printf '%s\n' "$sect" > "$into.section.$$"
awk -v t="## $title" -v f="$into.section.$$" '
	function put() { while ((getline l < f) > 0) print l; close(f); done = 1 }
	$0 == t { skip = 1; put(); print ""; next }
	skip && /^## / { skip = 0 }
	skip { next }
	!done && $0 == "## Environment" { put(); print "" }
	{ print }
	END { if (!done) { print ""; put() } }' "$into" > "$into.new.$$" &&
	mv "$into.new.$$" "$into"
rm -f "$into.section.$$"
