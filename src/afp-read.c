/* SPDX-License-Identifier: Apache-2.0 */
/*
 * afp-read.c -- reading AFP: the checker and lister behind `folio afpdump`
 * and the text walker the tests use (folio/afp.h).
 *
 * Every reader walks the same framing (afp-private.h): at each offset a 0x5A,
 * a length of at least 8 that must land exactly on the next 0x5A or on the
 * end of the file.  The checker then keeps a stack of open begin fields:
 *
 *   container  may hold                               begun in
 *   file       BRG BDT                                 -
 *   BRG        BRS (BFM)                               file
 *   BRS        BFM                                     BRG
 *   BFM        BDG BMM                                 BRS, BRG
 *   BDG        MDD PGP                                 BFM
 *   BMM        MCC MMC MDD PGP                         BFM
 *   BDT        BNG TLE IMM BPG                         file
 *   BNG        BNG TLE IMM BPG (TLEs before the pages) BDT, BNG
 *   BPG        BAG first, then BPT TLE                 BDT, BNG
 *   BAG        MCF PGD (exactly one) PTD               BPG
 *   BPT        PTX                                     BPG
 *
 * NOP may appear anywhere.  End fields must close the innermost open begin
 * field of their kind and, when they carry a name (not X'FFFF'), the same
 * name.  Triplet chains are checked where fields carry triplets (after the
 * 8-byte name of begin fields and IMM -- BDT and BRS have 2 reserved bytes
 * X'0000' after the name, triplets from data offset 10; all of TLE; after
 * the fixed part of PGD and MDD; inside each MCF repeating group).  A long
 * index value is several TLEs with the same attribute name (afp.h).  PTX
 * data is PTOCA: it starts with the escape 2BD3; each chain of control
 * sequences ends with an unchained one before the PTX ends; lengths and
 * parameters of the known control sequences are checked.
 */
#include "afp-private.h"
#include "afp-image.h"          /* issue 13: IOCA and GOCA checks */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { C_FILE, C_BRG, C_BRS, C_BFM, C_BDG, C_BMM, C_BDT, C_BNG, C_BPG, C_BAG, C_BPT,
       C_BIM, C_BOG, C_BGR,          /* issue 13: image, object environment, graphics */
       C__N };
enum { K_OTHER, K_BEGIN, K_END };
#define P(c) (1u << (c))
#define ANYWHERE 0xFFFFu

typedef struct sf_def {
    uint32_t id;
    const char *abbr;
    const char *name;
    uint8_t kind;
    uint8_t cont;             /* begin / end: the container */
    uint16_t parents;         /* containers it may appear in (begin: be begun in) */
    int16_t trip;             /* triplets start at this data offset, -1 none */
} sf_def;

static const sf_def SFS[] = {
    {SF_BDT, "BDT", "Begin Document", K_BEGIN, C_BDT, P(C_FILE), 10},
    {SF_EDT, "EDT", "End Document", K_END, C_BDT, 0, 8},
    {SF_BRG, "BRG", "Begin Resource Group", K_BEGIN, C_BRG, P(C_FILE), 8},
    {SF_ERG, "ERG", "End Resource Group", K_END, C_BRG, 0, 8},
    {SF_BRS, "BRS", "Begin Resource", K_BEGIN, C_BRS, P(C_BRG), 10},
    {SF_ERS, "ERS", "End Resource", K_END, C_BRS, 0, 8},
    {SF_BFM, "BFM", "Begin Form Map", K_BEGIN, C_BFM, P(C_BRS) | P(C_BRG), 8},
    {SF_EFM, "EFM", "End Form Map", K_END, C_BFM, 0, 8},
    {SF_BDG, "BDG", "Begin Document Environment Group", K_BEGIN, C_BDG, P(C_BFM), 8},
    {SF_EDG, "EDG", "End Document Environment Group", K_END, C_BDG, 0, 8},
    {SF_BMM, "BMM", "Begin Medium Map", K_BEGIN, C_BMM, P(C_BFM), 8},
    {SF_EMM, "EMM", "End Medium Map", K_END, C_BMM, 0, 8},
    {SF_MDD, "MDD", "Medium Descriptor", K_OTHER, 0, P(C_BDG) | P(C_BMM), 13},
    {SF_MCC, "MCC", "Medium Copy Count", K_OTHER, 0, P(C_BMM), -1},
    {SF_MMC, "MMC", "Medium Modification Control", K_OTHER, 0, P(C_BMM), -1},
    {SF_PGP, "PGP", "Page Position", K_OTHER, 0, P(C_BMM) | P(C_BDG), -1},
    {SF_BNG, "BNG", "Begin Named Page Group", K_BEGIN, C_BNG, P(C_BDT) | P(C_BNG), 8},
    {SF_ENG, "ENG", "End Named Page Group", K_END, C_BNG, 0, 8},
    {SF_TLE, "TLE", "Tag Logical Element", K_OTHER, 0, P(C_BDT) | P(C_BNG) | P(C_BPG), 0},
    {SF_IMM, "IMM", "Invoke Medium Map", K_OTHER, 0, P(C_BDT) | P(C_BNG), 8},
    {SF_BPG, "BPG", "Begin Page", K_BEGIN, C_BPG, P(C_BDT) | P(C_BNG), 8},
    {SF_EPG, "EPG", "End Page", K_END, C_BPG, 0, 8},
    {SF_BAG, "BAG", "Begin Active Environment Group", K_BEGIN, C_BAG, P(C_BPG), 8},
    {SF_EAG, "EAG", "End Active Environment Group", K_END, C_BAG, 0, 8},
    {SF_MCF, "MCF", "Map Coded Font", K_OTHER, 0, P(C_BAG), -1},
    {SF_PGD, "PGD", "Page Descriptor", K_OTHER, 0, P(C_BAG), 15},
    {SF_PTD, "PTD", "Presentation Text Descriptor", K_OTHER, 0, P(C_BAG), -1},
    {SF_BPT, "BPT", "Begin Presentation Text", K_BEGIN, C_BPT, P(C_BPG), 8},
    {SF_EPT, "EPT", "End Presentation Text", K_END, C_BPT, 0, 8},
    {SF_PTX, "PTX", "Presentation Text Data", K_OTHER, 0, P(C_BPT), -1},
    {SF_NOP, "NOP", "No Operation", K_OTHER, 0, ANYWHERE, -1},
    /* issue 13 parts 1, 2: IOCA image objects (resources), IOB, GOCA */
    {SF_BIM, "BIM", "Begin Image Object", K_BEGIN, C_BIM, P(C_BRS) | P(C_BPG), 8},
    {SF_EIM, "EIM", "End Image Object", K_END, C_BIM, 0, 8},
    {SF_BOG, "BOG", "Begin Object Environment Group", K_BEGIN, C_BOG, P(C_BIM) | P(C_BGR), 8},
    {SF_EOG, "EOG", "End Object Environment Group", K_END, C_BOG, 0, 8},
    {SF_OBD, "OBD", "Object Area Descriptor", K_OTHER, 0, P(C_BOG), 0},
    {SF_OBP, "OBP", "Object Area Position", K_OTHER, 0, P(C_BOG), -1},
    {SF_MIO, "MIO", "Map Image Object", K_OTHER, 0, P(C_BOG), -1},
    {SF_IDD, "IDD", "Image Data Descriptor", K_OTHER, 0, P(C_BOG), -1},
    {SF_IPD, "IPD", "Image Picture Data", K_OTHER, 0, P(C_BIM), -1},
    {SF_IOB, "IOB", "Include Object", K_OTHER, 0, P(C_BPG), 27},
    {SF_BGR, "BGR", "Begin Graphics Object", K_BEGIN, C_BGR, P(C_BRS) | P(C_BPG), 8},
    {SF_EGR, "EGR", "End Graphics Object", K_END, C_BGR, 0, 8},
    {SF_MGO, "MGO", "Map Graphics Object", K_OTHER, 0, P(C_BOG), -1},
    {SF_GDD, "GDD", "Graphics Data Descriptor", K_OTHER, 0, P(C_BOG), -1},
    {SF_GAD, "GAD", "Graphics Data", K_OTHER, 0, P(C_BGR), -1},
};

static const char *const CONT_BEGIN[C__N] = {"file", "BRG", "BRS", "BFM", "BDG", "BMM",
                                             "BDT", "BNG", "BPG", "BAG", "BPT",
                                             "BIM", "BOG", "BGR"};
static const char *const CONT_END[C__N] = {"", "ERG", "ERS", "EFM", "EDG", "EMM",
                                           "EDT", "ENG", "EPG", "EAG", "EPT",
                                           "EIM", "EOG", "EGR"};

static const sf_def *sf_find(uint32_t id)
{
    for (size_t i = 0; i < sizeof SFS / sizeof SFS[0]; i++)
        if (SFS[i].id == id)
            return &SFS[i];
    return NULL;
}

/* ---- framing ---------------------------------------------------------------- */

typedef struct sf_view {
    size_t off;               /* offset of the 0x5A */
    size_t len;               /* the length field */
    uint32_t id;
    uint8_t flags;
    const uint8_t *d;         /* data */
    size_t n;
    size_t doff;              /* file offset of data */
} sf_view;

/* Read the field at *pos; on a framing error writes why and returns false. */
static bool sf_next(const uint8_t *b, size_t len, size_t *pos, size_t prev, sf_view *v,
                    size_t *bad, char *why, size_t cap)
{
    size_t i = *pos;
    if (b[i] != 0x5A) {
        if (i > 0) {
            *bad = prev;
            snprintf(why, cap, "structured field length %u does not chain to the next field "
                     "(byte 0x%02X at offset 0x%zX, expected 0x5A)", afp_be16(b + prev + 1),
                     b[i], i);
        } else {
            *bad = i;
            snprintf(why, cap, "not an AFP file: expected 0x5A, found 0x%02X", b[i]);
        }
        return false;
    }
    *bad = i;
    if (i + AFP_SF_HEAD > len) {
        snprintf(why, cap, "truncated structured field introducer (%zu bytes left, need 9)",
                 len - i);
        return false;
    }
    size_t l = afp_be16(b + i + 1);
    if (l < 8) {
        snprintf(why, cap, "structured field length %zu is below the minimum of 8", l);
        return false;
    }
    if (i + 1 + l > len) {
        snprintf(why, cap, "structured field length %zu runs past the end of the file "
                 "(%zu bytes left): truncated file", l, len - i - 1);
        return false;
    }
    v->off = i;
    v->len = l;
    v->id = afp_be24(b + i + 3);
    v->flags = b[i + 6];
    v->d = b + i + AFP_SF_HEAD;
    v->n = l - 8;
    v->doff = i + AFP_SF_HEAD;
    if (v->flags & 0x80) {                    /* extension: skip it */
        size_t e = v->n ? v->d[0] : 0;
        if (e > v->n) {
            snprintf(why, cap, "extension length %zu runs past the field", e);
            return false;
        }
        v->d += e, v->n -= e, v->doff += e;
    }
    if (v->flags & 0x08 && v->n) {            /* padding: last byte counts it */
        size_t p = v->d[v->n - 1];
        if (p == 0 || p > v->n) {
            snprintf(why, cap, "padding length %zu is invalid", p);
            return false;
        }
        v->n -= p;
    }
    *pos = i + 1 + l;
    return true;
}

/* ---- checker ------------------------------------------------------------------ */

typedef struct open_sf {
    uint8_t cont;
    size_t off;
    uint8_t name[8];
    bool named;
    uint32_t children;
    bool seen_bag, seen_pgd, seen_page, seen_ept;
} open_sf;

#define MAX_DEPTH 32
#define MAX_PROBLEMS AFP_MAX_PROBLEMS

typedef struct chk {
    afp_problem_fn fn;
    void *ctx;
    unsigned problems;
    open_sf st[MAX_DEPTH];
    int depth;
    /* issue 13: the open image object's IPD data (checked at EIM), the
     * image resources seen (IOBs must name one of them) */
    uint8_t *ioca;
    size_t ioca_len, ioca_cap;
    size_t ioca_off;
    uint8_t (*res)[8];
    int n_res, cap_res;
} chk;

__attribute__((format(printf, 3, 4)))
static void problem(chk *c, size_t off, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->problems < MAX_PROBLEMS && c->fn)
        c->fn(c->ctx, off, msg);
    c->problems++;
}

/* The name of an 8-byte EBCDIC token for messages. */
static const char *name_str(const uint8_t *n8, char *buf)
{
    afp_ebcdic_to_utf8(500, n8, 8, buf, 32);
    for (size_t k = strlen(buf); k > 0 && buf[k - 1] == ' '; k--)
        buf[k - 1] = 0;
    return buf;
}

/* Check a triplet chain d[0..n) at file offset base; reports and returns
 * false on the first broken triplet. */
static bool check_triplets(chk *c, const sf_def *def, const uint8_t *d, size_t n, size_t base,
                           int *n_fqn_attr, int *n_value)
{
    size_t i = 0;
    while (i < n) {
        size_t tl = d[i];
        if (tl < 2 || i + tl > n) {
            problem(c, base + i, "%s: triplet length %zu %s", def->abbr, tl,
                    tl < 2 ? "is below 2" : "runs past the end of the field");
            return false;
        }
        uint8_t tid = d[i + 1];
        bool ok = true;
        switch (tid) {
        case TR_FQN: ok = tl >= 5 && tl <= 254; break;     /* name <= 250 bytes */
        case TR_ATTR_VALUE: ok = tl >= 4 && tl <= 254; break;
        case TR_LOCAL_ID: ok = tl == 4; break;
        case TR_FDS: ok = tl == 20; break;
        case TR_CGCSGID: ok = tl == 6; break;
        case TR_RESOURCE_TYPE: ok = tl == 10; break;
        case TR_ROTATION: ok = tl == 4; break;
        case TR_ATTR_QUAL: ok = tl == 10; break;
        default: break;
        }
        if (!ok) {
            problem(c, base + i, "%s: triplet X'%02X' has invalid length %zu", def->abbr, tid,
                    tl);
            return false;
        }
        if (tid == TR_FQN && d[i + 2] == FQN_ATTRIBUTE_GID && n_fqn_attr)
            (*n_fqn_attr)++;
        if (tid == TR_ATTR_VALUE && n_value)
            (*n_value)++;
        i += tl;
    }
    return true;
}

static bool cs_params_ok(uint8_t t, size_t np)
{
    switch (t & 0xFE) {
    case CS_AMI: case CS_AMB: case CS_RMI: case CS_RMB: case CS_SIM: case CS_SBI:
    case CS_SVI:
        return np == 2;
    case CS_SCFL: case CS_BSU: case CS_ESU: case CS_USC:
        return np == 1;
    case CS_TBM:
        return np >= 1;
    case CS_STO: return np == 4;
    case CS_SEC: return np >= 12 && np <= 14;
    case CS_STC: return np == 2 || np == 3;
    case CS_SIA: return np == 2 || np == 3;
    case CS_DIR: case CS_DBR: return np == 2 || np == 5;
    case CS_TRN: return np <= 253;
    case CS_BLN: return np == 0;
    case CS_RPS: return np >= 2;
    case CS_OVS: return np == 1 || np == 2;
    case CS_NOP: return true;
    default: return false;
    }
}

static bool cs_known(uint8_t t)
{
    switch (t & 0xFE) {
    case CS_AMI: case CS_AMB: case CS_RMI: case CS_RMB: case CS_SIM: case CS_SBI:
    case CS_SVI: case CS_SCFL: case CS_BSU: case CS_ESU: case CS_USC: case CS_TBM:
    case CS_STO: case CS_SEC: case CS_STC: case CS_SIA: case CS_DIR: case CS_DBR:
    case CS_TRN: case CS_BLN: case CS_RPS: case CS_OVS: case CS_NOP:
        return true;
    default:
        return false;
    }
}

static const char *cs_abbr(uint8_t t)
{
    switch (t & 0xFE) {
    case CS_AMI: return "AMI";
    case CS_AMB: return "AMB";
    case CS_RMI: return "RMI";
    case CS_RMB: return "RMB";
    case CS_SIM: return "SIM";
    case CS_SBI: return "SBI";
    case CS_SVI: return "SVI";
    case CS_SCFL: return "SCFL";
    case CS_BSU: return "BSU";
    case CS_ESU: return "ESU";
    case CS_USC: return "USC";
    case CS_TBM: return "TBM";
    case CS_STO: return "STO";
    case CS_SEC: return "SEC";
    case CS_STC: return "STC";
    case CS_SIA: return "SIA";
    case CS_DIR: return "DIR";
    case CS_DBR: return "DBR";
    case CS_TRN: return "TRN";
    case CS_BLN: return "BLN";
    case CS_RPS: return "RPS";
    case CS_OVS: return "OVS";
    case CS_NOP: return "NOP";
    default: return "?";
    }
}

/* One PTOCA event for walkers: a control sequence (type, params) or, with
 * type 0, code points outside control sequences. */
typedef void (*cs_fn)(void *ctx, uint8_t type, const uint8_t *p, size_t n);

/* Parse PTX data; on error *bad is the offset in d and why is set. */
static bool ptx_parse(const uint8_t *d, size_t n, cs_fn fn, void *ctx, size_t *bad, char *why,
                      size_t cap)
{
    size_t i = 0;
    if (n < 2 || d[0] != 0x2B || d[1] != 0xD3) {
        *bad = 0;
        snprintf(why, cap, "PTX data does not start with the control sequence escape 2BD3");
        return false;
    }
    while (i < n) {
        if (i + 1 < n && d[i] == 0x2B && d[i + 1] == 0xD3) {
            i += 2;
            bool chained = true;
            size_t last = i;
            while (chained) {
                if (i >= n) {
                    *bad = last;
                    snprintf(why, cap, "unterminated PTOCA chain: the control sequence at "
                             "this offset is chained but the PTX ends after it");
                    return false;
                }
                if (i + 2 > n || d[i] < 2 || i + d[i] > n) {
                    *bad = i;
                    snprintf(why, cap, "PTOCA control sequence length %u runs past the end of "
                             "the PTX", i < n ? (unsigned)d[i] : 0u);
                    return false;
                }
                uint8_t len = d[i], t = d[i + 1];
                if (!cs_known(t)) {
                    *bad = i;
                    snprintf(why, cap, "unknown PTOCA control sequence type X'%02X'", t);
                    return false;
                }
                if (!cs_params_ok(t, (size_t)len - 2)) {
                    *bad = i;
                    snprintf(why, cap, "PTOCA %s has invalid length %u", cs_abbr(t), len);
                    return false;
                }
                if (fn)
                    fn(ctx, t, d + i + 2, (size_t)len - 2);
                chained = t & 1;
                last = i;
                i += len;
            }
        } else {
            size_t s = i;
            while (i < n && !(i + 1 < n && d[i] == 0x2B && d[i + 1] == 0xD3))
                i++;
            if (fn)
                fn(ctx, 0, d + s, i - s);
        }
    }
    return true;
}

static void check_mcf(chk *c, const sf_view *v)
{
    size_t i = 0;
    if (v->n == 0)
        problem(c, v->off, "MCF without repeating groups");
    while (i < v->n) {
        if (i + 2 > v->n || afp_be16(v->d + i) < 2 || i + afp_be16(v->d + i) > v->n) {
            problem(c, v->doff + i, "MCF repeating group length runs past the field");
            return;
        }
        size_t rl = afp_be16(v->d + i);
        const uint8_t *g = v->d + i + 2;
        static const sf_def mcf = {SF_MCF, "MCF", "", 0, 0, 0, 0};
        if (!check_triplets(c, &mcf, g, rl - 2, v->doff + i + 2, NULL, NULL))
            return;
        bool lid = false, cf = false, cs = false, cpg = false;
        for (size_t k = 0; k + 2 <= rl - 2; k += g[k]) {
            /* issue 13 part 5: an FDS with a size is an outline font's: its
             * font usage flags say so (X'60'; X'00' is a raster font's) */
            if (g[k + 1] == TR_FDS && g[k] == 20 && afp_be16(g + k + 4) && g[k + 19] != 0x60)
                problem(c, v->doff + i + 2 + k, "MCF Font Descriptor Specification of an "
                        "outline font (height given) with font usage flags X'%02X', not X'60'",
                        g[k + 19]);
            if (g[k + 1] == TR_LOCAL_ID)
                lid = true;
            if (g[k + 1] == TR_FQN && g[k + 2] == FQN_CODED_FONT)
                cf = true;
            if (g[k + 1] == TR_FQN && g[k + 2] == FQN_CHARSET)
                cs = true;
            if (g[k + 1] == TR_FQN && g[k + 2] == FQN_CODE_PAGE)
                cpg = true;
        }
        if (!lid)
            problem(c, v->doff + i, "MCF repeating group without a Resource Local ID triplet");
        if (!cf && !(cs && cpg))
            problem(c, v->doff + i, "MCF repeating group names neither a coded font nor a "
                    "character set and code page");
        i += rl;
    }
}

/* ---- issue 13: image and graphics objects ---------------------------------- */

static void check_object_field(chk *c, const sf_view *v)
{
    char why[240], b1[32];
    if (v->id == SF_BIM) {
        c->ioca_len = 0;
        c->ioca_off = v->off;
        bool in_resource = c->st[c->depth].cont == C_BRS;
        if (in_resource && v->n >= 8) {
            if (c->n_res == c->cap_res) {
                int nc = c->cap_res ? c->cap_res * 2 : 16;
                void *nr = realloc(c->res, (size_t)nc * 8);
                if (!nr)
                    return;
                c->res = nr;
                c->cap_res = nc;
            }
            memcpy(c->res[c->n_res++], v->d, 8);
        }
    } else if (v->id == SF_IPD) {
        if (c->ioca_len + v->n > c->ioca_cap) {
            size_t nc = c->ioca_cap ? c->ioca_cap : 65536;
            while (nc < c->ioca_len + v->n)
                nc *= 2;
            uint8_t *nb = realloc(c->ioca, nc);
            if (!nb) {
                problem(c, v->off, "IPD: out of memory checking the image");
                return;
            }
            c->ioca = nb;
            c->ioca_cap = nc;
        }
        memcpy(c->ioca + c->ioca_len, v->d, v->n);
        c->ioca_len += v->n;
    } else if (v->id == SF_GAD) {
        if (!afp_goca_check(v->d, v->n, why, sizeof why))
            problem(c, v->off, "GAD: %s", why);
    } else if (v->id == SF_IOB) {
        if (v->n < 27) {
            problem(c, v->off, "IOB too short (%zu bytes, need 27)", v->n);
            return;
        }
        if (v->d[9] != 0xFB && v->d[9] != 0xBB && v->d[9] != 0x92 && v->d[9] != 0xDF)
            problem(c, v->off, "IOB: object type X'%02X' is not an image, graphics, "
                    "object container or overlay", v->d[9]);
        int k = 0;
        while (k < c->n_res && memcmp(c->res[k], v->d, 8))
            k++;
        if (v->d[9] == 0xFB && k == c->n_res)
            problem(c, v->off, "IOB includes image '%s', which is not in the file's resource "
                    "group", name_str(v->d, b1));
    }
}

static void check_image_end(chk *c, const sf_view *v)
{
    char why[240];
    if (c->ioca_len == 0)
        problem(c, v->off, "image object begun at offset 0x%zX has no image data (IPD)",
                c->ioca_off);
    else if (!afp_ioca_check(c->ioca, c->ioca_len, why, sizeof why))
        problem(c, v->off, "image object begun at offset 0x%zX: %s", c->ioca_off, why);
    c->ioca_len = 0;
}

static void check_field(chk *c, const sf_view *v)
{
    const sf_def *def = sf_find(v->id);
    char b1[32], b2[32];
    if (!def) {
        problem(c, v->off, "unknown structured field identifier %06X", v->id);
        return;
    }
    open_sf *top = &c->st[c->depth];
    /* issue 13 part 5: stricter readers (Parse::AFP) need every begin and
     * end field to carry its 8-byte name */
    if ((def->kind == K_BEGIN || def->kind == K_END) && v->n < 8)
        problem(c, v->off, "%s without a name (begin and end fields carry an 8-byte name)",
                def->abbr);
    if (def->kind == K_END) {
        int k = c->depth;
        while (k > 0 && c->st[k].cont != def->cont)
            k--;
        if (k == 0) {
            problem(c, v->off, "%s without a matching %s", def->abbr, CONT_BEGIN[def->cont]);
            return;
        }
        if (k != c->depth) {
            problem(c, v->off, "%s while %s begun at offset 0x%zX is still open (missing %s)",
                    def->abbr, CONT_BEGIN[top->cont], top->off, CONT_END[top->cont]);
        }
        open_sf *o = &c->st[k];
        if (v->n >= 8 && o->named && !(v->d[0] == 0xFF && v->d[1] == 0xFF)
            && memcmp(v->d, o->name, 8))
            problem(c, v->off, "%s name '%s' does not match %s '%s' at offset 0x%zX", def->abbr,
                    name_str(v->d, b1), CONT_BEGIN[o->cont], name_str(o->name, b2), o->off);
        if (def->cont == C_BAG && !o->seen_pgd)
            problem(c, v->off, "active environment group begun at offset 0x%zX has no PGD",
                    o->off);
        if (def->cont == C_BPG && !o->seen_bag)
            problem(c, v->off, "page begun at offset 0x%zX has no active environment group",
                    o->off);
        if (v->n > 8)
            check_triplets(c, def, v->d + 8, v->n - 8, v->doff + 8, NULL, NULL);
        if (def->cont == C_BIM)         /* issue 13: the image segment */
            check_image_end(c, v);
        c->depth = k - 1;
        if (def->cont == C_BAG)
            c->st[c->depth].seen_bag = true;
        return;
    }
    /* placement */
    if (def->parents != ANYWHERE && !(def->parents & P(top->cont))) {
        if (top->cont == C_FILE)
            problem(c, v->off, "%s outside of any document or resource group", def->abbr);
        else
            problem(c, v->off, "%s not allowed inside %s begun at offset 0x%zX (missing %s?)",
                    def->abbr, CONT_BEGIN[top->cont], top->off, CONT_END[top->cont]);
    }
    if (top->cont == C_BPG && top->children == 0 && v->id != SF_BAG && v->id != SF_NOP)
        problem(c, v->off, "%s: a page must begin with its active environment group (BAG)",
                def->abbr);
    if (v->id == SF_TLE && top->cont == C_BNG && top->seen_page)
        problem(c, v->off, "TLE after the first page of the group begun at offset 0x%zX",
                top->off);
    if (v->id == SF_PGD) {
        if (top->seen_pgd)
            problem(c, v->off, "second PGD in one active environment group");
        top->seen_pgd = true;
        if (v->n < 15)
            problem(c, v->off, "PGD too short (%zu bytes, need 15)", v->n);
    }
    if (v->id == SF_PTD && v->n < 10)
        problem(c, v->off, "PTD too short (%zu bytes)", v->n);
    if (v->id == SF_IMM && v->n < 8)
        problem(c, v->off, "IMM without a medium map name");
    /* BDT, BRS (trip 10): the 2 bytes after the name are reserved, X'0000' */
    if (def->trip == 10 && v->n > 8 && (v->n < 10 || v->d[8] || v->d[9]))
        problem(c, v->doff + 8, "%s: bytes 8-9 after the name are reserved and must be "
                "X'0000' (triplets start at byte 10)", def->abbr);
    if (v->id == SF_BPG)
        top->seen_page = true;
    top->children++;
    /* triplets */
    if (def->trip >= 0 && v->n > (size_t)def->trip) {
        int fa = 0, val = 0;
        bool ok = check_triplets(c, def, v->d + def->trip, v->n - (size_t)def->trip,
                                 v->doff + (size_t)def->trip, &fa, &val);
        if (ok && v->id == SF_TLE && (fa != 1 || val != 1))
            problem(c, v->off, "TLE must hold one attribute name (FQN type X'0B') and one "
                    "attribute value (X'36'), found %d and %d", fa, val);
    } else if (v->id == SF_TLE) {
        problem(c, v->off, "TLE without triplets");
    }
    if (v->id == SF_MCF)
        check_mcf(c, v);
    if (v->id == SF_IPD || v->id == SF_GAD || v->id == SF_IOB || v->id == SF_BIM)
        check_object_field(c, v);       /* issue 13 */
    if (v->id == SF_PTX) {
        size_t bad = 0;
        char why[200];
        if (!ptx_parse(v->d, v->n, NULL, NULL, &bad, why, sizeof why))
            problem(c, v->doff + bad, "%s", why);
    }
    if (def->kind == K_BEGIN) {
        if (c->depth + 1 >= MAX_DEPTH) {
            problem(c, v->off, "begin fields nested deeper than %d", MAX_DEPTH);
            return;
        }
        open_sf *o = &c->st[++c->depth];
        memset(o, 0, sizeof *o);
        o->cont = def->cont;
        o->off = v->off;
        if (v->n >= 8) {
            memcpy(o->name, v->d, 8);
            o->named = true;
        }
    }
}

unsigned afp_check(const uint8_t *buf, size_t len, afp_problem_fn fn, void *ctx)
{
    chk c = {.fn = fn, .ctx = ctx};
    c.st[0].cont = C_FILE;
    if (len == 0) {
        problem(&c, 0, "empty file");
        return c.problems;
    }
    size_t pos = 0, prev = 0, bad;
    bool have_doc = false;
    char why[256];
    sf_view v;
    /* framing first: a wrong length is reported as such, not as whatever its
     * field's contents then look like */
    while (pos < len) {
        size_t at = pos;
        if (!sf_next(buf, len, &pos, prev, &v, &bad, why, sizeof why)) {
            problem(&c, bad, "%s", why);
            return c.problems;
        }
        prev = at;
    }
    pos = prev = 0;
    while (pos < len) {
        sf_next(buf, len, &pos, prev, &v, &bad, why, sizeof why);
        if (v.id == SF_BDT)
            have_doc = true;
        check_field(&c, &v);
    }
    for (int k = c.depth; k > 0; k--)
        problem(&c, len, "end of file inside %s begun at offset 0x%zX (missing %s)",
                CONT_BEGIN[c.st[k].cont], c.st[k].off, CONT_END[c.st[k].cont]);
    if (!have_doc)
        problem(&c, 0, "no document (BDT) in the file");
    free(c.ioca);                    /* issue 13 */
    free(c.res);
    return c.problems;
}

typedef struct first_msg {
    char *msg;
    size_t cap;
    bool set;
} first_msg;

static void keep_first(void *ctx, size_t off, const char *reason)
{
    first_msg *f = ctx;
    if (!f->set && f->cap)
        snprintf(f->msg, f->cap, "offset 0x%zX: %s", off, reason);
    f->set = true;
}

bool afp_check_buffer(const uint8_t *buf, size_t len, char *msg, size_t cap)
{
    first_msg f = {msg, cap, false};
    if (cap)
        msg[0] = 0;
    return afp_check(buf, len, keep_first, &f) == 0;
}

/* ---- dump ------------------------------------------------------------------- */

/* issue 13 part 5: the code page of a document's names and values, from
 * the BDT's CGCSGID triplet (GCSGID 0 + CCSID 1200: UTF-16BE); 500 when
 * absent.  v must be a BDT. */
static int bdt_code_page(const sf_view *v)
{
    for (size_t i = 10; i + 2 <= v->n && v->d[i] >= 2 && i + v->d[i] <= v->n; i += v->d[i])
        if (v->d[i + 1] == TR_CGCSGID && v->d[i] == 6) {
            uint32_t g = afp_be16(v->d + i + 2), c = afp_be16(v->d + i + 4);
            return g == 0 && c == 1200 ? 1200 : (int)c;
        }
    return 500;
}

/* Append FQN / attribute value triplets of d[0..n) as text (values in code
 * page cp). */
static void describe_triplets(const uint8_t *d, size_t n, char *out, size_t cap, int cp)
{
    size_t o = strlen(out);
    for (size_t i = 0; i + 2 <= n && d[i] >= 2 && i + d[i] <= n; i += d[i]) {
        char s[520];
        const uint8_t *t = d + i;
        s[0] = 0;
        if (t[1] == TR_FQN && t[0] >= 5) {
            afp_ebcdic_to_utf8(t[2] == FQN_REPLACE_FIRST_GID || t[2] == FQN_ATTRIBUTE_GID
                               ? cp : 500, t + 4, t[0] - 4u, s, sizeof s);
            for (size_t k = strlen(s); k > 0 && s[k - 1] == ' '; k--)
                s[k - 1] = 0;
            const char *what = t[2] == FQN_REPLACE_FIRST_GID ? "full-name"
                             : t[2] == FQN_ATTRIBUTE_GID ? "attribute"
                             : t[2] == FQN_CODE_PAGE ? "code-page"
                             : t[2] == FQN_CHARSET ? "charset"
                             : t[2] == FQN_CODED_FONT ? "coded-font" : "fqn";
            folio_str_appendf(out, cap, &o, " %s='%s'", what, s);
        } else if (t[1] == TR_ATTR_VALUE && t[0] >= 4) {
            afp_ebcdic_to_utf8(cp, t + 4, t[0] - 4u, s, sizeof s);
            folio_str_appendf(out, cap, &o, " value='%s'", s);
        } else if (t[1] == TR_LOCAL_ID && t[0] == 4) {
            folio_str_appendf(out, cap, &o, " id=%u", t[3]);
        } else if (t[1] == TR_FDS && t[0] == 20) {
            folio_str_appendf(out, cap, &o, " size=%u/1440in",
                                  afp_be16(t + 4));
        } else if (t[1] == TR_CGCSGID && t[0] == 6) {
            folio_str_appendf(out, cap, &o, " gcsgid=%u cpgid=%u",
                                  afp_be16(t + 2), afp_be16(t + 4));
        }
        if (o + 1 >= cap)   /* full: folio_str_appendf cut the text */
            return;
    }
}

/* Inches with two decimals from 1/1440 units, integer arithmetic. */
static void inches(uint32_t units, char *buf, size_t cap)
{
    uint32_t h = (units * 100u + 720u) / 1440u;
    snprintf(buf, cap, "%u.%02u", h / 100u, h % 100u);
}

typedef struct ptx_sum {
    int cp;                                  /* issue 13 part 5 */
    unsigned n_cs;
    char text[96];
    size_t tl;
} ptx_sum;

static void ptx_summarise(void *ctx, uint8_t type, const uint8_t *p, size_t n)
{
    ptx_sum *s = ctx;
    if (type)
        s->n_cs++;
    if ((type & 0xFE) == CS_TRN && s->tl + 4 < sizeof s->text) {
        char u[600];
        afp_ebcdic_to_utf8(s->cp, p, n, u, sizeof u);
        size_t k = strlen(u);
        if (s->tl && s->tl + 1 < sizeof s->text - 4)
            s->text[s->tl++] = '|';
        if (k > sizeof s->text - 4 - s->tl)
            k = sizeof s->text - 4 - s->tl;
        memcpy(s->text + s->tl, u, k);
        s->tl += k;
        s->text[s->tl] = 0;
    }
}

static void describe(const sf_view *v, const sf_def *def, char *out, size_t cap, int cp)
{
    char a[64], b[64];
    out[0] = 0;
    if (!def)
        return;
    if (def->kind != K_OTHER || v->id == SF_IMM) {
        size_t t = def->kind == K_BEGIN && def->trip > 8 ? (size_t)def->trip : 8;
        if (v->n >= 8)
            snprintf(out, cap, "name='%s'", name_str(v->d, a));
        if (v->n > t)
            describe_triplets(v->d + t, v->n - t, out, cap, cp);
        return;
    }
    switch (v->id) {
    case SF_TLE: {
        describe_triplets(v->d, v->n, out, cap, cp);
        break;
    }
    case SF_PGD:
    case SF_PTD:
    case SF_MDD:
        if (v->n >= 12) {
            uint32_t x = afp_be24(v->d + 6), y = afp_be24(v->d + 9);
            inches(x * 14400u / (afp_be16(v->d + 2) ? afp_be16(v->d + 2) : 14400u) , a, sizeof a);
            inches(y * 14400u / (afp_be16(v->d + 4) ? afp_be16(v->d + 4) : 14400u), b, sizeof b);
            snprintf(out, cap, "units=%u/10in size=%ux%u (%s x %s in)", afp_be16(v->d + 2), x, y,
                     a, b);
        }
        break;
    case SF_MCF: {
        size_t o = 0;
        for (size_t i = 0; i + 2 <= v->n && afp_be16(v->d + i) >= 2
                           && i + afp_be16(v->d + i) <= v->n; i += afp_be16(v->d + i)) {
            char g[600] = "";
            describe_triplets(v->d + i + 2, afp_be16(v->d + i) - 2u, g, sizeof g, cp);
            folio_str_appendf(out, cap, &o, "%s[%s ]", o ? " " : "", g);
            if (o + 1 >= cap)   /* full: folio_str_appendf cut the text */
                break;
        }
        break;
    }
    case SF_MMC:
        if (v->n >= 4)
            snprintf(out, cap, "mmc=%u%s", v->d[0],
                     v->n >= 4 && v->d[2] == 0xF4 ? (v->d[3] == 0x01 ? " simplex"
                                                     : v->d[3] == 0x02 ? " duplex"
                                                     : " tumble") : "");
        break;
    case SF_PGP:
        if (v->n >= 1)
            snprintf(out, cap, "%zu side(s)", (v->n - 1) / 10);
        break;
    case SF_PTX: {
        ptx_sum s = {.cp = cp};
        size_t bad;
        char why[200];
        ptx_parse(v->d, v->n, ptx_summarise, &s, &bad, why, sizeof why);
        snprintf(out, cap, "%u control sequences, text '%s'", s.n_cs, s.text);
        break;
    }
    default:
        break;
    }
}

bool afp_dump(const uint8_t *buf, size_t len, FILE *out)
{
    size_t pos = 0, prev = 0, bad;
    char why[256], desc[2048];
    int cp = 500;
    while (pos < len) {
        sf_view v;
        size_t at = pos;
        if (!sf_next(buf, len, &pos, prev, &v, &bad, why, sizeof why))
            return false;
        prev = at;
        if (v.id == SF_BDT)
            cp = bdt_code_page(&v);
        const sf_def *def = sf_find(v.id);
        describe(&v, def, desc, sizeof desc, cp);
        fprintf(out, "%08zX %5zu %06X %-3s %s\n", v.off, v.len + 1, v.id,
                def ? def->abbr : "???", desc);
    }
    return true;
}

/* ---- text walker -------------------------------------------------------------- */

typedef struct walk {
    afp_text_fn fn;
    void *ctx;
    int code_page;
    uint32_t page;
    int32_t i, b;
    int font;
    /* pending run */
    bool pending;
    int32_t px, py;
    int pfont;
    char text[4096];
    size_t tl;
} walk;

static void walk_flush(walk *w)
{
    if (w->pending && w->fn)
        w->fn(w->ctx, w->page, w->px, w->py, w->pfont, w->text, w->tl);
    w->pending = false;
    w->tl = 0;
}

static void walk_cs(void *ctx, uint8_t type, const uint8_t *p, size_t n)
{
    walk *w = ctx;
    switch (type & 0xFE) {
    case CS_TRN:
        if (!w->pending) {
            w->pending = true;
            w->px = w->i;
            w->py = w->b;
            w->pfont = w->font;
        }
        if (w->tl + n * 2 + 1 < sizeof w->text)
            w->tl += afp_ebcdic_to_utf8(w->code_page, p, n, w->text + w->tl,
                                        sizeof w->text - w->tl);
        return;
    case 0:
        return;
    case CS_AMI:
        walk_flush(w);
        w->i = afp_sbe16(p);
        return;
    case CS_AMB:
        walk_flush(w);
        w->b = afp_sbe16(p);
        return;
    case CS_SCFL:
        walk_flush(w);
        w->font = p[0];
        return;
    case CS_SEC:
    case CS_STC:
    case CS_STO:
    case CS_NOP:
        return;                              /* no effect on the run */
    default:
        walk_flush(w);
        return;
    }
}

bool afp_walk_text(const uint8_t *buf, size_t len, int code_page, afp_text_fn fn, void *ctx)
{
    walk w = {.fn = fn, .ctx = ctx, .code_page = code_page};
    size_t pos = 0, prev = 0, bad;
    char why[256];
    while (pos < len) {
        sf_view v;
        size_t at = pos;
        if (!sf_next(buf, len, &pos, prev, &v, &bad, why, sizeof why))
            return false;
        prev = at;
        if (v.id == SF_BDT && code_page == 0)   /* issue 13 part 5: from the file */
            w.code_page = bdt_code_page(&v);
        if (v.id == SF_BPG) {
            w.page++;
            w.i = w.b = 0;
            w.font = 0;
        } else if (v.id == SF_PTX) {
            if (!ptx_parse(v.d, v.n, walk_cs, &w, &bad, why, sizeof why))
                return false;
        } else if (v.id == SF_EPT) {
            walk_flush(&w);
        }
    }
    walk_flush(&w);
    return true;
}
