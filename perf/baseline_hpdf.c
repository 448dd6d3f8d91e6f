/* SPDX-License-Identifier: Apache-2.0 */
/*
 * baseline_hpdf.c -- the bench's reference point: a bare libharu 2.3.0
 * program that only draws pre-computed text.
 *
 * It draws S bank statements into one document, US Letter, 2.7 pages per
 * statement on average (a fixed pattern of 2- and 3-page statements):
 * bank name, address block and "Statement for household ..." on top, a
 * bold table header and up to 45 rows x 5 cells (date, description, debit,
 * credit, balance; amounts right-aligned with HPDF_Page_TextWidth), a rule
 * under the header, and a footer with "Page x of y".  Text is UTF-8 through
 * HPDF_UseUTFEncodings with Liberation Sans Regular and Bold embedded
 * (HPDF_LoadTTFontFromFile(..., HPDF_TRUE)), page streams compressed
 * (HPDF_COMP_ALL), the document saved once at the end -- the plain way to
 * write such a program with libharu.
 *
 * All strings are formatted before the clock starts; the timed part is
 * HPDF_New .. HPDF_SaveToFile .. HPDF_Free.
 *
 *   cc -O2 perf/baseline_hpdf.c -lhpdf -lz -lpng -lm -o build/perf/baseline_hpdf
 *   build/perf/baseline_hpdf [--statements S] [--tune] [--fonts DIR] [--out FILE]
 *
 *   --tune   mallopt(M_TRIM_THRESHOLD / M_MMAP_THRESHOLD) so freed memory is
 *            kept: libharu creates and frees a zlib compressor per page at
 *            save time, and with glibc's defaults that memory goes back to
 *            the kernel and is faulted in again for every page.
 *
 * Prints one line of key=value pairs (statements, pages, seconds,
 * pages_per_s, bytes, peak_rss_kb) on stdout; errors on stderr, exit 1.
 */
#include <hpdf.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define ROWS_PER_PAGE 45
#define N_DESC 16
#define PAGE_W 612.0f   /* US Letter, points */
#define PAGE_H 792.0f

typedef struct row {
    char date[24], desc[64], debit[24], credit[24], balance[24];
} row;

typedef struct statement {
    char id[16], name[64], addr1[64], addr2[64], period[64];
    int pages;
    int n_rows;
    row *rows;
} statement;

static int had_error;

static void on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    (void)user_data;
    if (!had_error)
        fprintf(stderr, "baseline_hpdf: libharu error 0x%04X, detail %u\n",
                (unsigned)error_no, (unsigned)detail_no);
    had_error = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Format minor units as "1,234.56" (no locale). */
static void money_fmt(long long v, char *out, size_t n)
{
    char digits[32];
    int neg = v < 0;
    unsigned long long u = neg ? (unsigned long long)(-v) : (unsigned long long)v;
    int len = snprintf(digits, sizeof digits, "%llu", u / 100);
    char buf[48];
    int k = 0;
    if (neg)
        buf[k++] = '-';
    for (int i = 0; i < len; i++) {
        buf[k++] = digits[i];
        if ((len - i - 1) % 3 == 0 && i != len - 1)
            buf[k++] = ',';
    }
    snprintf(buf + k, sizeof buf - (size_t)k, ".%02llu", u % 100);
    snprintf(out, n, "%s", buf);
}

/* Pre-compute every string of every statement (not timed). */
static statement *statements_make(int n)
{
    static const char *desc[N_DESC] = {
        "CARD PURCHASE SUPERMARCH\xc3\x89 CENTRAL", "SALARY ACME CORP",
        "TRANSFER TO \xc5\x81UKASZ M\xc3\x9cLLER", "ATM WITHDRAWAL 5TH AVE",
        "DIRECT DEBIT ELECTRICITY", "CAF\xc3\x89 JOS\xc3\x89 & ZO\xc3\x8b",
        "CARD PURCHASE HARDWARE STORE", "STANDING ORDER RENT",
        "INTEREST PAID", "MOBILE PHONE BILL", "ONLINE PURCHASE BOOKSHOP",
        "FUEL STATION 24/7", "PHARMACY MAIN ST", "RESTAURANT LA PERGOLA",
        "INSURANCE PREMIUM", "CHEQUE DEPOSIT 004512",
    };
    /* 2.7 pages per statement: 3 two-page and 7 three-page in every 10 */
    static const int pattern[10] = {2, 3, 3, 2, 3, 3, 3, 2, 3, 3};
    statement *v = calloc((size_t)n, sizeof *v);
    if (!v)
        return NULL;
    unsigned long long rnd = 88172645463325252ULL;
    for (int s = 0; s < n; s++) {
        statement *st = &v[s];
        st->pages = pattern[s % 10];
        /* last page partly filled: 10..45 rows */
        rnd ^= rnd << 13; rnd ^= rnd >> 7; rnd ^= rnd << 17;
        int last = 10 + (int)(rnd % 36);
        st->n_rows = (st->pages - 1) * ROWS_PER_PAGE + last;
        st->rows = calloc((size_t)st->n_rows, sizeof *st->rows);
        if (!st->rows)
            return NULL;
        snprintf(st->id, sizeof st->id, "H%07d", s + 1);
        snprintf(st->name, sizeof st->name, "Mr and Mrs J\xc3\xb6rg M\xc3\xbcller-%d", s + 1);
        snprintf(st->addr1, sizeof st->addr1, "%d Elm Street, Apt %d", 10 + s % 900, 1 + s % 40);
        snprintf(st->addr2, sizeof st->addr2, "Springfield, IL %05d", 60000 + s % 9999);
        snprintf(st->period, sizeof st->period, "Statement period 2024-05-01 to 2024-05-31");
        long long bal = 100000 + (long long)(rnd % 900000);
        for (int r = 0; r < st->n_rows; r++) {
            row *w = &st->rows[r];
            rnd ^= rnd << 13; rnd ^= rnd >> 7; rnd ^= rnd << 17;
            long long amt = (long long)(rnd % 250000) - 150000;
            bal += amt;
            snprintf(w->date, sizeof w->date, "2024-05-%02d", 1 + (r * 30) / st->n_rows);
            snprintf(w->desc, sizeof w->desc, "%s", desc[rnd % N_DESC]);
            if (amt < 0) {
                money_fmt(-amt, w->debit, sizeof w->debit);
            } else {
                money_fmt(amt, w->credit, sizeof w->credit);
            }
            money_fmt(bal, w->balance, sizeof w->balance);
        }
    }
    return v;
}

static void text_at(HPDF_Page p, HPDF_Font f, float size, float x, float y, const char *s)
{
    HPDF_Page_SetFontAndSize(p, f, size);
    HPDF_Page_TextOut(p, x, y, s);
}

static void text_right(HPDF_Page p, float right, float y, const char *s)
{
    if (!*s)
        return;
    float w = HPDF_Page_TextWidth(p, s);
    HPDF_Page_TextOut(p, right - w, y, s);
}

static void page_draw(HPDF_Page p, HPDF_Font reg, HPDF_Font bold, const statement *st,
                      int page_no)
{
    char buf[64];
    HPDF_Page_SetSize(p, HPDF_PAGE_SIZE_LETTER, HPDF_PAGE_PORTRAIT);

    /* header */
    HPDF_Page_BeginText(p);
    HPDF_Page_SetRGBFill(p, 0.0f, 0.2f, 0.4f);
    text_at(p, bold, 16, 54, 740, "First Example Bank");
    HPDF_Page_SetRGBFill(p, 0, 0, 0);
    text_at(p, reg, 9, 54, 726, "1 Main Street, Springfield, IL 62701  \xc2\xb7  800-555-0100");
    text_at(p, bold, 10, 54, 700, st->name);
    text_at(p, reg, 10, 54, 688, st->addr1);
    text_at(p, reg, 10, 54, 676, st->addr2);
    text_at(p, reg, 9, 360, 700, st->period);
    snprintf(buf, sizeof buf, "Statement for household %s", st->id);
    text_at(p, reg, 9, 360, 688, buf);

    /* table header */
    float top = 640;
    HPDF_Page_SetFontAndSize(p, bold, 9);
    HPDF_Page_TextOut(p, 54, top, "Date");
    HPDF_Page_TextOut(p, 120, top, "Description");
    text_right(p, 400, top, "Debit");
    text_right(p, 480, top, "Credit");
    text_right(p, 558, top, "Balance");
    HPDF_Page_EndText(p);

    HPDF_Page_SetLineWidth(p, 0.5f);
    HPDF_Page_MoveTo(p, 54, top - 4);
    HPDF_Page_LineTo(p, 558, top - 4);
    HPDF_Page_Stroke(p);

    /* rows */
    HPDF_Page_BeginText(p);
    HPDF_Page_SetFontAndSize(p, reg, 9);
    int first = page_no * ROWS_PER_PAGE;
    int end = first + ROWS_PER_PAGE < st->n_rows ? first + ROWS_PER_PAGE : st->n_rows;
    float y = top - 16;
    for (int r = first; r < end; r++, y -= 12) {
        const row *w = &st->rows[r];
        HPDF_Page_TextOut(p, 54, y, w->date);
        HPDF_Page_TextOut(p, 120, y, w->desc);
        text_right(p, 400, y, w->debit);
        text_right(p, 480, y, w->credit);
        text_right(p, 558, y, w->balance);
    }

    /* footer */
    HPDF_Page_SetFontAndSize(p, reg, 7);
    HPDF_Page_TextOut(p, 54, 40, "First Example Bank, member FDIC. Questions? Call 800-555-0100.");
    snprintf(buf, sizeof buf, "Page %d of %d", page_no + 1, st->pages);
    text_right(p, 558, 40, buf);
    HPDF_Page_EndText(p);
}

int main(int argc, char **argv)
{
    int n = 2000;
    int tune = 0;
    const char *fonts = "fonts";
    const char *out = "/tmp/baseline_hpdf.pdf";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--statements") && i + 1 < argc)
            n = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--tune"))
            tune = 1;
        else if (!strcmp(argv[i], "--fonts") && i + 1 < argc)
            fonts = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else {
            fprintf(stderr, "usage: baseline_hpdf [--statements S] [--tune] [--fonts DIR] "
                            "[--out FILE]\n");
            return 2;
        }
    }
    if (n < 1) {
        fprintf(stderr, "baseline_hpdf: --statements must be >= 1\n");
        return 2;
    }
    if (tune) {
        mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
        mallopt(M_MMAP_THRESHOLD, 64 * 1024 * 1024);
    }
    statement *sv = statements_make(n);
    if (!sv) {
        fprintf(stderr, "baseline_hpdf: out of memory\n");
        return 1;
    }
    char reg_path[4096], bold_path[4096];
    snprintf(reg_path, sizeof reg_path, "%s/LiberationSans-Regular.ttf", fonts);
    snprintf(bold_path, sizeof bold_path, "%s/LiberationSans-Bold.ttf", fonts);

    double t0 = now_s();
    HPDF_Doc pdf = HPDF_New(on_error, NULL);
    if (!pdf) {
        fprintf(stderr, "baseline_hpdf: HPDF_New failed\n");
        return 1;
    }
    HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(pdf);
    const char *rn = HPDF_LoadTTFontFromFile(pdf, reg_path, HPDF_TRUE);
    const char *bn = HPDF_LoadTTFontFromFile(pdf, bold_path, HPDF_TRUE);
    if (!rn || !bn || had_error) {
        fprintf(stderr, "baseline_hpdf: cannot load %s or %s\n", reg_path, bold_path);
        HPDF_Free(pdf);
        return 1;
    }
    HPDF_Font reg = HPDF_GetFont(pdf, rn, "UTF-8");
    HPDF_Font bold = HPDF_GetFont(pdf, bn, "UTF-8");
    long pages = 0;
    for (int s = 0; s < n && !had_error; s++) {
        for (int p = 0; p < sv[s].pages && !had_error; p++) {
            HPDF_Page page = HPDF_AddPage(pdf);
            page_draw(page, reg, bold, &sv[s], p);
            pages++;
        }
    }
    if (!had_error)
        HPDF_SaveToFile(pdf, out);
    HPDF_Free(pdf);
    double el = now_s() - t0;
    if (had_error)
        return 1;

    struct stat sb;
    long long bytes = stat(out, &sb) == 0 ? (long long)sb.st_size : -1;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("statements=%d pages=%ld seconds=%.3f pages_per_s=%.0f bytes=%lld "
           "peak_rss_kb=%ld tune=%s\n",
           n, pages, el, el > 0 ? pages / el : 0.0, bytes, ru.ru_maxrss, tune ? "yes" : "no");
    for (int s = 0; s < n; s++)
        free(sv[s].rows);
    free(sv);
    return 0;
}
