# SPDX-License-Identifier: Apache-2.0
# folio -- build, test, demo.  See README.md.
#
#   make            build build/folio
#   make demo       install missing packages, build, generate 2,000 households, run
#   make test       install missing packages, build, run every test
#   make SANITIZER=address,undefined test    the same under ASan+UBSan (build-san/)
#   make valgrind   unit tests under valgrind
#   make bench      perf/bench (throughput, peak memory, scaling)
#   make fuzz FUZZ_SECONDS=N   each libFuzzer harness of tests/fuzz/ for N seconds (clang)
#   make fuzz-replay           every fuzz corpus file and saved crash once, ASan+UBSan (part of test)

CC      ?= cc
SANITIZER ?=
ifeq ($(SANITIZER),)
BUILD   ?= build
OPT     ?= -O2 -g
SANFLAGS :=
else
BUILD   ?= build-san
OPT     ?= -O1 -g -fno-omit-frame-pointer
SANFLAGS := -fsanitize=$(SANITIZER) -fno-sanitize-recover=all
endif

# HarfBuzz's headers (hb-subset: font subsets for embedding, src/pdf-subset.c)
HB_CFLAGS := $(shell pkg-config --cflags harfbuzz-subset 2>/dev/null || echo -I/usr/include/harfbuzz)
CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
           $(OPT) -fopenmp -Iinclude -Isrc $(HB_CFLAGS) $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := -fopenmp $(SANFLAGS)
LDLIBS  := -lhpdf -lcsv -lyaml -ldeflate -lharfbuzz-subset -lharfbuzz -lz -lcrypto -lpng -lzint -lm

# Debian packages the build, the tests and the demo need.
DEB_PKGS := build-essential libhpdf-dev libcsv-dev libyaml-dev libcmocka-dev zlib1g-dev \
            libssl-dev libpng-dev fonts-liberation2 qpdf poppler-utils python3 python3-yaml locales \
            libzint-dev dmtx-utils icc-profiles-free unzip strace libdeflate-dev libharfbuzz-dev
DEB_PKGS += slurm-wlm munge  # issue 12: tests/e2e/scale_slurm.sh runs a real local Slurm
DEB_PKGS += zbar-tools  # issue 13 part 3: zbarimg decodes the coupon's QR code in the e2e test
DEB_PKGS += debhelper lintian mandoc bash-completion  # issue 16: .deb build and lint, man page lint, completion
DEB_PKGS += chromium  # issue 16 part 5: tests/e2e/report.sh loads report.html in headless Chromium
DEB_PKGS += python3-pikepdf  # issue 14 part 2: tests/e2e/check_tagged.py walks the archive's structure tree

SRCS    := $(wildcard src/*.c)
LIBSRCS := $(filter-out src/cli-%.c,$(SRCS))       # the library: never prints, never exits
OBJS    := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIBSRCS))
CLI_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(wildcard src/cli-*.c))   # the command line
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
FONTS   := fonts/LiberationSans-Regular.ttf fonts/LiberationSans-Bold.ttf

.PHONY: all deps demo test unit e2e valgrind bench clean fonts sanitize fuzz fuzz-deps \
        fuzz-replay fuzz-replay-run fuzz-replay-build

all: $(BUILD)/folio $(FONTS)

# Install missing Debian packages (only when something is missing).
deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi; \
	if ! locale -a 2>/dev/null | grep -qi '^fr_FR.utf-\?8$$'; then \
	  echo "generating the fr_FR.UTF-8 locale (tests run again under a decimal-comma locale)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; $$SUDO localedef -i fr_FR -f UTF-8 fr_FR.UTF-8; \
	fi

fonts: $(FONTS)
fonts/%.ttf:
	@mkdir -p fonts
	cp /usr/share/fonts/truetype/liberation2/$*.ttf $@

$(BUILD)/obj/%.o: src/%.c $(wildcard include/folio/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libfolio.a: $(OBJS)
	ar rcs $@ $^

# the CLI's commands without main(), for unit tests of argv handling
$(BUILD)/libfolio-cli.a: $(filter-out $(BUILD)/obj/cli-main.o,$(CLI_OBJS))
	ar rcs $@ $^

$(BUILD)/folio: $(CLI_OBJS) $(BUILD)/libfolio.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libfolio-cli.a $(BUILD)/libfolio.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libfolio-cli.a $(BUILD)/libfolio.a $(LDFLAGS) $(LDLIBS) -lcmocka

# Test output: one line per test program / e2e test, a closing "N passed,
# N failed" line; every test's full output in $(TESTLOG)/ (named on failure).
TESTLOG := $(BUILD)/test-logs
FUZZ_LOGDIR ?= $(CURDIR)/$(TESTLOG)/fuzz

unit: $(UNIT_BINS) $(FONTS)
	@FOLIO_ROOT=$(CURDIR) bash tests/run-unit.sh $(TESTLOG)/unit $(UNIT_BINS)

e2e: $(BUILD)/folio $(FONTS)
	@mkdir -p $(TESTLOG)
	@FOLIO=$(CURDIR)/$(BUILD)/folio E2E_LOGDIR=$(CURDIR)/$(TESTLOG)/e2e \
	  E2E_COUNTS=$(CURDIR)/$(TESTLOG)/e2e.counts bash tests/e2e/run.sh

# make test: builds quietly (the compiler's output in $(TESTLOG)/build.log),
# then unit, e2e and the fuzz replay; each stage runs even if one before it
# failed, and the last line adds them up.
# The builds use every core (JOBS, default nproc): make test compiles the tree
# twice (plain, and with ASan+UBSan for the fuzz replay); the second build
# runs niced beside unit and e2e (their idle CPU), and the replay waits for
# it (a failed build shows when fuzz-replay builds again).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: deps
	@mkdir -p $(TESTLOG); rm -f $(TESTLOG)/*.counts $(TESTLOG)/unit/counts
	@if $(MAKE) -s --no-print-directory -j$(JOBS) all $(UNIT_BINS) >$(TESTLOG)/build.log 2>&1; \
	then echo "ok   build"; \
	else echo "FAIL build (log: $(TESTLOG)/build.log)"; tail -30 $(TESTLOG)/build.log; exit 1; fi
	@st=0; \
	( nice -n 10 $(MAKE) -s --no-print-directory -j$(JOBS) SANITIZER=address,undefined \
	  fuzz-replay-build >$(TESTLOG)/fuzz-build.log 2>&1 ) & fb=$$!; \
	$(MAKE) -s --no-print-directory unit || st=1; \
	$(MAKE) -s --no-print-directory e2e || st=1; \
	wait $$fb; \
	$(MAKE) -s --no-print-directory fuzz-replay FUZZ_COUNTS=$(CURDIR)/$(TESTLOG)/fuzz.counts \
	  FUZZ_LOGDIR=$(CURDIR)/$(TESTLOG)/fuzz || st=1; \
	cat $(TESTLOG)/unit/counts $(TESTLOG)/e2e.counts $(TESTLOG)/fuzz.counts 2>/dev/null | \
	  awk '{p += $$1; f += $$2} END {printf "make test: %d passed, %d failed (logs: $(TESTLOG)/)\n", p, f}'; \
	exit $$st

sanitize:
	$(MAKE) SANITIZER=address,undefined test

valgrind: $(UNIT_BINS) $(FONTS) $(BUILD)/folio  # and $(LOGO), below
	@for t in $(UNIT_BINS); do FOLIO_ROOT=$(CURDIR) valgrind -q --error-exitcode=1 --leak-check=full --suppressions=tests/valgrind.supp ./$$t >/dev/null || exit 1; done

demo: deps
	$(MAKE) all
	@rm -rf $(BUILD)/demo
	$(BUILD)/folio samples --households 2000 --seed 1 --out $(BUILD)/demo/feeds
	@$(BUILD)/folio run $(BUILD)/demo/feeds/job.yaml --out $(BUILD)/demo/out; rc=$$?; \
	  echo; echo "outputs: $(BUILD)/demo/out (manifest.json, print/, archive/, proofs/, audit.jsonl, rejects.csv, exceptions.csv)"; \
	  [ $$rc = 0 ] || [ $$rc = 3 ]

bench: all $(BUILD)/perf/baseline_hpdf
	perf/bench

# the bare libharu baseline of perf/bench (the bench also builds it when missing)
$(BUILD)/perf/baseline_hpdf: perf/baseline_hpdf.c
	@mkdir -p $(dir $@)
	$(CC) -O2 $< -lhpdf -lz -lpng -lm -o $@

# ---- fuzzing (tests/fuzz/README.md) -------------------------------------------
FUZZ_HARNESSES := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_HEADERS   := $(wildcard tests/fuzz/*.h)

# The replay: each harness built with the default compiler, ASan+UBSan and
# tests/fuzz/replay.c as main, run once over its corpus and saved crashes.
# Always in the sanitizer tree (build-san/), whatever SANITIZER says.
fuzz-replay: $(FONTS)
	@$(MAKE) --no-print-directory -j$(JOBS) SANITIZER=address,undefined fuzz-replay-run

fuzz-replay-build: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_HARNESSES))

fuzz-replay-run: $(patsubst %,$(BUILD)/fuzz/%,$(FUZZ_HARNESSES)) $(FONTS)
	@mkdir -p $(FUZZ_LOGDIR); fail=0; pass=0; for h in $(FUZZ_HARNESSES); do \
	  q=""; [ $$h = fuzz_pdf ] && q=1; log=$(FUZZ_LOGDIR)/$$h.log; \
	  if FUZZ_QPDF=$$q FOLIO_ROOT=$(CURDIR) UBSAN_OPTIONS=print_stacktrace=1 \
	    ./$(BUILD)/fuzz/$$h tests/fuzz/corpus/$$h tests/fuzz/crashes/$$h >$$log 2>&1; \
	  then pass=$$((pass + 1)); echo "ok   fuzz-replay $$h"; \
	  else fail=$$((fail + 1)); echo "FAIL fuzz-replay $$h (log: $$log)"; \
	    if [ -n "$$CI" ]; then tail -40 $$log | sed 's/^/     /'; fi; fi; \
	done; echo "fuzz-replay: $$pass passed, $$fail failed"; \
	if [ -n "$(FUZZ_COUNTS)" ]; then echo "$$pass $$fail" >$(FUZZ_COUNTS); fi; [ $$fail = 0 ]

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(FUZZ_HEADERS) $(BUILD)/libfolio.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DFOLIO_FUZZ_ROOT='"$(CURDIR)"' -Itests/fuzz -o $@ $< tests/fuzz/replay.c \
	  $(BUILD)/libfolio.a $(LDFLAGS) $(LDLIBS)

# libFuzzer builds: clang, only for `make fuzz` (make test never needs clang).
FUZZ_PKGS    := clang libclang-rt-dev libomp-dev
FUZZ_CC      := clang
FUZZ_BUILD   := build-fuzz
FUZZ_SECONDS ?= 60
# pointer-overflow is recoverable so tests/fuzz/ubsan-known.supp can name
# known reports; halt_on_error=1 still stops on every other one
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-recover=pointer-overflow
FUZZ_ENV     := UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$(CURDIR)/tests/fuzz/ubsan-known.supp
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fopenmp -Iinclude -Isrc $(HB_CFLAGS) \
                -Itests/fuzz $(FUZZ_SAN)
FUZZ_OBJS    := $(patsubst src/%.c,$(FUZZ_BUILD)/obj/%.o,$(LIBSRCS))
# -fork=1 -ignore_crashes=1: a crash (saved under build-fuzz/artifacts/) does
# not end the run, so one known bug does not hide the others
FUZZ_FLAGS   ?= -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -timeout=20 \
                -rss_limit_mb=2048

fuzz-deps:
	@missing=""; for p in $(FUZZ_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(FUZZ_BUILD)/obj/%.o: src/%.c $(wildcard include/folio/*.h src/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/libfolio.a: $(FUZZ_OBJS)
	ar rcs $@ $^

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_HEADERS) $(FUZZ_BUILD)/libfolio.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -DFOLIO_FUZZ_ROOT='"$(CURDIR)"' -o $@ $< \
	  $(FUZZ_BUILD)/libfolio.a $(LDLIBS)

fuzz: fuzz-deps $(FONTS)
	@$(MAKE) --no-print-directory $(patsubst %,$(FUZZ_BUILD)/%,$(FUZZ_HARNESSES))
	@rm -f $(FUZZ_BUILD)/summary.txt
	@for h in $(FUZZ_HARNESSES); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$h $(FUZZ_BUILD)/artifacts/$$h; \
	  echo "== $$h: $(FUZZ_SECONDS) s"; \
	  $(FUZZ_ENV) FUZZ_SCRATCH=$${TMPDIR:-/tmp}/folio-fuzz-make-$$$$ FOLIO_ROOT=$(CURDIR) nice -n 19 ./$(FUZZ_BUILD)/$$h $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$h/ $(FUZZ_BUILD)/corpus/$$h tests/fuzz/corpus/$$h \
	    > $(FUZZ_BUILD)/$$h.log 2>&1; \
	  rm -rf $${TMPDIR:-/tmp}/folio-fuzz-make-$$$$; \
	  stats=$$(grep -E '^#[0-9]+.*cov:' $(FUZZ_BUILD)/$$h.log | tail -1); \
	  crashes=$$(ls $(FUZZ_BUILD)/artifacts/$$h | wc -l); \
	  echo "$$h: $$stats | crashes saved: $$crashes" | tee -a $(FUZZ_BUILD)/summary.txt; \
	done; echo; echo "summary: $(FUZZ_BUILD)/summary.txt (logs: $(FUZZ_BUILD)/fuzz_*.log)"

# ---- install, uninstall, Debian package (issue 16 parts 2, 3) ---------------
#   make install [PREFIX=/usr/local] [DESTDIR=stage]   make uninstall (the same)
#   make deb     ../folio_VERSION_amd64.deb via dpkg-buildpackage (debian/)
# Installed: PREFIX/bin/folio; man pages folio(1), folio-job(5),
# folio-layout(5); the bash completion; and under PREFIX/share/folio the
# sample layouts, offers and paragraphs (layouts/) and their fonts (fonts/),
# where `folio samples` finds them from the installed binary.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(DESTDIR)$(PREFIX)/bin
DATADIR  = $(DESTDIR)$(PREFIX)/share/folio
MANDIR   = $(DESTDIR)$(PREFIX)/share/man
COMPDIR  = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
LDFLAGS += $(EXTRA_LDFLAGS)
INSTALL_LAYOUTS := layouts/statement.yaml layouts/statement-a4.yaml layouts/offers.yaml \
                   layouts/paragraphs.yaml
MAN_PAGES := man/folio.1 man/folio-job.5 man/folio-layout.5

.PHONY: install uninstall deb

# the completion comes from the option tables of the binary itself
$(BUILD)/folio.bash-completion: $(BUILD)/folio
	$(BUILD)/folio --bash-completion > $@

install: $(BUILD)/folio $(FONTS) $(BUILD)/folio.bash-completion
	install -d $(BINDIR) $(DATADIR)/layouts $(DATADIR)/fonts $(MANDIR)/man1 $(MANDIR)/man5 $(COMPDIR)
	install -m 755 $(BUILD)/folio $(BINDIR)/folio
	install -m 644 $(INSTALL_LAYOUTS) $(DATADIR)/layouts/
	install -m 644 $(FONTS) $(DATADIR)/fonts/
	install -m 644 man/folio.1 $(MANDIR)/man1/
	install -m 644 man/folio-job.5 man/folio-layout.5 $(MANDIR)/man5/
	install -m 644 $(BUILD)/folio.bash-completion $(COMPDIR)/folio

uninstall:
	rm -f $(BINDIR)/folio $(COMPDIR)/folio $(MANDIR)/man1/folio.1 \
	  $(MANDIR)/man5/folio-job.5 $(MANDIR)/man5/folio-layout.5
	rm -f $(addprefix $(DATADIR)/,$(INSTALL_LAYOUTS)) $(addprefix $(DATADIR)/,$(FONTS))
	-rmdir $(DATADIR)/layouts $(DATADIR)/fonts $(DATADIR) 2>/dev/null

deb:
	dpkg-buildpackage -us -uc -b

# ---- docs and the sample logo (issue 16 part 4, issue 13 leftover) ----------
#   make docs-image   docs/statement.png: page 1 of a sample statement (pdftoppm)
#   make docs-check   the key-coverage test alone (tests/docs_keys.py)
# layouts/logo.png, the sample bank's logo, is drawn by tools/logo.py (never
# committed); everything that runs the sample layout builds it first.
LOGO := layouts/logo.png
INSTALL_LAYOUTS += $(LOGO)
all e2e unit valgrind install: $(LOGO)
$(LOGO): tools/logo.py
	python3 tools/logo.py $@ 96

.PHONY: docs-image docs-check
DOCS_IMAGE_DIR = $(BUILD)/docs-image
DOCS_IMAGE ?= docs/statement.png
docs-image: all
	@rm -rf $(DOCS_IMAGE_DIR)
	$(BUILD)/folio samples --households 40 --seed 3 --out $(DOCS_IMAGE_DIR)/feeds >/dev/null
	$(BUILD)/folio run --quiet $(DOCS_IMAGE_DIR)/feeds/job.yaml --out $(DOCS_IMAGE_DIR)/out
	pdftoppm -png -r 56 -f 1 -l 1 -singlefile $(DOCS_IMAGE_DIR)/out/print/statements-letters-0001.pdf \
	  $(DOCS_IMAGE_DIR)/page
	cp $(DOCS_IMAGE_DIR)/page.png $(DOCS_IMAGE)
	@echo "$(DOCS_IMAGE): $$(stat -c %s $(DOCS_IMAGE)) bytes"

docs-check:
	python3 tests/docs_keys.py

clean:
	rm -rf build build-san build-fuzz
