#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# perf/zip_micro.sh ARCHIVE.zip [rounds] -- issue 16 part 8: folio's zip
# writer vs libzip on the entries of an archive folio wrote (see
# perf/zip_micro.c).  Builds both programs into build/perf/ (needs
# build/libfolio.a and Debian libzip-dev), then runs them alternately three
# times each, `rounds` writes per run.
set -e
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: perf/zip_micro.sh ARCHIVE.zip [rounds]" >&2; exit 2; }
mkdir -p build/perf
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude perf/zip_micro.c build/libfolio.a \
    -lz -lcrypto -lm -o build/perf/zip_micro_folio
cc -O2 -std=c11 -D_GNU_SOURCE -DWITH_LIBZIP perf/zip_micro.c -lzip -lcrypto \
    -o build/perf/zip_micro_libzip
for i in 1 2 3; do
    build/perf/zip_micro_folio "$1" "${2:-5}"
    build/perf/zip_micro_libzip "$1" "${2:-5}"
done
