# groove - build, test, run.
#
#   make            build ./groove
#   make run        install missing Debian packages, build, start the instrument
#   make test       install missing packages (test tools too), build, run every test
#   make test-asan  the C unit tests built with -fsanitize=address,undefined
#   make bench      the benchmarks (ratios against references measured in the same run)
#   make fuzz       libFuzzer harnesses (clang), FUZZ_TIME seconds each
#   make samples    regenerate the default kit in samples/ from our own drum synthesis
#   make install    install into PREFIX (default /usr/local; DESTDIR for staging); make uninstall
#
# Rooms (docs/architecture.md): core/ (pattern type, MIDI files, base utilities), nn/ (the
# model at play time), nn/train/, nn/eval/, synth/ (engine, kits, WAV), app/play/ (the pure
# instrument), app/dev/ (device glue: the only room with PortAudio/PortMidi), app/cli/
# (commands and TUI: the only room with curses). Each room is compiled with its own include
# list (ROOM_INC below), so a header from a room it must never know is a compile error.
# The pure rooms build into build/libgroove.a, which the tests link; app/dev and app/cli
# are the glue linked into ./groove only. Files named *_avx2.c / *_avx512.c get those
# instruction sets; nothing else does, so the binary runs on any x86-64 and picks kernels at
# run time.

CC      ?= cc
CXX     ?= c++
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN    := -std=c11 -Wall -Wextra -Wpedantic -Wshadow
DEFS    := -D_DEFAULT_SOURCE -D_GNU_SOURCE
# Scalar results must match bit for bit between builds: no FMA contraction behind our back.
BASE    := $(WARN) $(DEFS) -ffp-contract=off -pthread -MMD -MP
AVX2    := -mavx2 -mfma -O3
AVX512  := -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma -O3

PKGS_CORE := sndfile samplerate libarchive
PKGS_APP  := ncursesw portaudio-2.0 jack
PKGCONFIG := $(shell command -v pkg-config 2>/dev/null)
ifneq ($(PKGCONFIG),)
CORE_CFLAGS := $(shell pkg-config --cflags $(PKGS_CORE) 2>/dev/null)
CORE_LIBS   := $(shell pkg-config --libs $(PKGS_CORE) 2>/dev/null)
APP_CFLAGS  := $(shell pkg-config --cflags $(PKGS_APP) 2>/dev/null)
APP_LIBS    := $(shell pkg-config --libs $(PKGS_APP) 2>/dev/null)
endif
CORE_LIBS += -lm -pthread
# Debian 12's libportmidi-dev ships no .pc file (porttime is inside libportmidi there).
APP_LIBS  += $(if $(PKGCONFIG),$(shell pkg-config --libs portmidi 2>/dev/null || echo -lportmidi),-lportmidi)

# Which rooms each room may include (its own first). The walls: core knows no other room; nn
# knows no nn/train, nn/eval, synth or app; synth knows no nn or app; app/play knows no
# app/dev or app/cli; app/dev knows no app/cli. tests/t_build.sh checks every never.
ROOM_INC_core      := -Icore
ROOM_INC_nn        := -Inn -Icore
ROOM_INC_nn/train  := -Inn/train -Inn -Icore
ROOM_INC_nn/eval   := -Inn/eval -Inn/train -Inn -Icore
ROOM_INC_synth     := -Isynth -Icore
ROOM_INC_app/play  := -Iapp/play -Isynth -Inn -Icore
ROOM_INC_app/dev   := -Iapp/dev -Isynth -Icore
ROOM_INC_app/cli   := -Iapp/cli -Iapp/dev -Iapp/play -Isynth -Inn/eval -Inn/train -Inn -Icore
ROOM_INC_tests     := -Itests -Iapp/play -Isynth -Inn/eval -Inn/train -Inn -Icore
PURE_ROOMS := core nn nn/train nn/eval synth app/play
GLUE_ROOMS := app/dev app/cli
room_inc = $(ROOM_INC_$(patsubst %/,%,$(dir $(1))))
# System libraries by room: curses only in app/cli, PortAudio only in app/dev.
room_sys = $(if $(filter app/cli/% app/dev/%,$(1)),$(APP_CFLAGS),$(CORE_CFLAGS))

GLUE_SRC := $(foreach r,$(GLUE_ROOMS),$(wildcard $(r)/*.c))
# The one C++ file: Ableton Link (header-only ableton-link-dev, standalone asio) behind a C
# interface in app/dev/link.h. Linked with the C++ runtime.
GLUE_CXX_SRC := $(wildcard app/dev/*.cpp)
LINK_CXXFLAGS := -std=c++14 -DLINK_PLATFORM_LINUX=1 -DLINK_PLATFORM_UNIX=1 -Wall -Wextra -Wno-unused-parameter
CORE_SRC := $(foreach r,$(PURE_ROOMS),$(wildcard $(r)/*.c))
TEST_SRC := $(wildcard tests/test_*.c)

B := build
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
GLUE_OBJ := $(GLUE_SRC:%.c=$(B)/%.o) $(GLUE_CXX_SRC:%.cpp=$(B)/%.o)
TESTS    := $(TEST_SRC:tests/%.c=$(B)/tests/%)

A := build-asan
ASAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_CORE_OBJ := $(CORE_SRC:%.c=$(A)/%.o)
ASAN_TESTS    := $(TEST_SRC:tests/%.c=$(A)/tests/%)

.PHONY: all run test test-asan test-unit bench fuzz samples deps deps-test clean debug install uninstall rooms
all: groove

# The version `groove --version` prints (the file VERSION).
VERSION := $(shell cat VERSION 2>/dev/null || echo unknown)
$(B)/app/cli/main.o: VERSION
$(B)/app/cli/main.o: BASE += -DGROOVE_VERSION='"$(VERSION)"'

# Per-file instruction sets.
simd_flags = $(if $(filter %_avx512.c,$<),$(AVX512),$(if $(filter %_avx2.c,$<),$(AVX2)))

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BASE) $(call room_inc,$<) $(call room_sys,$<) $(simd_flags) -c $< -o $@

$(B)/app/dev/%.o: app/dev/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(CFLAGS) $(LINK_CXXFLAGS) -pthread -MMD -MP $(ROOM_INC_app/dev) -c $< -o $@

$(B)/libgroove.a: $(CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

groove: $(GLUE_OBJ) $(B)/libgroove.a
	$(CC) $(CFLAGS) -pthread -o $@ $(GLUE_OBJ) $(B)/libgroove.a $(APP_LIBS) $(CORE_LIBS) -lstdc++

$(B)/tests/%: tests/%.c $(B)/libgroove.a tests/check.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(BASE) $(CORE_CFLAGS) $(ROOM_INC_tests) $< -o $@ $(B)/libgroove.a $(CORE_LIBS)

$(A)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) -O1 -g $(ASAN) $(BASE) $(call room_inc,$<) $(CORE_CFLAGS) $(simd_flags) -c $< -o $@

$(A)/libgroove.a: $(ASAN_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(A)/tests/%: tests/%.c $(A)/libgroove.a tests/check.h
	@mkdir -p $(@D)
	$(CC) -O1 -g $(ASAN) $(BASE) $(CORE_CFLAGS) $(ROOM_INC_tests) $< -o $@ $(A)/libgroove.a $(CORE_LIBS)

# The walls as data for tests/t_build.sh: one line per room, "ROOM|include list|system flags".
rooms:
	@$(foreach r,$(PURE_ROOMS) $(GLUE_ROOMS),echo '$(r)|$(ROOM_INC_$(r))|$(call room_sys,$(r)/x.c)';)

# Set-up: check for the libraries and tools, install the missing Debian packages.
deps:
	@bash tools/deps.sh run
deps-test:
	@bash tools/deps.sh test

run: deps
	@$(MAKE) --no-print-directory groove
	./groove

test-unit: groove $(TESTS)
test-asan: $(ASAN_TESTS)

test: deps-test
	@$(MAKE) --no-print-directory test-unit test-asan
	@bash tests/run.sh --asan

bench: groove
	@bash tools/bench.sh

FUZZ_TIME ?= 60
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
build-fuzz/%: tests/fuzz/%.c $(CORE_SRC)
	@mkdir -p $(@D)
	clang -O1 -g -fsanitize=fuzzer,address,undefined $(WARN) $(DEFS) -pthread $(ROOM_INC_tests) -Itests/fuzz $(CORE_CFLAGS) \
	    -mavx2 -mfma -mavx512f -mavx512vl -mavx512bw -mavx512dq $< $(CORE_SRC) -o $@ $(CORE_LIBS)
# fuzz_kit also starts from the drumkit.xml of every kit Debian's hydrogen-drumkits installs.
build-fuzz/seeds-fuzz_kit:
	@mkdir -p $@
	@for x in /usr/share/hydrogen/data/drumkits/*/drumkit.xml; do \
	    [ -f "$$x" ] && cp "$$x" "$@/$$(basename "$$(dirname "$$x")" | tr ' ' _).xml"; done; true
fuzz: $(FUZZ_BIN) build-fuzz/seeds-fuzz_kit
	@for f in $(FUZZ_BIN); do \
	    name=$$(basename $$f); mkdir -p build-fuzz/corpus-$$name; \
	    echo "== $$name for $(FUZZ_TIME) s"; \
	    $$f -max_total_time=$(FUZZ_TIME) -max_len=65536 build-fuzz/corpus-$$name tests/fuzz/seeds/$${name#fuzz_} \
	        $$(test -d build-fuzz/seeds-$$name && echo build-fuzz/seeds-$$name) || exit 1; \
	done

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the default model and kit, the man
# page. An installed groove finds its model and kit in PREFIX/share/groove (from its own
# place: bin/../share/groove), so it needs nothing from the build folder.
PREFIX ?= /usr/local
BINDIR := $(PREFIX)/bin
SHAREDIR := $(PREFIX)/share/groove
MANDIR := $(PREFIX)/share/man/man1
SAMPLE_FILES := $(wildcard samples/*.wav)
install: groove
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/models $(DESTDIR)$(SHAREDIR)/samples $(DESTDIR)$(MANDIR)
	install -m 755 groove $(DESTDIR)$(BINDIR)/groove
	install -m 644 nn/models/default.gtm nn/models/default.txt $(DESTDIR)$(SHAREDIR)/models/
	install -m 644 $(SAMPLE_FILES) $(DESTDIR)$(SHAREDIR)/samples/
	install -m 644 docs/groove.1 $(DESTDIR)$(MANDIR)/groove.1
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/groove $(DESTDIR)$(MANDIR)/groove.1
	rm -f $(DESTDIR)$(SHAREDIR)/models/default.gtm $(DESTDIR)$(SHAREDIR)/models/default.txt
	rm -f $(addprefix $(DESTDIR)$(SHAREDIR)/,$(SAMPLE_FILES))
	-rmdir $(DESTDIR)$(SHAREDIR)/models $(DESTDIR)$(SHAREDIR)/samples $(DESTDIR)$(SHAREDIR) 2>/dev/null

samples: groove
	./groove synth-kit -o samples

debug:
	$(MAKE) OPT=-O0 CFLAGS="-O0 -g $(ASAN)" groove

clean:
	rm -rf build build-asan build-fuzz groove

-include $(CORE_OBJ:.o=.d) $(GLUE_OBJ:.o=.d) $(ASAN_CORE_OBJ:.o=.d)
