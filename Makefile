# crimg: one non-recursive Makefile.  `make V=1` shows the commands.
#   make            build everything under build/
#   make check      build and run the whole test suite (needs `make deps` once)
#   make asan       the test suite again, built with ASan+UBSan, in build/asan/
#   make valgrind   a representative part of the suite under valgrind
#   make fuzz       libFuzzer targets in build/fuzz/ (clang; fuzz/run.sh runs them)
#   make bench      benchmarks against Debian's Python crit
#   make install    PREFIX=/usr/local DESTDIR= (tools, library, headers, man pages, completions)
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
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/vendor-completions
BUILD   ?= build
CC      ?= cc
PKG_CONFIG ?= pkg-config

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
LIB_SRC := $(sort $(wildcard lib/image/*/*.c))
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/gen/fieldopts.o $(GEN_OBJ)
LIBA    := $(BUILD)/libcrimg.a

$(LIBA): $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- tools-only helper library ----
COMMON_SRC := $(sort $(wildcard tools/common/*.c))
COMMON_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(COMMON_SRC))
COMMONA    := $(BUILD)/libcrimg-tools.a
$(COMMONA): $(COMMON_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# ---- tools ----
CRIT_SRC := $(sort $(wildcard tools/crit/*.c))
CRIT     := $(BUILD)/bin/crit
$(CRIT): $(patsubst %.c,$(BUILD)/%.o,$(CRIT_SRC)) $(COMMONA) $(LIBA) Makefile
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter-out Makefile,$^) $(LDLIBS)

# The other tools: tools/NAME/*.c makes $(BUILD)/bin/crit-NAME, which
# `crit NAME` runs git-style.
TOOL_NAMES := $(sort $(filter-out crit common gen,$(notdir $(wildcard tools/*))))
TOOL_BINS  := $(patsubst %,$(BUILD)/bin/crit-%,$(TOOL_NAMES))
define tool_rule
$(BUILD)/bin/crit-$(1): $$(patsubst %.c,$$(BUILD)/%.o,$$(sort $$(wildcard tools/$(1)/*.c))) $$(COMMONA) $$(LIBA) Makefile
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(ALL_CFLAGS) -o $$@ $$(filter-out Makefile,$$^) $$(LDLIBS)
endef
$(foreach t,$(TOOL_NAMES),$(eval $(call tool_rule,$(t))))

# ---- unit tests ----
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT     := $(BUILD)/tests/unit-tests
$(UNIT): $(patsubst %.c,$(BUILD)/%.o,$(UNIT_SRC)) $(COMMONA) $(LIBA) Makefile
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
$(BUILD)/tests/fuzz-seedgen: $(BUILD)/fuzz/seedgen.o $(FUZZ_COMMON) $(LIBA) Makefile
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter-out Makefile,$^) $(LDLIBS) $(FUZZ_LIBS)
$(BUILD)/tests/fuzz-%: $(BUILD)/fuzz/f_%.o $(BUILD)/fuzz/replay_main.o $(FUZZ_COMMON) $(LIBA) Makefile
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(filter-out Makefile,$^) $(LDLIBS) $(FUZZ_LIBS)
# inside the libFuzzer build (BUILD=build/fuzz): $(BUILD)/fuzz-NAME
$(BUILD)/fuzz-%: $(BUILD)/fuzz/f_%.o $(FUZZ_COMMON) $(LIBA) Makefile
	@echo "  LD      $@ (libFuzzer)"
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $(filter-out Makefile,$^) $(LDLIBS) $(FUZZ_LIBS)
fuzz-bins: $(patsubst %,$(BUILD)/fuzz-%,$(FUZZ_NAMES)) $(BUILD)/tests/fuzz-seedgen

# ---- hostile-input drivers (tests/hostile/NAME.c -> $(BUILD)/tests/hostile-NAME) ----
HOSTILE_BINS := $(patsubst tests/hostile/%.c,$(BUILD)/tests/hostile-%,$(sort $(wildcard tests/hostile/*.c)))
$(BUILD)/tests/hostile-%: $(BUILD)/tests/hostile/%.o $(LIBA) Makefile
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

# ---- top-level targets ----
all: $(CRIT) $(TOOL_BINS) $(UNIT) $(REPLAY_BINS) $(HOSTILE_BINS) $(FAILALLOC)

# The whole suite runs twice: on the normal build and on an ASan+UBSan one
# (build/asan; the slow differential runs against Python crit only once).
check: all samples asan-build
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

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/crimg
	install -m 755 $(CRIT) $(DESTDIR)$(PREFIX)/bin/crit
	$(if $(TOOL_BINS),install -m 755 $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin/)
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/libcrimg.a
	install -m 644 include/crimg/*.h $(DESTDIR)$(PREFIX)/include/crimg/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 completions/crit.bash $(DESTDIR)$(BASHCOMPDIR)/crit
	$(foreach t,$(TOOL_NAMES),ln -sf crit $(DESTDIR)$(BASHCOMPDIR)/crit-$(t);)
	install -m 644 completions/_crit $(DESTDIR)$(ZSHCOMPDIR)/_crit

clean:
	rm -rf build

.PHONY: all check asan asan-build bench deps install clean fuzz fuzz-bins valgrind
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
