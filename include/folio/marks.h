/* SPDX-License-Identifier: Apache-2.0 */
/*
 * folio/marks.h -- inserter marks and postal barcodes, added to a composed
 * statement's display list.
 *
 * Three independent features, each optional, configured in the job under
 * `output.marks` (docs/marks.md is the reference):
 *
 *   omr         optical mark recognition marks, one set per sheet, on the
 *               front page of the sheet: a benchmark, begin / end of set
 *               ("insert"), parity, a wrap-around sheet sequence and a safety
 *               mark, drawn as solid black BOX ops stacked down the page at a
 *               fixed pitch (a Pitney Bowes-style profile by default);
 *   datamatrix  instead of OMR: one ECC 200 DataMatrix per sheet, content
 *               "<piece id>|<sheet>|<sheets>|<E|N>", encoded by libzint and
 *               drawn as BOX ops (one per horizontal run of dark modules);
 *   imb         a USPS Intelligent Mail barcode on the first page, in the
 *               address block, encoded by libzint and drawn as 65 BOX bars.
 *
 * Everything is drawn with BOX ops (solid black rectangles), so the PDF and
 * the AFP writers render the same marks from the same display list.
 *
 * Order of calls:
 *   marks_options_read()   from job.c, once, on the job's `output:` map;
 *   marks_check_layout()   once per run, when the layout is known: the mark
 *                          zones must lie on the page and clear of the body
 *                          area and the address block (config error, exit 2);
 *   marks_apply()          once per printed statement, after duplex padding
 *                          and before any writer sees the statement;
 *   marks_options_free().
 *
 * Threads: marks_apply() keeps no state between calls and may run on many
 * threads at once with the same options (libzint symbols are per call).
 */
#ifndef FOLIO_MARKS_H
#define FOLIO_MARKS_H

#include "folio/common.h"
#include "folio/dlist.h"
#include "folio/layout.h"

struct yt_doc;
struct yt_node;

/* ---- OMR ----------------------------------------------------------------- */

typedef enum folio_omr_kind {
    FOLIO_OMR_BENCHMARK = 1, /* always printed: tells the scanner marks follow */
    FOLIO_OMR_BEGIN_SET,     /* printed on the first sheet of a piece */
    FOLIO_OMR_END_SET,       /* printed on the last sheet of a piece */
    FOLIO_OMR_INSERT,        /* the same rule as END_SET ("insert after this sheet") */
    FOLIO_OMR_PARITY,        /* printed when needed to make the sheet's count of
                                printed marks even (or odd, see parity_odd) */
    FOLIO_OMR_SEQUENCE,      /* one bit of the wrap-around sheet sequence */
    FOLIO_OMR_SAFETY         /* always printed: closes the mark field */
} folio_omr_kind;

#define FOLIO_OMR_MAX_TRACKS 24
#define FOLIO_OMR_MAX_SEQ_BITS 8

/* One mark position ("track") of the profile, top to bottom. */
typedef struct folio_omr_track {
    uint8_t kind;            /* folio_omr_kind */
    uint8_t bit;             /* SEQUENCE: which bit of the sequence (0 = 1s) */
} folio_omr_track;

typedef struct folio_omr_options {
    int32_t x;               /* left end of every mark, units from the page's left edge */
    int32_t y;               /* top of the first track, units from the page's top */
    int32_t pitch;           /* top-to-top distance of two tracks */
    int32_t length;          /* horizontal length of a mark */
    int32_t thickness;       /* vertical thickness of a mark */
    int32_t clear_zone;      /* margin around the mark field where nothing else prints */
    folio_omr_track tracks[FOLIO_OMR_MAX_TRACKS];
    int n_tracks;            /* the configured list, `sequence` expanded to its bits */
    int sequence_bits;       /* 1..8 (3 by default: sheet number mod 8) */
    bool sequence_msb_first; /* false: the first sequence track is bit 0 */
    bool parity_odd;         /* false: even count of printed marks per sheet */
} folio_omr_options;

/* ---- DataMatrix ---------------------------------------------------------- */

typedef struct folio_dm_options {
    int32_t x, y;            /* top-left of the symbol's first module (quiet zone outside) */
    int32_t module;          /* side of one module, units */
    int quiet_zone;          /* light modules around the symbol (>= 1) */
} folio_dm_options;

/* ---- Intelligent Mail barcode -------------------------------------------- */

typedef enum folio_imb_position {
    FOLIO_IMB_BELOW = 0,     /* under the last address line (default) */
    FOLIO_IMB_ABOVE,         /* above the first address line (the name) */
    FOLIO_IMB_FIXED          /* at the address block's top-left + (dx, dy) */
} folio_imb_position;

typedef struct folio_imb_options {
    char barcode_id[3];      /* 2 digits, the second 0-4 ("00") */
    char service_type[4];    /* 3 digits, the service type id (STID) */
    char mailer_id[10];      /* 6 or 9 digits */
    folio_imb_position position;
    int32_t dx, dy;          /* shift from the computed position, units */
    int32_t window;          /* the bars (with their clear zone) may exceed the
                                layout's address block by this much on each side
                                (window clearance), units */
} folio_imb_options;

/* Dimensions of the drawn IMb, units (USPS-B-3200 ranges in comments). */
#define FOLIO_IMB_BARS 65
#define FOLIO_IMB_BAR_W 29        /* 0.0201 in (0.015-0.025) */
#define FOLIO_IMB_TRACKER_H 72    /* 0.050 in (0.039-0.057) */
#define FOLIO_IMB_EXTEND_H 68     /* ascender/descender part beyond the tracker */
#define FOLIO_IMB_FULL_H (FOLIO_IMB_TRACKER_H + 2 * FOLIO_IMB_EXTEND_H) /* 208 = 0.144 in (0.125-0.165) */
#define FOLIO_IMB_CLEAR_X 180     /* 0.125 in clear zone left and right */
#define FOLIO_IMB_CLEAR_Y 40      /* 0.028 in clear zone above and below */
/* Left edge of bar i (0..64) relative to bar 0: 22 bars per inch, rounded
 * per bar so the error never accumulates. */
static inline int32_t marks_imb_bar_x(int i)
{
    return (int32_t)((i * 1440 * 2 + 22) / 44);
}
#define FOLIO_IMB_LENGTH (((64 * 1440 * 2 + 22) / 44) + FOLIO_IMB_BAR_W) /* 4218 = 2.93 in */

/* ---- options -------------------------------------------------------------- */

typedef struct folio_marks_options {
    bool omr_on, dm_on, imb_on;  /* omr and datamatrix exclude each other */
    folio_omr_options omr;
    folio_dm_options dm;
    folio_imb_options imb;
    char *src;                   /* job file path, for messages (owned) */
    int omr_line, omr_col;       /* where each subsection starts in the job file */
    int dm_line, dm_col;
    int imb_line, imb_col;
} folio_marks_options;

/* Read `output.marks` from the job's `output:` map.  `output` may be NULL
 * and `marks` absent: then *out is NULL (no marks) and true is returned.
 * `pieces_mailer_id` is output.pieces.mailer_id (NULL when unset): the IMb's
 * mailer id defaults to it and must equal it when both are given (the serial
 * width of the pieces depends on it).  Errors go through d ("path:line:col:
 * ...", exit 2); returns false with *out NULL. */
bool marks_options_read(struct yt_doc *d, const struct yt_node *output,
                        const char *pieces_mailer_id, folio_marks_options **out);
void marks_options_free(folio_marks_options *o);

/* The Pitney Bowes-style OMR profile of docs/marks.md (what `omr: {}`
 * gives): left margin, x 12 pt, first mark 252 pt from the top, pitch 1/6 in,
 * marks 24 pt x 1.5 pt, tracks benchmark, begin_set, end_set, 3 sequence
 * bits (1s first), parity (even), safety; clear zone 7.2 pt. */
void marks_omr_profile_default(folio_omr_options *omr);

/* Check the configured zones against a layout: each on the page and, with
 * its clear zone, outside the body area (x from margin_left to page_w -
 * margin_right, y from min(body_top, body_top_first) down to body_bottom)
 * and outside the address block; the IMb must fit in the
 * address block widened by imb.window.  A failure is a config error
 * "job.yaml:LINE:COL: 'output.marks.omr' ... overlaps ..." (exit 2). */
bool marks_check_layout(const folio_marks_options *o, const folio_layout *layout,
                        folio_error *err);

/* What marks_apply needs to know about one mail piece.  Nothing is kept
 * after the call (the ops added are plain boxes in the statement's arena). */
typedef struct folio_piece_marks {
    const char *piece_id;        /* e.g. "P0000001" (DataMatrix); printable ASCII
                                    without '|' */
    uint64_t imb_serial;         /* the piece's IMb serial (production plan);
                                    printed zero-padded to 15 - len(mailer id) digits */
    const char *routing_zip;     /* the address's postal code as given ("04101-1234");
                                    its digits (0, 5, 9 or 11 of them) are the IMb
                                    routing code; NULL or "" = no routing code */
    bool no_imb;                 /* leave the IMb off this piece (e.g. foreign mail) */
    bool duplex;                 /* two pages per sheet: fronts are pages 1, 3, 5... */
    uint32_t first_sheet;        /* 1-based number of the piece's first sheet in its
                                    print file: sheet k (0-based) of the piece carries
                                    OMR sequence (first_sheet + k) mod 2^bits, so the
                                    sequence runs on across the pieces of a file */
} folio_piece_marks;

/* Add the configured marks to st (the statement as printed: duplex padding
 * already added; its sheets are n_pages, or ceil(n_pages / 2) duplex).
 * Every mark zone is checked against the ops already on its page (boxes,
 * rules, text measured with the layout's fonts): an overlap fails with the
 * piece id, page and position.  o == NULL adds nothing.  Returns false with
 * err set (FOLIO_EXIT_FAILED) on overlap, bad piece data, libzint failure or
 * OOM; st may then hold some of the marks. */
bool marks_apply(const folio_marks_options *o, const folio_layout *layout,
                 folio_dl_statement *st, const folio_piece_marks *piece,
                 folio_error *err);

/* The libzint input of a piece's IMb, "TRACKING" or "TRACKING-ROUTING"
 * (tracking = barcode id, service type, mailer id, serial: 20 digits), into
 * buf (cap >= 40).  False with err when the serial does not fit its width or
 * the routing ZIP has the wrong number of digits. */
bool marks_imb_data(const folio_imb_options *imb, uint64_t serial,
                    const char *routing_zip, char *buf, size_t cap,
                    folio_error *err);

/* The DataMatrix content of sheet `sheet` (1-based) of `sheets`, into buf:
 * "<piece id>|<sheet>|<sheets>|<E if sheet == sheets else N>".  Returns its
 * length, 0 if it does not fit. */
size_t marks_dm_content(const char *piece_id, uint32_t sheet, uint32_t sheets,
                        char *buf, size_t cap);

#endif
