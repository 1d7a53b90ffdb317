#!/bin/bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# flap-runc's command line, against a fake runc that records its argv and a
# real runc: runc's arguments reach runc unchanged (ours removed), create and
# run get our hooks in <bundle>/config.json whichever way the bundle is
# named, once; the real runc is found by option, environment or $PATH
# (skipping flap-runc itself, even installed as "runc"); a bundle that
# cannot be edited is logged in runc's log format and the container still
# starts; runc's exit status passes through. No daemon and no BPF: the
# real-runc container's hook finds no daemon and fails open.
#   FLAP=build/flap-recorder bash tests/e2e/flap_runc.sh [TEST...]
# Needs root (runc, a read-only bind mount in a private mount namespace),
# runc, busybox-static and jq. Everything lives in one temp dir.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FLAP=$(realpath "${FLAP:?set FLAP to the flap-recorder binary}")
WORK=$(mktemp -d /tmp/flap-runc.XXXXXX)
BIN=$WORK/bin
FAKE=$WORK/fake/runc
ARGS=$WORK/args
RUNC_ROOT=$WORK/runc-root

cleanup() {
	local id
	if [ -d "$RUNC_ROOT" ]; then
		for id in $(runc --root "$RUNC_ROOT" list -q 2>/dev/null); do
			timeout 20 runc --root "$RUNC_ROOT" delete --force "$id" > /dev/null 2>&1
		done
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

setup() {
	mkdir -p "$BIN" "$WORK/fake" "$WORK/b" || return 1
	ln -s "$FLAP" "$BIN/flap-runc"
	# The fake runc: its arguments, one per line, then exit status $FAKE_RC.
	printf '#!/bin/sh\nprintf "%%s\\n" "$@" > %s\nexit ${FAKE_RC:-0}\n' "$ARGS" > "$FAKE"
	chmod +x "$FAKE"
	runc spec --bundle "$WORK/b" && cp "$WORK/b/config.json" "$WORK/spec.json"
}

# fresh_bundle: $WORK/b/config.json back to runc's spec, plus a prestart hook of someone else's
fresh_bundle() {
	jq '.hooks = {prestart: [{path: "/usr/bin/true", args: ["true", "theirs"]}]}' \
		"$WORK/spec.json" > "$WORK/b/config.json"
}

# ours STAGE: how many flap-recorder hooks the bundle's STAGE list holds
ours() { jq "[.hooks.$1 // [] | .[] | select(.path == \"$FLAP\")] | length" "$WORK/b/config.json"; }

# fr ARGS: flap-runc with the fake runc
fr() { FLAP_RUNC=$FAKE "$BIN/flap-runc" "$@"; }

# got_args ARG...: the fake runc was called with exactly these arguments
got_args() { [ "$(cat "$ARGS")" = "$(printf '%s\n' "$@")" ]; }

# ---- tests --------------------------------------------------------------------

# Docker's command lines, word for word; runc's status passes through.
test_pass_through() {
	local st
	fresh_bundle
	FAKE_RC=7 fr --flap-socket /run/x.sock --root /r --log "$WORK/log.json" --log-format json \
		create --bundle "$WORK/b" --pid-file /p/init.pid --console-socket /c.sock cid; st=$?
	expect "runc's exit status 7 (got $st)" [ "$st" = 7 ] &&
	expect "runc got the create line, without --flap-socket" got_args --root /r --log \
		"$WORK/log.json" --log-format json create --bundle "$WORK/b" --pid-file /p/init.pid \
		--console-socket /c.sock cid &&
	expect "createRuntime hook added" [ "$(ours createRuntime)" = 1 ] &&
	expect "poststop hook added" [ "$(ours poststop)" = 1 ] &&
	expect "their prestart hook kept" [ "$(jq -r '.hooks.prestart[0].args[1]' "$WORK/b/config.json")" = theirs ] &&
	expect "the hook gets the socket" [ "$(jq -c '.hooks.createRuntime[0].args' "$WORK/b/config.json")" = \
		'["flap-recorder","--socket","/run/x.sock","hook","createRuntime"]' ] || return 1
	fresh_bundle
	for c in "start cid" "state cid" "kill cid 9" "delete --force cid" "--version" "--help"; do
		# shellcheck disable=SC2086
		fr --root /r $c > /dev/null
		# shellcheck disable=SC2086
		expect "'$c' passed through" got_args --root /r $c || return 1
	done
	expect "only create and run edit the bundle" [ "$(ours createRuntime)" = 0 ]
}

# -b B, --bundle=B, -bundle B, -b=B and the current directory; run as create.
test_bundle_forms() {
	local form
	for form in "-b $WORK/b" "--bundle=$WORK/b" "-bundle $WORK/b" "-b=$WORK/b"; do
		fresh_bundle
		# shellcheck disable=SC2086
		fr --root /r run -d --pid-file /p $form --no-pivot cid &&
		expect "run $form: hooks added" [ "$(ours createRuntime) $(ours poststop)" = "1 1" ] || return 1
	done
	fresh_bundle
	(cd "$WORK/b" && fr --debug create cid) &&
	expect "no --bundle: the current directory" [ "$(ours createRuntime)" = 1 ]
}

# A second create (an engine retrying) adds nothing.
test_idempotent() {
	fresh_bundle
	fr create -b "$WORK/b" cid && fr create -b "$WORK/b" cid &&
	expect "one createRuntime hook of ours" [ "$(ours createRuntime)" = 1 ] &&
	expect "one poststop hook of ours" [ "$(ours poststop)" = 1 ] &&
	expect "theirs still first" [ "$(jq '.hooks.prestart | length' "$WORK/b/config.json")" = 1 ]
}

# Options win over the environment; FLAP_* are read when no option is given.
test_env() {
	local a
	fresh_bundle
	FLAP_SOCKET=/env.sock FLAP_DOCKER_ROOT=/env-docker fr create -b "$WORK/b" cid &&
	a=$(jq -c '.hooks.createRuntime[0].args' "$WORK/b/config.json") &&
	expect "env: socket and docker root ($a)" \
		[ "$a" = '["flap-recorder","--socket","/env.sock","hook","--docker-root","/env-docker","createRuntime"]' ] ||
		return 1
	fresh_bundle
	FLAP_RUNC=/nonexistent FLAP_SOCKET=/env.sock "$BIN/flap-runc" --flap-runtime "$FAKE" \
		--flap-socket=/opt.sock --flap-docker-root /opt-docker create -b "$WORK/b" cid &&
	a=$(jq -c '.hooks.poststop[0].args' "$WORK/b/config.json") &&
	expect "options over env ($a)" \
		[ "$a" = '["flap-recorder","--socket","/opt.sock","hook","--docker-root","/opt-docker","poststop"]' ] &&
	expect "runc got none of ours" got_args create -b "$WORK/b" cid
}

# $PATH search: flap-runc skips itself, also when installed as "runc".
test_path_search() {
	local st
	mkdir -p "$WORK/self" && ln -sf "$FLAP" "$WORK/self/runc" || return 1
	: > "$ARGS"
	PATH=$WORK/self:$WORK/fake:$PATH "$BIN/flap-runc" state cid &&
	expect "flap-runc found the fake runc after itself" got_args state cid || return 1
	: > "$ARGS"
	fresh_bundle
	PATH=$WORK/self:$WORK/fake:$PATH "$WORK/self/runc" create -b "$WORK/b" cid &&
	expect "installed as runc: still the wrapper" got_args create -b "$WORK/b" cid &&
	expect "installed as runc: hooks added" [ "$(ours createRuntime)" = 1 ] || return 1
	PATH=$WORK/self "$BIN/flap-runc" state cid 2> "$WORK/err"; st=$?
	expect "no other runc: exit 1 (got $st)" [ "$st" = 1 ] &&
	expect "no other runc: one line ($(cat "$WORK/err"))" \
		[ "$(cat "$WORK/err")" = "flap-runc: no runc to run (runc in \$PATH): No such file or directory" ] || return 1
	FLAP_RUNC=$WORK/self/runc "$BIN/flap-runc" state cid 2> "$WORK/err"; st=$?
	expect "FLAP_RUNC naming flap-runc: exit 1 (got $st)" [ "$st" = 1 ] &&
	expect "FLAP_RUNC naming flap-runc: says so" grepq 'that is flap-runc itself' "$WORK/err"
}

# A read-only bundle: one warning in runc's log (its format), runc still runs.
test_uneditable() {
	local l st
	fresh_bundle
	: > "$WORK/log.json"
	unshare --mount --propagation private sh -c "mount --bind -o ro '$WORK/b' '$WORK/b' &&
		FLAP_RUNC='$FAKE' exec '$BIN/flap-runc' --log '$WORK/log.json' --log-format json \
		create -b '$WORK/b' cid" 2> "$WORK/err"; st=$?
	expect "runc ran (exit $st)" [ "$st" = 0 ] &&
	expect "with its arguments" got_args --log "$WORK/log.json" --log-format json create -b "$WORK/b" cid &&
	expect "nothing on stderr (it may be the container's)" [ ! -s "$WORK/err" ] &&
	expect "bundle unchanged" [ "$(ours createRuntime)" = 0 ] || return 1
	l=$(cat "$WORK/log.json")
	expect "one json line in runc's log ($l)" [ "$(jq -r .level <<< "$l")" = warning ] &&
	expect "says why" grepq 'flap-runc: the container runs unrecorded: cannot add the hooks: .*Read-only file system' \
		<<< "$(jq -r .msg <<< "$l")" || return 1
	unshare --mount --propagation private sh -c "mount --bind -o ro '$WORK/b' '$WORK/b' &&
		FLAP_RUNC='$FAKE' exec '$BIN/flap-runc' --log '$WORK/log.txt' create -b '$WORK/b' cid" &&
	expect "text log format" grepq '^time="[0-9T:-]*Z" level=warning msg="flap-runc: the container runs unrecorded' \
		"$WORK/log.txt" || return 1
	FLAP_RUNC=$FAKE "$BIN/flap-runc" create -b "$WORK/none" cid 2> "$WORK/err"
	expect "no --log: stderr" grepq "^flap-runc: the container runs unrecorded: cannot add the hooks: $WORK/none/config.json: No such file" "$WORK/err"
}

# The real runc: the container runs with our hooks (no daemon: they fail
# open), and its exit status comes back.
test_real_runc() {
	local st bb
	bb=$(command -v busybox) || { echo "    busybox missing"; return 1; }
	mkdir -p "$WORK/r/rootfs/bin" && cp "$bb" "$WORK/r/rootfs/bin/busybox" &&
	ln -s busybox "$WORK/r/rootfs/bin/sh" || return 1
	jq '.process.terminal = false | .process.args = ["/bin/sh", "-c", "exit 3"] |
		.root.path = "rootfs"' "$WORK/spec.json" > "$WORK/r/config.json" || return 1
	"$BIN/flap-runc" --flap-socket "$WORK/no-daemon.sock" --root "$RUNC_ROOT" run -b "$WORK/r" \
		"flap-runc-$$" < /dev/null > "$WORK/out" 2>&1; st=$?
	expect "container exit status 3 (got $st)" [ "$st" = 3 ] || { cat "$WORK/out"; return 1; }
	expect "the hooks were in its spec" \
		[ "$(jq '[.hooks.createRuntime[], .hooks.poststop[] | select(.path == "'"$FLAP"'")] | length' \
			"$WORK/r/config.json")" = 2 ]
}

ALL="test_pass_through test_bundle_forms test_idempotent test_env test_path_search test_uneditable
test_real_runc"

require_root "flap-runc tests"
setup || { echo "setup failed"; exit 1; }
run_tests ${*:-$ALL}
echo "flap-runc summary: $PASS PASSED, $FAIL FAILED${FAILED:+ (}${FAILED# }${FAILED:+)}"
[ "$FAIL" -eq 0 ]
