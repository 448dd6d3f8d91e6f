/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pdf_micro.c -- single-threaded PDF writer throughput on a synthetic
 * statement: 3 pages of 45 transaction rows x 5 cells, a shaded table
 * header, rules, a page header and footer.  Not built by default:
 *
 *   make build/libfolio.a build/libfolio-cli.a
 *   cc -O2 -std=c11 -D_GNU_SOURCE -fopenmp -Iinclude -Isrc perf/pdf_micro.c \
 *      build/libfolio-cli.a build/libfolio.a -lhpdf -lz -lcrypto -lpng -lm -o build/pdf_micro
 *   FOLIO_ROOT=. build/pdf_micro [statements-per-file] [files] [--no-tune] [--raw]
 *       [--level=N]   (zlib level of page content, default 6; --raw: none)
 *   FOLIO_PDF_BACKEND=libharu build/pdf_micro ...   (plain libharu calls)
 *
 * Prints pages/s, bytes/page and the peak RSS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "folio/dlist.h"
#include "folio/pdf.h"
#include "cli.h"          /* cli_tune_allocator (src/cli-process.c), as folio run */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static folio_dl_statement *make_statement(folio_arena *a, int k)
{
    static const char *desc[] = {
        "CARD PURCHASE SUPERMARCH\xc3\x89 CENTRAL", "SALARY ACME CORP",
        "TRANSFER TO \xc5\x81UKASZ M\xc3\x9cLLER", "ATM WITHDRAWAL 5TH AVE",
        "DIRECT DEBIT ELECTRICITY", "CAF\xc3\x89 JOS\xc3\x89 & ZO\xc3\x8b",
    };
    char id[32];
    snprintf(id, sizeof id, "H%06d", k);
    folio_dl_statement *st = dlist_statement_new(a, id, 11906, 16838);
    int32_t bal = 1234567;
    for (int p = 0; p < 3; p++) {
        folio_dl_page *pg = dlist_page_add(st);
        char buf[128];
        dlist_page_add_text(st, pg, 1, 280, 1134, 1400, 0x003366, "First Example Bank",
                            18, false);
        dlist_page_add_text(st, pg, 0, 180, 1134, 1700, 0x000000,
                            "1 Main Street, Springfield", 26, false);
        int n = snprintf(buf, sizeof buf, "Statement for household %s", id);
        dlist_page_add_text(st, pg, 0, 180, 1134, 1950, 0x000000, buf, (size_t)n, true);
        dlist_page_add_box(st, pg, 1134, 2600, 9638, 300, 0xDDDDDD, 0x999999, 10);
        static const char *hd[] = { "Date", "Description", "Debit", "Credit", "Balance" };
        static const int32_t cx[] = { 1200, 2600, 6800, 8200, 9600 };
        for (int c = 0; c < 5; c++)
            dlist_page_add_text(st, pg, 1, 180, cx[c], 2800, 0x000000, hd[c],
                                strlen(hd[c]), false);
        for (int r = 0; r < 45; r++) {
            int32_t y = 3200 + r * 270;
            int32_t amt = (k * 7919 + r * 104729 + p * 31) % 250000;
            n = snprintf(buf, sizeof buf, "2026-10-%02d", 1 + r % 28);
            dlist_page_add_text(st, pg, 0, 180, cx[0], y, 0, buf, (size_t)n, true);
            const char *d = desc[(r + k) % 6];
            dlist_page_add_text(st, pg, 0, 180, cx[1], y, 0, d, strlen(d), false);
            n = snprintf(buf, sizeof buf, "%d.%02d", amt / 100, amt % 100);
            dlist_page_add_text(st, pg, 0, 180, cx[2 + (r & 1)], y, 0, buf, (size_t)n,
                                true);
            bal += (r & 1) ? amt : -amt;
            n = snprintf(buf, sizeof buf, "%d.%02d", bal / 100, abs(bal % 100));
            dlist_page_add_text(st, pg, 0, 180, cx[4], y, 0, buf, (size_t)n, true);
            dlist_page_add_text(st, pg, 0, 180, cx[3 - (r & 1)], y, 0, "", 0, false);
            if (r % 5 == 4)
                dlist_page_add_rule(st, pg, 1134, y + 60, 10772, y + 60, 5, 0xCCCCCC);
        }
        dlist_page_add_rule(st, pg, 1134, 15800, 10772, 15800, 10, 0x000000);
        n = snprintf(buf, sizeof buf, "Page %d of 3", p + 1);
        dlist_page_add_text(st, pg, 0, 160, 9800, 16100, 0x555555, buf, (size_t)n, true);
    }
    return st;
}

int main(int argc, char **argv)
{
    int per_file = 200, files = 5;
    bool tune = true, raw = false;
    int level = 6;
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-tune") == 0)
            tune = false;
        else if (strcmp(argv[i], "--raw") == 0)
            raw = true;
        else if (strncmp(argv[i], "--level=", 8) == 0)
            level = atoi(argv[i] + 8);
        else if (pos++ == 0)
            per_file = atoi(argv[i]);
        else
            files = atoi(argv[i]);
    }
    if (tune)
        cli_tune_allocator();
    const char *root = getenv("FOLIO_ROOT");
    char reg[4096], bold[4096];
    snprintf(reg, sizeof reg, "%s/fonts/LiberationSans-Regular.ttf", root ? root : ".");
    snprintf(bold, sizeof bold, "%s/fonts/LiberationSans-Bold.ttf", root ? root : ".");
    folio_layout_font fonts[2] = { { "regular", reg, NULL }, { "bold", bold, NULL } };
    folio_pdf_options opt = {.title = "Statements", .author = "First Example Bank",
                             .subject = "October 2026", .doc_date = 20392,
                             .compression = raw ? 0 : level};
    folio_arena a;
    folio_arena_init(&a, 1 << 20);
    uint64_t total_bytes = 0;
    uint32_t total_pages = 0;
    double t_build = 0, t0 = now();
    for (int f = 0; f < files; f++) {
        folio_error err = { 0 };
        char path[64];
        snprintf(path, sizeof path, "/tmp/pdf_micro_%d.pdf", f);
        folio_pdf_writer *w = pdf_writer_open(path, fonts, 2, &opt, &err);
        if (!w) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        for (int s = 0; s < per_file; s++) {
            double tb = now();
            folio_dl_statement *st = make_statement(&a, f * per_file + s);
            t_build += now() - tb;
            if (!pdf_writer_add_statement(w, st, &err)) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            folio_arena_reset(&a);
        }
        total_pages += pdf_writer_pages(w);
        uint64_t bytes;
        if (!pdf_writer_close(w, &bytes, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        total_bytes += bytes;
    }
    double el = now() - t0 - t_build;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    const char *be = getenv("FOLIO_PDF_BACKEND");
    printf("backend=%s tune=%s zlib level=%d: %u pages in %.3f s = %.0f pages/s, "
           "%.0f bytes/page, peak RSS %ld MB (dlist build %.3f s excluded)\n",
           be ? be : "direct", tune ? "yes" : "no", raw ? 0 : level, total_pages, el,
           total_pages / el, (double)total_bytes / total_pages, ru.ru_maxrss / 1024,
           t_build);
    folio_arena_free(&a);
    return 0;
}
