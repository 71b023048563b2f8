# complyd — continuous control monitoring for Linux servers. See README.md.
#
#   make run      install build deps if missing, build, run `complyd check` on this host
#   make check    the same set-up, then every test (unit forked, unit unforked under
#                 ASan+UBSan, integration, fuzz corpora replayed)
#   make install  PREFIX=/usr/local DESTDIR=
#   make fuzz     libFuzzer targets (clang), FUZZ_SECONDS each

VERSION     := 0.1.0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/sbin
LIBDIR      ?= $(PREFIX)/lib
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(LIBDIR)/systemd/system
# systemd-sysusers reads /usr/lib/sysusers.d and /etc/sysusers.d only
SYSUSERSDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/sysusers.d,/etc/sysusers.d)
DOCDIR      ?= $(PREFIX)/share/doc/complyd
MANDIR      ?= $(PREFIX)/share/man
DESTDIR     ?=

BUILD       ?= build
SAN         ?=
CC          ?= gcc
FUZZ_SECONDS ?= 60

PKGS        := libsystemd libcurl jansson yaml-0.1 libcrypto zlib liblzma liblz4
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libcurl is dlopen()ed on first use (src/curl_dl.c): headers only. So is
# libcrypto for complyd (probes/lib/crypto_dl.c); it stays in the list for
# the tests that call OpenSSL themselves (--as-needed drops it elsewhere).
PKG_LIBS    := $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null)
CHECK_LIBS  := $(shell pkg-config --libs check 2>/dev/null)

WARNINGS    := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
               -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS      ?= -O2 -g
ALL_CFLAGS  := -std=gnu11 $(WARNINGS) $(CFLAGS) -D_GNU_SOURCE -fno-strict-aliasing \
               -DCOMPLYD_VERSION='"$(VERSION)"' -DTOP_SRCDIR='"$(CURDIR)"' \
               -DSYSCONFDIR='"$(SYSCONFDIR)"' -DPROBE_LIBDIR='"$(LIBDIR)/complyd/probes"' \
               -Iinclude -Isrc -Iprobes/lib -I$(BUILD)/gen $(PKG_CFLAGS)
ifneq ($(SAN),)
ALL_CFLAGS  += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN       := -fsanitize=address,undefined
endif
# --as-needed: a library nothing calls (libm here) is not loaded at every start
LDLIBS      := -Wl,--as-needed $(PKG_LIBS) -ldl -lm

# Sources. Every directory under probes/ but lib/ is a built-in probe whose
# files define `const struct complyd_probe complyd_probe_<dir>`.
CORE_SRC    := $(filter-out src/main.c,$(wildcard src/*.c))
PROBE_NAMES := $(sort $(filter-out lib,$(notdir $(patsubst %/,%,$(wildcard probes/*/)))))
PROBE_SRC   := $(wildcard probes/*/*.c)
CONTROLS    := $(sort $(wildcard etc/controls.d/*.yaml))
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)
EXAMPLE_SO  := $(sort $(patsubst examples/probes/%/,$(BUILD)/probes/%.so,$(dir $(wildcard examples/probes/*/*.c))))

# `make V=1` shows the full commands
msg          = $(if $(V),,@printf '  %-4s %s\n' $(1) $(2);)

OBJ         := $(BUILD)/obj
CORE_OBJ    := $(CORE_SRC:%.c=$(OBJ)/%.o) $(PROBE_SRC:%.c=$(OBJ)/%.o) \
               $(OBJ)/gen/builtin_probes.o $(OBJ)/gen/builtin_controls.o $(OBJ)/gen/builtin_controls_data.o
LIB         := $(BUILD)/libcomplyd.a
BIN         := $(BUILD)/complyd
UNIT_BIN    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
FUZZ_BIN    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

SUDO        := $(if $(filter 0,$(shell id -u)),,sudo)
# Debian 12 / Ubuntu 22.04+ package names: build, then test dependencies.
DEPS_BUILD  := gcc make pkg-config libsystemd-dev libcurl4-openssl-dev libjansson-dev \
               libyaml-dev libssl-dev zlib1g-dev liblzma-dev liblz4-dev
DEPS_TEST   := check libsubunit-dev python3 openssl iproute2 procps valgrind apt dpkg systemd \
               openssh-client util-linux nftables man-db groff-base mandoc chromium
# The `sshd -T` oracle of the ssh probe's tests: openssh-server unpacked into
# build/, never installed, so no sshd service starts on the test machine.
SSHD_ORACLE := build/openssh/usr/sbin/sshd

.PHONY: all deps run check install clean fuzz readme bench test-unit test-asan test-integration \
        test-fuzz-replay tests
.DELETE_ON_ERROR:

all: $(BIN) $(EXAMPLE_SO)

deps:
	@missing=""; for p in $(DEPS_BUILD) $(DEPS_TEST); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	        || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "Installing:$$missing"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@[ -x $(SSHD_ORACLE) ] || { mkdir -p build/openssh/deb && cd build/openssh/deb && \
	    apt-get download -qq openssh-server libwrap0 2>/dev/null && \
	    for d in *.deb; do dpkg-deb -x $$d ..; done; } || \
	    echo "note: could not unpack openssh-server: the sshd -T oracle tests will be skipped"

run: deps
	@$(MAKE) --no-print-directory all
	@$(BIN) check; rc=$$?; [ $$rc -le 1 ]

check: deps
	@$(MAKE) --no-print-directory tests

tests: all $(UNIT_BIN) $(FUZZ_BIN)
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 asan-bins
	@BUILD=$(BUILD) tests/run-suite.sh

asan-bins: $(BIN) $(UNIT_BIN) $(FUZZ_BIN) $(EXAMPLE_SO)

# Objects and generated tables.
$(OBJ)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(OBJ)/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(call msg,CC,$<)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJ)/gen/builtin_controls_data.o: $(BUILD)/gen/builtin_controls_data.S $(CONTROLS)
	@mkdir -p $(dir $@)
	$(call msg,AS,$<)$(CC) -c -o $@ $<

$(BUILD)/gen/builtin_probes.c: Makefile $(wildcard probes/*/)
	@mkdir -p $(dir $@)
	@{ echo '#include "complyd/probe.h"'; \
	   for p in $(PROBE_NAMES); do echo "extern const struct complyd_probe complyd_probe_$$p;"; done; \
	   echo 'const struct complyd_probe *const builtin_probes[] = {'; \
	   for p in $(PROBE_NAMES); do echo "        &complyd_probe_$$p,"; done; \
	   echo '        0,'; echo '};'; } > $@

# The default control set is embedded with .incbin, so `complyd check` works
# with no file installed anywhere.
$(BUILD)/gen/builtin_controls_data.S: Makefile $(CONTROLS)
	@mkdir -p $(dir $@)
	@{ echo '.section .rodata'; i=0; for f in $(CONTROLS); do \
	     echo ".global builtin_control_$$i"; echo "builtin_control_$$i:"; \
	     echo ".incbin \"$(CURDIR)/$$f\""; echo '.byte 0'; i=$$((i+1)); done; \
	   echo '.section .note.GNU-stack,"",@progbits'; } > $@

$(BUILD)/gen/builtin_controls.c: Makefile $(CONTROLS)
	@mkdir -p $(dir $@)
	@{ echo '#include "builtin.h"'; i=0; for f in $(CONTROLS); do \
	     echo "extern const char builtin_control_$$i[];"; i=$$((i+1)); done; \
	   echo 'const struct builtin_file builtin_controls[] = {'; i=0; for f in $(CONTROLS); do \
	     echo "        { \"<builtin>/controls.d/$$(basename $$f)\", builtin_control_$$i },"; i=$$((i+1)); done; \
	   echo '        { 0, 0 },'; echo '};'; } > $@

$(LIB): $(CORE_OBJ)
	@rm -f $@
	$(call msg,AR,$@)ar rcs $@ $^

$(BIN): $(OBJ)/src/main.o $(LIB)
	$(call msg,LD,$@)$(CC) $(LDSAN) -o $@ $^ $(LDLIBS)

.SECONDEXPANSION:
$(BUILD)/probes/%.so: $$(wildcard examples/probes/%/*.c) include/complyd/probe.h
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(ALL_CFLAGS) -shared -fPIC $(LDSAN) -o $@ $(filter %.c,$^) $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(ALL_CFLAGS) -Itests/unit $(LDSAN) -o $@ $< $(LIB) $(LDLIBS) $(CHECK_LIBS)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(LIB)
	@mkdir -p $(dir $@)
	$(call msg,LD,$@)$(CC) $(ALL_CFLAGS) $(LDSAN) -o $@ $< tests/fuzz/replay.c $(LIB) $(LDLIBS)

# libFuzzer builds (clang), each target run for FUZZ_SECONDS from its corpus.
fuzz:
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=clang SAN=1 \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" $(LIB) $(BUILD)/gen/builtin_probes.c
	@mkdir -p build/fuzz/bin
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	    clang -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	        -Iinclude -Isrc -Iprobes/lib $(PKG_CFLAGS) -o build/fuzz/bin/$$n $$f \
	        build/fuzz/libcomplyd.a $(LDLIBS) || exit 1; \
	    mkdir -p build/fuzz/corpus/$$n; \
	    build/fuzz/bin/$$n -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus/$$n \
	        tests/fuzz/corpus/$$n || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/complyd/probes \
	    $(DESTDIR)$(SYSCONFDIR)/complyd/controls.d $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(DOCDIR)/examples/probes
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/complyd
	[ -e $(DESTDIR)$(SYSCONFDIR)/complyd/complyd.yaml ] || \
	    install -m 0644 etc/complyd.yaml $(DESTDIR)$(SYSCONFDIR)/complyd/complyd.yaml
	install -m 0644 $(CONTROLS) $(DESTDIR)$(DOCDIR)/examples/
	sed -e 's|/usr/local/sbin/complyd|$(BINDIR)/complyd|' -e 's|/usr/local/share/doc/complyd|$(DOCDIR)|' \
	    systemd/complyd.service > $(DESTDIR)$(UNITDIR)/complyd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/complyd.service
	install -d $(DESTDIR)$(SYSUSERSDIR)
	install -m 0644 systemd/complyd.sysusers $(DESTDIR)$(SYSUSERSDIR)/complyd.conf
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	install -m 0644 $(EXAMPLE_SO) $(DESTDIR)$(DOCDIR)/examples/probes/
	cp -p $(wildcard examples/probes/*/*) $(DESTDIR)$(DOCDIR)/examples/probes/
	install -d $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/complyd.8 $(DESTDIR)$(MANDIR)/man8/complyd.8
	install -m 0644 man/complyd.yaml.5 man/complyd.controls.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/complyd-probes.7 $(DESTDIR)$(MANDIR)/man7/
	install -d $(DESTDIR)$(PREFIX)/include/complyd
	install -m 0644 include/complyd/probe.h $(DESTDIR)$(PREFIX)/include/complyd/probe.h

# Benchmarks against the tools a user would pick instead (tests/bench/README.md).
# Installs its peers when missing; a row whose peer cannot be had is skipped.
BENCH_PEERS := lynis ssg-debian openscap-scanner fio python3-apt valgrind curl iproute2
bench: deps
	@$(MAKE) --no-print-directory all
	@missing=""; for p in $(BENCH_PEERS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
	        || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing:$$missing"; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
	    for p in $$missing; do $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	        --no-install-recommends $$p || echo "note: cannot install $$p: its bench rows are skipped"; done; fi
	@$(SUDO) python3 tests/bench/bench.py --build $(BUILD) $(BENCH_ARGS)

# The README's control table is generated from the control files.
readme: $(BIN)
	@$(BIN) controls --format markdown > $(BUILD)/controls.md
	@awk '/<!-- controls-table:begin/ { print; while ((getline l < "$(BUILD)/controls.md") > 0) print l; skip = 1; next } \
	      /<!-- controls-table:end/ { skip = 0 } !skip' README.md > $(BUILD)/README.md
	@mv $(BUILD)/README.md README.md

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
