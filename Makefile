# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# flap-recorder build. Every output goes under build/. The BPF objects are
# compiled with clang, stripped of DWARF by `bpftool gen object` and embedded
# into the binary as libbpf skeletons, so nodes need no clang.
#
#   make            build/flap-recorder
#   make static     build/static/flap-recorder: statically linked, for hosts
#                   that have none of its libraries (docs/oci.md)
#   make image      the container image (podman build): IMAGE=localhost/flap-recorder:VERSION
#   make deps       install build and test dependencies (apt-get, root)
#   make test       unit tests, kernel tests (root), end-to-end tests
#   make test SANITIZE=1   the same, built with ASan+UBSan into build/asan
#   make test-valgrind     unit tests under valgrind
#   make fuzz       every libFuzzer target for FUZZ_TIME seconds (default 60)
#   make demo       build, start the recorder, crash a workload, print its dump
#   make bench      benchmarks (tests/bench), numbers into build/bench/
#   make bench-servers  only its real servers part (nginx, redis, PostgreSQL)
#   make vmtest KERNEL=5.10|6.1|6.12|linux-image-...   the demo and the kernel
#                   tests in a qemu guest booting that Debian kernel
#   make vmtest-all the kernel matrix: every kernel of VM_KERNELS
#   make fmt        clang-format -i;  make fmt-check  check only
#   make lint       cppcheck and the layout check (tests/layout-check.sh)
#   V=1             verbose

# SANITIZE=1: library, CLI and tests with ASan+UBSan, in their own build
# directory (the test helpers and examples stay plain: they must die of
# real signals). VALGRIND=1: the unit tests under valgrind.
SANITIZE   ?=
VALGRIND   ?=
ifeq ($(SANITIZE),1)
OUTPUT     ?= build/asan
else
OUTPUT     ?= build
endif
ARCH       ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
SC_ARCH    ?= $(shell uname -m | sed -e 's/aarch64/arm64/')
CLANG      ?= clang
CC         ?= gcc
BPFTOOL    ?= bpftool
PROTOC_C   ?= protoc-c
PKG_CONFIG ?= pkg-config
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
UNISTD_H   ?= $(firstword $(wildcard /usr/include/$(shell uname -m)-linux-gnu/asm/unistd_64.h \
		/usr/include/asm/unistd_64.h /usr/include/asm-generic/unistd.h))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(abspath $(OUTPUT))/%,%,$(2))";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

LIBS_PC := libbpf libuv libprotobuf-c libdw libelf json-c
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -fstack-protector-strong
ifeq ($(SANITIZE),1)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -O1
LDFLAGS  += -fsanitize=address,undefined
# Every finding is fatal: a leak, an overflow, undefined behaviour. The
# daemon and the CLI of the e2e tests inherit these.
export ASAN_OPTIONS  ?= detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1
else
CFLAGS   += -D_FORTIFY_SOURCE=2
endif
# recorder/ is one folder per pipeline stage (docs/architecture.md).
LIB_DIRS := base decode kernel store print daemon
CPPFLAGS += -I$(OUTPUT) -I$(OUTPUT)/proto -Ibpf $(addprefix -Irecorder/,$(LIB_DIRS)) -Itests/lib \
	    $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(LIBS_PC) 2>/dev/null) -lz -lpthread

# Where clang finds the system's asm/ headers for -target bpf.
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -I$(OUTPUT) -Ibpf $(CLANG_BPF_SYS_INCLUDES)

BPF_PROGS  := dispatch record lifecycle
BPF_SKELS  := $(patsubst %,$(OUTPUT)/%.skel.h,$(BPF_PROGS))
PROTOS     := $(wildcard proto/*.proto)
PROTO_C    := $(patsubst proto/%.proto,$(OUTPUT)/proto/%.pb-c.c,$(PROTOS))
PROTO_H    := $(PROTO_C:.c=.h)
SYSCALLS_H := $(OUTPUT)/syscalls_$(SC_ARCH).h
GENERATED  := $(OUTPUT)/vmlinux.h $(SYSCALLS_H) $(BPF_SKELS) $(PROTO_H)

LIB_SRCS   := $(foreach d,$(LIB_DIRS),$(wildcard recorder/$(d)/*.c))
LIB_OBJS   := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS)) \
	      $(patsubst $(OUTPUT)/proto/%.c,$(OUTPUT)/obj/proto/%.o,$(PROTO_C))
CLI_SRCS   := $(wildcard cli/*.c)
CLI_OBJS   := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(CLI_SRCS))
LIBFLAP    := $(OUTPUT)/libflap.a
BIN        := $(OUTPUT)/flap-recorder

UNIT_SRCS    := $(wildcard tests/unit/*.c)
KERNEL_SRCS  := $(wildcard tests/kernel/*.c)
HELPER_SRCS  := $(wildcard tests/helpers/*.c)
TEST_HELPERS := $(patsubst tests/helpers/%.c,$(OUTPUT)/tests/%,$(HELPER_SRCS)) \
		$(OUTPUT)/tests/crasher-fp $(OUTPUT)/tests/crasher-nofp
TEST_LIB     := $(OUTPUT)/obj/tests/lib/testutil.o

.PHONY: all static image image-context bench-containers bench-servers FORCE bpf proto test test-unit test-valgrind \
	test-kernel test-e2e stress soak bench demo deps deps-check vmtest vmtest-all \
	clean fmt fmt-check lint layout-check install sanitize fuzz fuzz-build syscall-meta
all: $(BIN)

bpf: $(BPF_SKELS)
proto: $(PROTO_H)

$(OUTPUT) $(OUTPUT)/bpf $(OUTPUT)/proto $(OUTPUT)/tests:
	$(Q)mkdir -p $@

# vmlinux.h: from this kernel's BTF, or a pinned copy (VMLINUX_H=path).
ifdef VMLINUX_H
$(OUTPUT)/vmlinux.h: $(VMLINUX_H) | $(OUTPUT)
	$(call msg,CP,$@)
	$(Q)cp $< $@
else
$(OUTPUT)/vmlinux.h: | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@
endif

# The syscall table: numbers and names from the system headers, argument
# names and types from the kernel's syscall metadata (see gen-syscalls.sh).
$(SYSCALLS_H): recorder/decode/gen-syscalls.sh recorder/decode/syscalls_$(SC_ARCH).meta $(UNISTD_H) | $(OUTPUT)
	$(call msg,GEN,$@)
	$(Q)sh recorder/decode/gen-syscalls.sh $(UNISTD_H) recorder/decode/syscalls_$(SC_ARCH).meta > $@.tmp && mv $@.tmp $@
	$(Q)ln -sf $(notdir $@) $(OUTPUT)/syscalls_arch.h

# Refresh the captured kernel syscall metadata from this kernel (root).
syscall-meta:
	sh recorder/decode/gen-syscalls.sh --capture > recorder/decode/syscalls_$(SC_ARCH).meta

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(OUTPUT)/vmlinux.h $(SYSCALLS_H) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# Link (and drop DWARF), then embed as a skeleton.
$(OUTPUT)/bpf/%.o: $(OUTPUT)/bpf/%.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name flap_$* > $@.tmp && mv $@.tmp $@

$(OUTPUT)/proto/%.pb-c.c $(OUTPUT)/proto/%.pb-c.h: proto/%.proto | $(OUTPUT)/proto
	$(call msg,PROTOC,$@)
	$(Q)$(PROTOC_C) --c_out=$(OUTPUT)/proto -Iproto $<

$(OUTPUT)/obj/proto/%.o: $(OUTPUT)/proto/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(filter-out -Wmissing-prototypes -Wshadow,$(CFLAGS)) -c $< -o $@

$(OUTPUT)/obj/%.o: %.c $(GENERATED)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBFLAP): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJS) $(LIBFLAP)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The static binary: the same objects (Debian's gcc builds PIE code, so
# -static-pie keeps ASLR) against the distribution's static archives, in
# the order `pkg-config --static` gives them (libelf brings zlib, and zstd
# where elfutils was built with it). Debian names libuv's archive
# libuv_a.a. glibc's linker warnings for getgrnam/getpwuid_r are expected:
# docs/oci.md says what a static glibc costs; so is its dlopen warning for
# libdw's debuginfod client (never used: the unwinder looks nothing up).
UV_STATIC     ?= $(if $(wildcard /usr/lib/$(shell $(CC) -dumpmachine)/libuv_a.a),uv_a,uv)
STATIC_LDLIBS ?= $(patsubst -luv,-l$(UV_STATIC),$(shell $(PKG_CONFIG) --static --libs \
		 $(LIBS_PC) 2>/dev/null)) -lz -lpthread
STATIC_LINK   ?= -static-pie

ifeq ($(SANITIZE),1)
# The sanitizers do not link statically: under SANITIZE=1 the static binary
# is the plain one (the e2e tests run it as the hook, on a sanitized daemon).
STATIC_BIN    := $(patsubst %/asan,%,$(OUTPUT))/static/flap-recorder
static $(STATIC_BIN): FORCE
	$(Q)$(MAKE) --no-print-directory SANITIZE= OUTPUT=$(patsubst %/asan,%,$(OUTPUT)) static
FORCE:
else
STATIC_BIN    := $(OUTPUT)/static/flap-recorder
static: $(STATIC_BIN)

$(STATIC_BIN): $(CLI_OBJS) $(LIBFLAP)
	$(call msg,STATIC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS) $(STATIC_LINK) $^ $(STATIC_LDLIBS) -o $@ 2> $@.log; rc=$$?; \
		grep -v -e 'statically linked applications requires at runtime' \
			-e "in function .\(parse_opt\|uv__getpwuid_r\|__libdwfl_debuginfod_init\).:$$" \
			$@.log >&2; \
		rm -f $@.log; exit $$rc
	$(Q)test -x $@ && ! readelf -lW $@ | grep -q 'INTERP' || \
		{ echo "$@: not static (has a program interpreter)" >&2; rm -f $@; exit 1; }
endif

# ---- image ------------------------------------------------------------------
# The image of examples/kubernetes/Containerfile, built by podman from
# build/image/: the static binary and its flap-runc link, the hooks.d
# files, busybox-static with the applets the DaemonSet's init container
# uses. No registry is needed; IMAGE names the tag (push it, or load it on
# the nodes: podman save IMAGE | ctr -n k8s.io images import -).
VERSION        := $(shell sed -n 's/^\#define FLAP_VERSION "\(.*\)"/\1/p' recorder/base/version.h)
IMAGE          ?= localhost/flap-recorder:$(VERSION)
PODMAN         ?= podman
# runc and cgroupfs: what podman needs where crun cannot run (cgroup v1/v2 hybrid).
PODMAN_FLAGS   ?= --runtime runc --cgroup-manager cgroupfs
IMAGE_CTX      := $(patsubst %/asan,%,$(OUTPUT))/image
BUSYBOX        ?= $(shell command -v busybox)
IMAGE_APPLETS  := sh cp chmod mv ln rm mkdir cat echo test [ ls

image-context: $(STATIC_BIN) examples/kubernetes/Containerfile $(wildcard examples/hooks.d/*.json)
	$(call msg,IMAGE,$(IMAGE_CTX))
	$(Q)if readelf -d $(BUSYBOX) 2>/dev/null | grep -q NEEDED; then \
		echo "$(BUSYBOX) is dynamically linked: install busybox-static" >&2; exit 1; fi
	$(Q)rm -rf $(IMAGE_CTX) && mkdir -p $(IMAGE_CTX)/bin $(IMAGE_CTX)/sbin $(IMAGE_CTX)/hooks.d
	$(Q)cp examples/kubernetes/Containerfile $(IMAGE_CTX)/
	$(Q)install -m 0755 $(BUSYBOX) $(IMAGE_CTX)/bin/busybox
	$(Q)for a in $(IMAGE_APPLETS); do $(BUSYBOX) --list | grep -qxF -- "$$a" || \
		{ echo "$(BUSYBOX) has no $$a applet" >&2; exit 1; }; \
		ln -s busybox '$(IMAGE_CTX)/bin/'"$$a"; done
	$(Q)install -m 0755 $(STATIC_BIN) $(IMAGE_CTX)/sbin/flap-recorder
	$(Q)ln -s flap-recorder $(IMAGE_CTX)/sbin/flap-runc
	$(Q)install -m 0644 examples/hooks.d/*.json $(IMAGE_CTX)/hooks.d/

image: image-context
	$(PODMAN) $(PODMAN_FLAGS) build --build-arg VERSION=$(VERSION) -t $(IMAGE) \
		-f $(IMAGE_CTX)/Containerfile $(IMAGE_CTX)

# ---- tests ----------------------------------------------------------------
# The list of tests is generated from the `void test_<name>(void)` functions.
define test_list
$(OUTPUT)/tests/$(1)_list.inc: $(wildcard tests/$(1)/*.c) | $(OUTPUT)/tests
	$$(call msg,GEN,$$@)
	$$(Q)sed -n 's/^void test_\([a-z0-9_]*\)(void)$$$$/DEFINE_TEST(\1)/p' \
		$$(sort $$(wildcard tests/$(1)/*.c)) > $$@.tmp && mv $$@.tmp $$@
endef
$(eval $(call test_list,unit))
$(eval $(call test_list,kernel))

$(OUTPUT)/obj/tests/runner_%.o: tests/lib/runner.c $(OUTPUT)/tests/%_list.inc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -DTEST_LIST='"tests/$*_list.inc"' -c $< -o $@

# The unit tests drive the control handlers (ctl_handlers.c) on a fake
# daemon, so the archive's state.o, daemon.o and the registry's objects are
# never linked into them.
$(OUTPUT)/tests/unit_tests: $(OUTPUT)/obj/tests/runner_unit.o $(patsubst %.c,$(OUTPUT)/obj/%.o,$(UNIT_SRCS)) $(TEST_LIB) $(OUTPUT)/obj/tests/lib/fake_daemon.o $(LIBFLAP)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/kernel_tests: $(OUTPUT)/obj/tests/runner_kernel.o $(patsubst %.c,$(OUTPUT)/obj/%.o,$(KERNEL_SRCS)) $(TEST_LIB) $(LIBFLAP)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Test functions are declared by the runner from the generated list.
$(OUTPUT)/obj/tests/%.o: CFLAGS += -Wno-missing-prototypes
# Its chain of calls unwinds by CFI alone, as Debian's programs do.
$(OUTPUT)/obj/tests/unit/test_symbols.o: CFLAGS += -fomit-frame-pointer

# The demo workload (examples/crashme.c).
EXAMPLE_BINS := $(OUTPUT)/examples/crashme
$(OUTPUT)/examples/%: examples/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@

# Helper programs the tests run (workloads, crashers).
$(OUTPUT)/tests/%: tests/helpers/%.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@ -lpthread

# The crasher with frame pointers: its crash stack is the kernel's
# frame-pointer walk (the plain one, built without, needs the stack scan).
$(OUTPUT)/tests/crasher-fp: tests/helpers/crasher.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@ -lpthread

# The crasher as Debian builds programs: -O2, no frame pointers. Its
# callers are found by the objects' CFI, from the stack copy.
$(OUTPUT)/tests/crasher-nofp: tests/helpers/crasher.c | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -fomit-frame-pointer -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@ -lpthread

# Static copies of the workloads, for container and chroot root file systems
# that hold no libc (tests/e2e/static.sh, docker.sh, cri.sh, image.sh).
STATIC_HELPERS := $(OUTPUT)/tests/static/crasher $(OUTPUT)/tests/static/workload
$(OUTPUT)/tests/static/%: tests/helpers/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) -static -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@ -lpthread

# The benchmark's driver of the library (tests/bench/run.sh).
BENCH_BIN := $(OUTPUT)/tests/flapbench
# ask-dump talks to a daemon with the CLI's client.
$(OUTPUT)/obj/tests/bench/flapbench.o: CPPFLAGS += -Icli
$(BENCH_BIN): $(OUTPUT)/obj/tests/bench/flapbench.o $(OUTPUT)/obj/cli/client.o $(LIBFLAP) | $(OUTPUT)/tests
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Exact checks for the stress, fault and persistence tests (tests/e2e/).
FLAPCHECK := $(OUTPUT)/tests/flapcheck
$(FLAPCHECK): $(OUTPUT)/obj/tests/e2e/flapcheck.o $(TEST_LIB) $(LIBFLAP) | $(OUTPUT)/tests
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

ifeq ($(SANITIZE),1)
# The e2e tests run the daemon and the CLI under the sanitizers: their
# reports go to files, so one from a command whose exit status a test does
# not look at (a pipe, a daemon's exit) fails the run all the same.
SAN_LOGS      := $(abspath $(OUTPUT))/sanitizer-logs
SAN_LOG_START := rm -rf $(SAN_LOGS); mkdir -p $(SAN_LOGS); \
	export ASAN_OPTIONS="$(ASAN_OPTIONS):log_path=$(SAN_LOGS)/asan" \
	UBSAN_OPTIONS="$(UBSAN_OPTIONS):log_path=$(SAN_LOGS)/ubsan";
SAN_LOG_CHECK := if [ -n "$$(ls -A $(SAN_LOGS))" ]; then echo "sanitizer reports:"; \
	cat $(SAN_LOGS)/*; rc=1; fi;
endif

ifeq ($(VALGRIND),1)
# Each test runs in a forked child; valgrind checks every child's leaks and
# errors when it exits, and fails it with status 1.
TEST_WRAP := valgrind -q --error-exitcode=1 --leak-check=full --track-origins=yes \
	     --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible
endif

test-unit: $(OUTPUT)/tests/unit_tests
	$(TEST_WRAP) $(OUTPUT)/tests/unit_tests $(TEST_ARGS)

test-valgrind:
	$(Q)$(MAKE) --no-print-directory VALGRIND=1 test-unit

test-kernel: $(OUTPUT)/tests/kernel_tests $(TEST_HELPERS) $(BIN)
	@if [ "$$(id -u)" != 0 ]; then echo "SKIP test-kernel: needs root (real BPF, real cgroups)"; \
	else $(OUTPUT)/tests/kernel_tests --strict $(TEST_ARGS); fi

test-e2e: $(BIN) $(TEST_HELPERS) $(FLAPCHECK) $(STATIC_BIN) $(STATIC_HELPERS)
	@if [ "$$(id -u)" != 0 ]; then echo "SKIP test-e2e: needs root"; \
	else export FLAP=$(abspath $(BIN)) HELPERS=$(abspath $(OUTPUT)/tests) \
		FLAP_STATIC=$(abspath $(STATIC_BIN)); $(SAN_LOG_START) \
		bash tests/e2e/run.sh; rc=$$?; bash tests/e2e/oci.sh || rc=1; \
		bash tests/e2e/registration.sh || rc=1; \
		bash tests/e2e/persist.sh || rc=1; bash tests/e2e/stress.sh || rc=1; \
		bash tests/e2e/losses.sh || rc=1; \
		bash tests/e2e/hostile.sh || rc=1; \
		bash tests/e2e/decode.sh || rc=1; bash tests/e2e/fidelity.sh || rc=1; \
		bash tests/e2e/static.sh || rc=1; \
		bash tests/e2e/flap_runc.sh || rc=1; bash tests/e2e/docker.sh || rc=1; \
		bash tests/e2e/cri.sh || rc=1; bash tests/e2e/image.sh || rc=1; \
		$(SAN_LOG_CHECK) exit $$rc; fi

# The stress, fault, loss and persistence tests alone (also part of test-e2e).
stress: $(BIN) $(TEST_HELPERS) $(FLAPCHECK)
	@if [ "$$(id -u)" != 0 ]; then echo "SKIP stress: needs root"; \
	else export FLAP=$(abspath $(BIN)) HELPERS=$(abspath $(OUTPUT)/tests); \
		bash tests/e2e/persist.sh; rc=$$?; bash tests/e2e/stress.sh || rc=1; \
		bash tests/e2e/losses.sh || rc=1; exit $$rc; fi

# The soak test (not part of test, test-e2e or CI): one --persist daemon under
# mixed load for SOAK_SECONDS (3600), kill -9 restarts, then the accounting.
soak: $(BIN) $(TEST_HELPERS) $(FLAPCHECK)
	@if [ "$$(id -u)" != 0 ]; then echo "SKIP soak: needs root"; \
	else export FLAP=$(abspath $(BIN)) HELPERS=$(abspath $(OUTPUT)/tests); \
		bash tests/e2e/soak.sh; fi

test: deps-check
	$(Q)$(MAKE) --no-print-directory all $(OUTPUT)/tests/unit_tests $(OUTPUT)/tests/kernel_tests $(TEST_HELPERS)
	$(Q)$(MAKE) --no-print-directory test-unit
	$(Q)$(MAKE) --no-print-directory test-kernel
	$(Q)$(MAKE) --no-print-directory test-e2e

sanitize:
	$(Q)$(MAKE) --no-print-directory OUTPUT=$(OUTPUT)/asan SANITIZE=1 test-unit

# ---- fuzzing ------------------------------------------------------------------
# libFuzzer targets (tests/fuzz/fuzz_<name>.c), built with clang under
# ASan+UBSan into $(OUTPUT)/fuzz/. `make fuzz` runs each for FUZZ_TIME
# seconds on a copy of its seed corpus (tests/fuzz/corpus/<name>, left as it
# is) and fails on the first crash, leak or timeout; the input that did it is
# kept as $(OUTPUT)/fuzz/crash-<name>-*.
FUZZ_TIME    ?= 60
FUZZ_CC      ?= $(CLANG)
FUZZ_TARGETS := dump decode oci ctl bundle
FUZZ_DIR     := $(OUTPUT)/fuzz
FUZZ_BINS    := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -D_GNU_SOURCE $(WARNINGS) -Wno-format-nonliteral
# The library, instrumented, as an archive: a target links only what it
# needs of it, and fuzz_ctl its fake daemon instead of state.o/lifetime.o.
FUZZ_LIB     := $(FUZZ_DIR)/libflap.a
FUZZ_OBJS    := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(LIB_SRCS)) \
		$(patsubst $(OUTPUT)/proto/%.c,$(FUZZ_DIR)/obj/proto/%.o,$(PROTO_C))
FUZZ_EXTRA_ctl := tests/lib/fake_daemon.c
FUZZ_ARGS_dump   := -max_len=65536
FUZZ_ARGS_decode := -max_len=20000
FUZZ_ARGS_oci    := -max_len=8192 -dict=tests/fuzz/oci.dict
FUZZ_ARGS_ctl    := -max_len=4096
FUZZ_ARGS_bundle := -max_len=16384

$(FUZZ_DIR)/obj/recorder/%.o: recorder/%.c $(GENERATED)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(CPPFLAGS) -c $< -o $@

$(FUZZ_DIR)/obj/proto/%.o: $(OUTPUT)/proto/%.c
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(filter-out -Wmissing-prototypes -Wshadow,$(FUZZ_CFLAGS)) \
		-fsanitize=fuzzer-no-link $(FUZZ_SAN) $(CPPFLAGS) -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/lib/fake_daemon.c $(FUZZ_LIB)
	$(call msg,FUZZ-CC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Wno-missing-prototypes -fsanitize=fuzzer $(FUZZ_SAN) \
		$(CPPFLAGS) -Itests/lib $< $(FUZZ_EXTRA_$*) $(FUZZ_LIB) $(LDLIBS) -o $@

fuzz-build: $(FUZZ_BINS)

fuzz-run-%: $(FUZZ_DIR)/fuzz_%
	$(Q)rm -rf $(FUZZ_DIR)/corpus-$* && mkdir -p $(FUZZ_DIR)/corpus-$*
	$(Q)cp tests/fuzz/corpus/$*/* $(FUZZ_DIR)/corpus-$*/
	$(Q)echo "  FUZZ     $* for $(FUZZ_TIME)s"
	$(Q)$< -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 $(FUZZ_ARGS_$*) \
		-artifact_prefix=$(FUZZ_DIR)/crash-$*- $(FUZZ_DIR)/corpus-$* \
		> $(FUZZ_DIR)/$*.log 2>&1 || { tail -60 $(FUZZ_DIR)/$*.log; exit 1; }
	$(Q)grep -E '^Done [0-9]+ runs' $(FUZZ_DIR)/$*.log | sed 's/^/           $*: /'

fuzz: $(addprefix fuzz-run-,$(FUZZ_TARGETS))

bench: deps-check
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BIN) $(TEST_HELPERS) $(STATIC_BIN) $(STATIC_HELPERS)
	FLAP=$(abspath $(BIN)) FLAP_STATIC=$(abspath $(STATIC_BIN)) HELPERS=$(abspath $(OUTPUT)/tests) OUT=$(abspath $(OUTPUT)/bench) \
		QUICK=$(QUICK) BASELINE=$(if $(BASELINE),$(abspath $(BASELINE))) DOCS=$(if $(QUICK),,$(abspath docs)) sh tests/bench/run.sh

# Only the real servers' part of make bench (tests/bench/servers.sh): its
# section of docs/benchmarks.md.
bench-servers: deps-check
	$(Q)$(MAKE) --no-print-directory all $(BENCH_BIN) $(TEST_HELPERS)
	FLAP=$(abspath $(BIN)) HELPERS=$(abspath $(OUTPUT)/tests) OUT=$(abspath $(OUTPUT)/bench) \
		QUICK=$(QUICK) SERVERS_ONLY=1 DOCS=$(if $(QUICK),,$(abspath docs)) sh tests/bench/run.sh

# Only the container start latency added by the hook (runc, podman, Docker,
# containerd's CRI: tests/bench/container_start.sh, part of make bench): its
# section of docs/benchmarks.md.
bench-containers: deps-check
	$(Q)$(MAKE) --no-print-directory all $(STATIC_BIN) $(STATIC_HELPERS)
	FLAP=$(abspath $(BIN)) FLAP_STATIC=$(abspath $(STATIC_BIN)) HELPERS=$(abspath $(OUTPUT)/tests) \
		OUT=$(abspath $(OUTPUT)/bench) DOCS=$(if $(QUICK),,$(abspath docs)) N=$(if $(QUICK),3,$(N)) \
		bash tests/bench/container_start.sh

demo: deps-check
	$(Q)$(MAKE) --no-print-directory all $(EXAMPLE_BINS)
	$(Q)FLAP=$(abspath $(BIN)) CRASHME=$(abspath $(OUTPUT)/examples/crashme) sh examples/demo.sh

# ---- the kernel matrix ------------------------------------------------------
# Debian's kernels of the nodes users run, booted under qemu (tests/vm/):
# 5.10 (Debian 11), 6.1 (Debian 12), 6.12 (bookworm-backports, Debian 13's
# series). The guest runs this build: the demo's steps and every kernel test.
VM_KERNELS ?= 5.10 6.1 6.12
VM_DEPS    := $(BIN) $(OUTPUT)/tests/kernel_tests $(TEST_HELPERS) $(EXAMPLE_BINS)

vmtest: deps-check
	$(Q)$(MAKE) --no-print-directory $(VM_DEPS)
	$(Q)if [ -z "$(KERNEL)" ]; then echo "make vmtest KERNEL=5.10|6.1|6.12|linux-image-..."; exit 2; fi
	$(Q)VM_DIR=$(abspath $(OUTPUT))/vm bash tests/vm/vmtest.sh $(KERNEL)

vmtest-all: deps-check
	$(Q)$(MAKE) --no-print-directory $(VM_DEPS)
	$(Q)rc=0; for k in $(VM_KERNELS); do \
		VM_DIR=$(abspath $(OUTPUT))/vm bash tests/vm/vmtest.sh $$k || rc=1; done; exit $$rc

# ---- dependencies -----------------------------------------------------------
DEB_PKGS := make gcc clang llvm libbpf-dev bpftool libelf-dev libdw-dev libbz2-dev zlib1g-dev libuv1-dev \
	    protobuf-c-compiler libprotobuf-c-dev libjson-c-dev pkg-config \
	    busybox-static runc podman jq libc6-dev strace linux-perf bpftrace gnuplot-nox valgrind \
	    clang-format docker.io containerd python3-grpcio python3-grpc-tools python3-protobuf \
	    python3-yaml qemu-system-x86 kmod cpio zstd xz-utils \
	    nginx-light wrk redis-server redis-tools postgresql postgresql-contrib
# The benchmarks start their own server instances: the packages' services stay off.
BENCH_SERVICES := nginx redis-server postgresql

deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make deps: needs root (apt-get)"; exit 1; fi
	DEBIAN_FRONTEND=noninteractive apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEB_PKGS)
	@for s in $(BENCH_SERVICES); do \
		if [ -d /run/systemd/system ]; then systemctl disable --now $$s >/dev/null 2>&1; \
		else service $$s stop >/dev/null 2>&1; update-rc.d $$s disable >/dev/null 2>&1; fi; \
	done; true

# Runs `make deps` when a tool or library the build needs is missing.
deps-check:
	@missing=; \
	for c in $(CLANG) $(BPFTOOL) $(PROTOC_C) $(PKG_CONFIG) runc busybox dockerd containerd ctr \
		qemu-system-x86_64 cpio nginx wrk redis-server redis-benchmark pg_isready; do \
		command -v $$c >/dev/null 2>&1 || missing="$$missing $$c"; done; \
	/usr/bin/python3 -c 'import grpc, grpc_tools, google.protobuf, yaml' 2>/dev/null || \
		missing="$$missing python3-grpc"; \
	$(PKG_CONFIG) --exists $(LIBS_PC) 2>/dev/null || missing="$$missing libs"; \
	ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then echo "missing:$$missing -> make deps"; \
		$(MAKE) --no-print-directory deps; fi

# ---- housekeeping -------------------------------------------------------------
FMT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
fmt:
	clang-format -i $(FMT_SRCS)
fmt-check:
	clang-format --dry-run -Werror $(FMT_SRCS)

# cppcheck reads no system header: give it <sys/queue.h> for the TAILQ macros.
HASH := \#
SYS_QUEUE_H = $(shell printf '$(HASH)include <sys/queue.h>\n' | $(CC) -E -H -x c -o /dev/null - 2>&1 | \
		awk 'NR == 1 { print $$2 }')
# recorder/ is one folder per pipeline stage; includes only go down the stages.
layout-check:
	$(Q)sh tests/layout-check.sh

lint: $(GENERATED) layout-check
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 \
		--suppress=missingIncludeSystem --include=$(SYS_QUEUE_H) \
		-I bpf $(addprefix -I recorder/,$(LIB_DIRS)) -I $(OUTPUT) recorder cli

PREFIX ?= /usr/local
# STATIC=1: the static binary (make static), for hosts without our libraries.
INSTALL_BIN = $(if $(filter 1,$(STATIC)),$(STATIC_BIN),$(BIN))
install: $(if $(filter 1,$(STATIC)),$(STATIC_BIN),$(BIN))
	install -D -m 0755 $(INSTALL_BIN) $(DESTDIR)$(PREFIX)/sbin/flap-recorder
	ln -sf flap-recorder $(DESTDIR)$(PREFIX)/sbin/flap-runc
	install -d $(DESTDIR)$(PREFIX)/share/doc/flap-recorder $(DESTDIR)$(PREFIX)/share/flap-recorder
	cp -r docs/. $(DESTDIR)$(PREFIX)/share/doc/flap-recorder/
	cp -r examples/. $(DESTDIR)$(PREFIX)/share/flap-recorder/

clean:
	rm -rf $(OUTPUT)

-include $(shell find $(OUTPUT)/obj -name '*.d' 2>/dev/null)
