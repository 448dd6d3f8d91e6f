# folio -- build, test, demo.  See README.md.
#
#   make            build build/folio
#   make demo       install missing packages, build, generate 2,000 households, run
#   make test       install missing packages, build, run every test
#   make SANITIZER=address,undefined test    the same under ASan+UBSan (build-san/)
#   make valgrind   unit tests under valgrind
#   make bench      perf/bench (throughput, peak memory, scaling)

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

CFLAGS  := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
           $(OPT) -fopenmp -Iinclude -Isrc $(SANFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := -fopenmp $(SANFLAGS)
LDLIBS  := -lhpdf -lcsv -lyaml -lz -lcrypto -lpng -lzint -lm

# Debian packages the build, the tests and the demo need.
DEB_PKGS := build-essential libhpdf-dev libcsv-dev libyaml-dev libcmocka-dev zlib1g-dev \
            libssl-dev libpng-dev fonts-liberation2 qpdf poppler-utils python3 python3-yaml locales \
            libzint-dev dmtx-utils icc-profiles-free unzip

SRCS    := $(wildcard src/*.c)
LIBSRCS := $(filter-out src/main.c,$(SRCS))
OBJS    := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIBSRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
FONTS   := fonts/LiberationSans-Regular.ttf fonts/LiberationSans-Bold.ttf

.PHONY: all deps demo test unit e2e valgrind bench clean fonts sanitize

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

$(BUILD)/folio: $(BUILD)/obj/main.o $(BUILD)/libfolio.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libfolio.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libfolio.a $(LDFLAGS) $(LDLIBS) -lcmocka

unit: $(UNIT_BINS) $(FONTS)
	@fail=0; for t in $(UNIT_BINS); do \
	  echo "== $$t"; FOLIO_ROOT=$(CURDIR) ./$$t || fail=1; \
	  LC_ALL=fr_FR.UTF-8 LC_NUMERIC=fr_FR.UTF-8 FOLIO_ROOT=$(CURDIR) ./$$t >/dev/null 2>&1 || { echo "$$t failed under a French locale"; fail=1; }; \
	done; exit $$fail

e2e: $(BUILD)/folio $(FONTS)
	FOLIO=$(CURDIR)/$(BUILD)/folio bash tests/e2e/run.sh

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) e2e

sanitize:
	$(MAKE) SANITIZER=address,undefined test

valgrind: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do FOLIO_ROOT=$(CURDIR) valgrind -q --error-exitcode=1 --leak-check=full --suppressions=tests/valgrind.supp ./$$t >/dev/null || exit 1; done

demo: deps
	$(MAKE) all
	@rm -rf $(BUILD)/demo
	$(BUILD)/folio samples --households 2000 --seed 1 --out $(BUILD)/demo/feeds
	@$(BUILD)/folio run $(BUILD)/demo/feeds/job.yaml --out $(BUILD)/demo/out; rc=$$?; \
	  echo; echo "outputs: $(BUILD)/demo/out (manifest.json, print/, archive/, proofs/, audit.jsonl, rejects.csv)"; \
	  [ $$rc = 0 ] || [ $$rc = 3 ]

bench: all $(BUILD)/perf/baseline_hpdf
	perf/bench

# the bare libharu baseline of perf/bench (the bench also builds it when missing)
$(BUILD)/perf/baseline_hpdf: perf/baseline_hpdf.c
	@mkdir -p $(dir $@)
	$(CC) -O2 $< -lhpdf -lz -lpng -lm -o $@

clean:
	rm -rf build build-san
