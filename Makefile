# crimg: one non-recursive Makefile.  `make V=1` shows the commands.
#   make            build everything under build/
#   make check      build and run the whole test suite (needs `make deps` once)
#   make asan       the test suite again, built with ASan+UBSan, in build/asan/
#   make valgrind   a representative part of the suite under valgrind
#   make fuzz       libFuzzer targets in build/fuzz/ (clang; fuzz/run.sh runs them)
#   make bench      benchmarks against Debian's Python crit
#   make install    PREFIX=/usr/local DESTDIR= LIBDIR=PREFIX/lib (tools, both libraries,
#                   headers, crimg.pc, man pages, completions); make uninstall
#   make deps       install the Debian build and test dependencies

# `make deps X...` on a fresh machine: the pkg-config flags below are read
# when this file is parsed, before anything is installed, and -j would run
# deps beside the build.  So deps runs first, alone, and a new make (which
# reads the flags afresh) does the rest.
DEPS_THEN := $(if $(filter deps,$(MAKECMDGOALS)),$(filter-out deps,$(MAKECMDGOALS)))
ifneq ($(DEPS_THEN),)
.NOTPARALLEL:
deps-then-rest:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory $(DEPS_THEN)
deps $(DEPS_THEN): deps-then-rest
	@:
.PHONY: deps-then-rest deps $(DEPS_THEN)
else

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
BUILD   ?= build
CC      ?= cc
PKG_CONFIG ?= pkg-config
OBJCOPY ?= objcopy

# The library's version: libcrimg.so.$(VERSION), soname libcrimg.so.$(SOVERSION)
# (docs/library.md says when each changes; include/crimg says it as CRIMG_VERSION).
VERSION   := 0.1.0
SOVERSION := $(firstword $(subst ., ,$(VERSION)))

PKGS       := libprotobuf-c jansson libarchive libzstd libpcre2-8
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libarchive is loaded with dlopen when an archive is opened (larchive.h):
# headers at build time, no link.  The small libraries every run needs are
# linked statically: loading shared objects is most of a short run's time.
STATIC_PKGS := libprotobuf-c jansson libpcre2-8
PKG_LIBS   := -Wl,-Bstatic $(shell $(PKG_CONFIG) --libs $(STATIC_PKGS) 2>/dev/null) -Wl,-Bdynamic
# descriptor.proto (imported by schemas/opts.proto) ships with libprotobuf-dev.
PROTO_INC  := $(shell $(PKG_CONFIG) --variable=includedir protobuf 2>/dev/null || echo /usr/include)
PROTOC_C   ?= protoc-c

WARN     := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-format-truncation
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) \
	-Iinclude -Ilib/image -Itools/common -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP
LDLIBS   = $(PKG_LIBS) $(EXTRA_LDFLAGS)

# Build in parallel by default (the schemas make ~80 generated files).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# ---- generated code: protobuf-c sources and the field-options table ----
PROTOS    := $(sort $(wildcard schemas/*.proto))
GEN_C     := $(patsubst schemas/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
DESC_C    := $(BUILD)/gen/google/protobuf/descriptor.pb-c.c
GEN_STAMP := $(BUILD)/gen/.stamp

$(GEN_STAMP): $(PROTOS)
	@mkdir -p $(BUILD)/gen
	@echo "  PROTOC-C schemas/*.proto"
	$(Q)$(PROTOC_C) -Ischemas -I$(PROTO_INC) --c_out=$(BUILD)/gen $(PROTOS)
	$(Q)$(PROTOC_C) -I$(PROTO_INC) --c_out=$(BUILD)/gen $(PROTO_INC)/google/protobuf/descriptor.proto
	$(Q)$(PROTOC_C) -Ischemas -I$(PROTO_INC) --include_imports -o $(BUILD)/gen/schemas.pb $(PROTOS)
	@touch $@

$(GEN_C) $(DESC_C): $(GEN_STAMP)
	@:

$(BUILD)/gen/schemas.pb: $(GEN_STAMP)
	@:

GEN_OBJ := $(patsubst %.c,%.o,$(GEN_C) $(DESC_C))

# The generator reads the compiled descriptor set and writes the table of
# (criu) field options that protobuf-c does not keep at run time.
GENOPTS := $(BUILD)/tools/gen-fieldopts
$(GENOPTS): $(BUILD)/tools/gen/gen-fieldopts.o $(GEN_OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter-out Makefile,$^) $(LDLIBS)

$(BUILD)/gen/fieldopts.c: $(GENOPTS) $(BUILD)/gen/schemas.pb
	@echo "  GEN     $@"
	$(Q)$(GENOPTS) $(BUILD)/gen/schemas.pb > $@.tmp && mv $@.tmp $@

# ---- the library ----
# Three builds of the same objects:
#   $(BUILD)/libcrimg-internal.a  every object with every global symbol, for
#       the tools, unit tests, fuzz and hostile drivers (never installed; the
#       tools stay statically linked: loading shared objects is most of a
#       short run's time);
#   $(BUILD)/libcrimg.so.$(VERSION)  position-independent objects
#       ($(BUILD)/pic/) linked with a version script that exports the public
#       API only;
#   $(BUILD)/libcrimg.a  the same objects as one relocatable object whose
#       other global symbols are made local: a program that also compiles
#       CRIU's schemas links beside it without a clash.
# What is public is what include/crimg/*.h declares: scripts/public-symbols.sh
# reads it into $(BUILD)/crimg.sym at build time.
LIB_SRC := $(sort $(wildcard lib/image/*/*.c))
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/gen/fieldopts.o $(GEN_OBJ)
LIBA_INTERNAL := $(BUILD)/libcrimg-internal.a

$(LIBA_INTERNAL): $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

PIC_OBJ := $(patsubst $(BUILD)/%,$(BUILD)/pic/%,$(LIB_OBJ))
SYMS    := $(BUILD)/crimg.sym
SYMMAP  := $(BUILD)/crimg.map
LIBA    := $(BUILD)/libcrimg.a
LIBSO_REAL := $(BUILD)/libcrimg.so.$(VERSION)
LIBSO_LINKS := $(BUILD)/libcrimg.so.$(SOVERSION) $(BUILD)/libcrimg.so
LIBS_PUBLIC := $(LIBA) $(LIBSO_REAL) $(LIBSO_LINKS)
# What the shared library needs at run time (libarchive is dlopen'd: larchive.h).
SO_PKGS := libprotobuf-c jansson libpcre2-8
SO_LIBS  = $(shell $(PKG_CONFIG) --libs $(SO_PKGS) 2>/dev/null)

$(SYMS): $(wildcard include/crimg/*.h) scripts/public-symbols.sh
	@mkdir -p $(dir $@)
	@echo "  SYMS    $@"
	$(Q)CC="$(CC)" scripts/public-symbols.sh include $(PKG_CFLAGS) > $@.tmp && mv $@.tmp $@

$(SYMMAP): $(SYMS)
	@echo "  GEN     $@"
	$(Q){ echo "CRIMG_$(SOVERSION) {"; echo "  global:"; sed 's/.*/    &;/' $<; \
	  echo "  local:"; echo "    *;"; echo "};"; } > $@.tmp && mv $@.tmp $@

# --no-undefined-version: a function the headers declare and nothing
# defines fails the link ("crimg_x: undefined version: CRIMG_0").
$(LIBSO_REAL): $(PIC_OBJ) $(SYMMAP) Makefile
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,libcrimg.so.$(SOVERSION) \
		-Wl,--version-script=$(SYMMAP) -Wl,--no-undefined-version -Wl,--no-undefined \
		-Wl,-z,relro,-z,now \
		-o $@ $(PIC_OBJ) $(SO_LIBS) -Wl,--as-needed -ldl -pthread $(EXTRA_LDFLAGS)

$(BUILD)/libcrimg.so.$(SOVERSION): $(LIBSO_REAL)
	$(Q)ln -sf $(notdir $<) $@
$(BUILD)/libcrimg.so: $(BUILD)/libcrimg.so.$(SOVERSION)
	$(Q)ln -sf $(notdir $<) $@

$(LIBA): $(PIC_OBJ) $(SYMS)
	@echo "  AR      $@ (public symbols only)"
	$(Q)$(LD) -r -o $(BUILD)/pic/crimg.o $(PIC_OBJ)
	$(Q)$(OBJCOPY) --keep-global-symbols=$(SYMS) $(BUILD)/pic/crimg.o
	$(Q)rm -f $@ && ar rcs $@ $(BUILD)/pic/crimg.o

# ---- tools-only helper library ----
COMMON_SRC := $(sort $(wildcard tools/common/*.c))
COMMON_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRC))
COMMONA    := $(BUILD)/libcrimg-tools.a
$(COMMONA): $(COMMON_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- tools ----
# The tools are linked position-dependent: a position-independent crit
# spends about 1.2 ms of every run (a third of its start-up on this
# project's machine) having the loader relocate and copy the ~3,800
# pointers of the protobuf descriptors; `crit x DIR ps` on 1,000 processes
# takes 17 ms in all.  The stack, heap, mappings and libc stay randomised;
# `make TOOL_LDFLAGS=-pie` gives position-independent tools.
TOOL_LDFLAGS ?= -no-pie
CRIT_SRC := $(sort $(wildcard tools/crit/*.c))
CRIT     := $(BUILD)/bin/crit
$(CRIT): $(patsubst %.c,$(BUILD)/%.o,$(CRIT_SRC)) $(COMMONA) $(LIBA_INTERNAL) Makefile
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(TOOL_LDFLAGS) -o $@ $(filter-out Makefile,$^) $(LDLIBS)

# The other tools: tools/NAME/*.c makes $(BUILD)/bin/crit-NAME, which
# `crit NAME` runs git-style.
TOOL_NAMES := $(sort $(filter-out crit common gen,$(notdir $(wildcard tools/*))))
TOOL_BINS  := $(patsubst %,$(BUILD)/bin/crit-%,$(TOOL_NAMES))
define tool_rule
$(BUILD)/bin/crit-$(1): $$(patsubst %.c,$$(BUILD)/%.o,$$(sort $$(wildcard tools/$(1)/*.c))) $$(COMMONA) $$(LIBA_INTERNAL) Makefile
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(ALL_CFLAGS) $$(TOOL_LDFLAGS) -o $$@ $$(filter-out Makefile,$$^) $$(LDLIBS) $$(LDLIBS_$(1))
endef
$(foreach t,$(TOOL_NAMES),$(eval $(call tool_rule,$(t))))

# crit-tui draws with ncursesw (wide characters for UTF-8 line drawing).
# Recursive variables: pkg-config runs when a rule needs them, after
# `make deps` has installed the package.
LDLIBS_tui = $(or $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null),-lncursesw)
$(BUILD)/tools/tui/term.o: EXTRA_CFLAGS += $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
# The browser's state, keys and drawing without its two fronts' curses
# and main: what the unit tests link (tests/unit/t_tui*.c).
TUI_CORE_SRC := $(filter-out tools/tui/main.c tools/tui/term.c,$(sort $(wildcard tools/tui/*.c)))
TUI_CORE     := $(BUILD)/tui-core.a
$(TUI_CORE): $(patsubst %.c,$(BUILD)/%.o,$(TUI_CORE_SRC))
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# ---- unit tests ----
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT     := $(BUILD)/tests/unit-tests
$(UNIT): $(patsubst %.c,$(BUILD)/%.o,$(UNIT_SRC)) $(TUI_CORE) $(COMMONA) $(LIBA_INTERNAL) Makefile
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter-out Makefile,$^) $(LDLIBS)

# ---- fuzz targets (fuzz/f_NAME.c) ----
# Each links twice: with replay_main.c into $(BUILD)/tests/fuzz-NAME, which
# `make check` runs on fuzz/regress/NAME/ (normal and ASan builds), and
# with libFuzzer into build/fuzz/fuzz-NAME by `make fuzz` (clang).
FUZZ_NAMES  := $(patsubst fuzz/f_%.c,%,$(sort $(wildcard fuzz/f_*.c)))
FUZZ_COMMON := $(patsubst %.c,$(BUILD)/%.o,fuzz/common.c fuzz/exercise.c fuzz/archive.c)
REPLAY_BINS := $(patsubst %,$(BUILD)/tests/fuzz-%,$(FUZZ_NAMES)) $(BUILD)/tests/fuzz-seedgen
FUZZ_LIBS   := -larchive
$(BUILD)/tests/fuzz-seedgen: $(BUILD)/fuzz/seedgen.o $(FUZZ_COMMON) $(LIBA_INTERNAL) Makefile
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter-out Makefile,$^) $(LDLIBS) $(FUZZ_LIBS)
$(BUILD)/tests/fuzz-%: $(BUILD)/fuzz/f_%.o $(BUILD)/fuzz/replay_main.o $(FUZZ_COMMON) $(LIBA_INTERNAL) Makefile
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter-out Makefile,$^) $(LDLIBS) $(FUZZ_LIBS)
# inside the libFuzzer build (BUILD=build/fuzz): $(BUILD)/fuzz-NAME
$(BUILD)/fuzz-%: $(BUILD)/fuzz/f_%.o $(FUZZ_COMMON) $(LIBA_INTERNAL) Makefile
	@echo "  LD      $@ (libFuzzer)"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $(filter-out Makefile,$^) $(LDLIBS) $(FUZZ_LIBS)
fuzz-bins: $(patsubst %,$(BUILD)/fuzz-%,$(FUZZ_NAMES)) $(BUILD)/tests/fuzz-seedgen

# ---- hostile-input drivers (tests/hostile/NAME.c -> $(BUILD)/tests/hostile-NAME) ----
HOSTILE_BINS := $(patsubst tests/hostile/%.c,$(BUILD)/tests/hostile-%,$(sort $(wildcard tests/hostile/*.c)))
$(BUILD)/tests/hostile-%: $(BUILD)/tests/hostile/%.o $(LIBA_INTERNAL) Makefile
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter-out Makefile,$^) $(LDLIBS)

# ---- the allocation-failure shim for tests/t-oom.sh (LD_PRELOAD) ----
# Built without the sanitizers even in build/asan: it sits in front of
# libasan's malloc and must not be instrumented itself.
FAILALLOC := $(BUILD)/tests/failalloc.so
$(FAILALLOC): tests/oom/failalloc.c Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -std=c11 $(WARN) -O2 -fPIC -shared -o $@ $< -ldl

# Every object depends on the generated headers.
$(BUILD)/%.o: %.c $(GEN_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c $(GEN_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-error -c -o $@ $<

# The shared library's objects, position-independent, in a tree of their own.
$(BUILD)/pic/lib/%.o: lib/%.c $(GEN_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (PIC)"
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

$(BUILD)/pic/gen/%.o: $(BUILD)/gen/%.c $(GEN_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (PIC)"
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -Wno-error -c -o $@ $<

# ---- top-level targets ----
all: $(CRIT) $(TOOL_BINS) $(UNIT) $(REPLAY_BINS) $(HOSTILE_BINS) $(LIBS_PUBLIC) $(FAILALLOC)

# The whole suite runs twice: on the normal build and on an ASan+UBSan one
# (build/asan; the slow differential runs against Python crit only once).
# the cross-architecture demo's builds, where the cross compiler is (t-xarch)
XARCH_CHECK := $(if $(shell command -v aarch64-linux-gnu-gcc 2>/dev/null),xarch-demo)
check: all samples asan-build $(XARCH_CHECK)
	$(Q)tests/run-all.sh $(BUILD) $(BUILD)/asan

ASAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/asan CFLAGS="$(ASAN_CFLAGS)" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" all samples

asan: asan-build
	$(Q)tests/run-all.sh $(BUILD)/asan

# libFuzzer targets in build/fuzz/ (clang; see fuzz/README.md), then
# fuzz/make-seeds.sh fills build/fuzz/corpus/ and fuzz/run.sh runs them.
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -Wno-unknown-warning-option
fuzz:
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz CC=clang CFLAGS="$(FUZZ_CFLAGS)" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" fuzz-bins

# A representative part of the suite under valgrind, on the normal build.
valgrind: all samples
	$(Q)tests/valgrind.sh $(BUILD)

bench: all
	$(Q)bench/run.sh $(BUILD)

deps:
	$(Q)scripts/deps.sh

# The house style is .clang-format (clang-format 14); t-format in make
# check fails on any source that differs from it.
format:
	$(Q)scripts/format.sh

format-check:
	$(Q)scripts/format.sh --check

# crimg.pc from lib/crimg.pc.in: directories under PREFIX are written as
# ${prefix}/..., so `pkg-config --define-variable=prefix=...` moves them all.
pcdir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(INCLUDEDIR)/crimg
	install -m 755 $(CRIT) $(DESTDIR)$(BINDIR)/crit
	$(if $(TOOL_BINS),install -m 755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)/)
	install -m 644 $(LIBA) $(DESTDIR)$(LIBDIR)/libcrimg.a
	install -m 644 $(LIBSO_REAL) $(DESTDIR)$(LIBDIR)/libcrimg.so.$(VERSION)
	ln -sf libcrimg.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libcrimg.so.$(SOVERSION)
	ln -sf libcrimg.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libcrimg.so
	install -m 644 include/crimg/*.h $(DESTDIR)$(INCLUDEDIR)/crimg/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(call pcdir,$(LIBDIR))|' \
		-e 's|@INCLUDEDIR@|$(call pcdir,$(INCLUDEDIR))|' -e 's|@VERSION@|$(VERSION)|' \
		-e 's|@REQUIRES_PRIVATE@|$(filter-out libprotobuf-c,$(SO_PKGS))|' \
		lib/crimg.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/crimg.pc.tmp
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/crimg.pc.tmp
	mv $(DESTDIR)$(PKGCONFIGDIR)/crimg.pc.tmp $(DESTDIR)$(PKGCONFIGDIR)/crimg.pc
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 completions/crit.bash $(DESTDIR)$(BASHCOMPDIR)/crit
	$(foreach t,$(TOOL_NAMES),ln -sf crit $(DESTDIR)$(BASHCOMPDIR)/crit-$(t);)
	install -m 644 completions/_crit $(DESTDIR)$(ZSHCOMPDIR)/_crit

# Removes what install put there (the same PREFIX, DESTDIR and directories).
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/crit $(addprefix $(DESTDIR)$(BINDIR)/crit-,$(TOOL_NAMES))
	rm -f $(DESTDIR)$(LIBDIR)/libcrimg.a $(DESTDIR)$(LIBDIR)/libcrimg.so \
		$(DESTDIR)$(LIBDIR)/libcrimg.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libcrimg.so.$(VERSION)
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/crimg.pc
	rm -f $(addprefix $(DESTDIR)$(INCLUDEDIR)/crimg/,$(notdir $(wildcard include/crimg/*.h)))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/crimg 2>/dev/null
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard man/*.1)))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/crit $(addprefix $(DESTDIR)$(BASHCOMPDIR)/crit-,$(TOOL_NAMES))
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_crit

clean:
	rm -rf build

.PHONY: all check asan asan-build bench deps install uninstall clean fuzz fuzz-bins valgrind \
	format format-check
.DEFAULT_GOAL := all
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- samples: checkpoints made from our own JSON by our own encoder ----
SAMPLES_STAMP := $(BUILD)/samples/.stamp
$(SAMPLES_STAMP): $(CRIT) samples/make-samples.sh $(wildcard samples/*/*.json)
	@echo "  SAMPLES $(BUILD)/samples"
	$(Q)samples/make-samples.sh $(CRIT) $(BUILD)/samples && touch $@

samples: $(SAMPLES_STAMP)

# The README's first command: decode and show a sample checkpoint.
demo: all samples
	@echo "\$$ crit info $(BUILD)/samples/demo/pstree.img"
	@$(CRIT) info $(BUILD)/samples/demo/pstree.img
	@echo "\$$ crit decode -i $(BUILD)/samples/demo/pstree.img"
	@$(CRIT) decode -i $(BUILD)/samples/demo/pstree.img
	@echo "\$$ crit show $(BUILD)/samples/demo/mm-100.img"
	@$(CRIT) show $(BUILD)/samples/demo/mm-100.img
	@echo "\$$ crit x $(BUILD)/samples/demo ps"
	@$(CRIT) x $(BUILD)/samples/demo ps
	@echo "\$$ crit x $(BUILD)/samples/demo fds"
	@$(CRIT) x $(BUILD)/samples/demo fds
	@echo "\$$ crit mem $(BUILD)/samples/demo --search CRIMG-SAMPLE-PAGE"
	@$(CRIT) mem $(BUILD)/samples/demo --search CRIMG-SAMPLE-PAGE

.PHONY: samples demo

endif # DEPS_THEN

# ---- the cross-architecture demo (xarch/README.md) ----
# counter built for x86_64 with the host compiler and for aarch64 with
# Debian's cross compiler (gcc-aarch64-linux-gnu; scripts/deps.sh installs
# it), both to the layout of xarch/demo/link.ld.
XARCH_CFLAGS := -O2 -g -ffile-prefix-map=$(CURDIR)=. -ffreestanding -fno-pie -no-pie -static -nostdlib -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -Wall -Wextra -Werror \
	-Wl,--build-id -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,-T,xarch/demo/link.ld
XARCH_CC_aarch64 ?= aarch64-linux-gnu-gcc
XARCH_CC_x86_64 ?= x86_64-linux-gnu-gcc
$(BUILD)/xarch/counter-%: xarch/demo/counter.c xarch/demo/link.ld
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(XARCH_CC_$*) $(XARCH_CFLAGS) -o $@ $<
xarch-demo: $(BUILD)/xarch/counter-x86_64 $(BUILD)/xarch/counter-aarch64
# The move itself, in an emulated aarch64 guest: root, qemu-system-aarch64,
# the shared CRIU, and a guest built once by xarch/guest-rootfs.sh (about
# 30 minutes).  Not part of make check.
xarch-proof: all xarch-demo
	$(Q)xarch/proof.sh $(BUILD)
.PHONY: xarch-demo xarch-proof
