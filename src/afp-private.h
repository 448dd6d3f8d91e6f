/* SPDX-License-Identifier: Apache-2.0 */
/*
 * afp-private.h -- (private) shared by src/afp-*.c: structured field ids,
 * triplet and PTOCA codes, big-endian helpers.
 *
 * A structured field (MO:DCA):
 *
 *   OFFSET SIZE  DESCRIPTION
 *   0      1     0x5A carriage control
 *   1      2     length, big endian: counts itself and everything after it
 *                (8 .. 32767), i.e. the field is 1 + length bytes
 *   3      3     identifier: class 0xD3, type, category (table below)
 *   6      1     flags: 0x80 extension present, 0x20 segmented, 0x08 padding
 *   7      2     reserved, 0
 *   9      ..    data (begin/end fields: an 8-byte name first, then triplets)
 *
 * A triplet: length (1, counts itself), id (1), contents.  A PTOCA control
 * sequence inside PTX: length (1, counts itself and the type), type (1; odd =
 * chained: the next sequence follows without an escape), parameters; an
 * unchained sequence must be preceded by the escape 0x2B 0xD3.
 */
#ifndef FOLIO_AFP_PRIVATE_H
#define FOLIO_AFP_PRIVATE_H

#include "folio/afp.h"

#include <stdint.h>
#include <string.h>

/* structured field identifiers */
#define SF_BDT 0xD3A8A8u  /* Begin Document */
#define SF_EDT 0xD3A9A8u
#define SF_BRG 0xD3A8C6u  /* Begin Resource Group */
#define SF_ERG 0xD3A9C6u
#define SF_BRS 0xD3A8CEu  /* Begin Resource */
#define SF_ERS 0xD3A9CEu
#define SF_BFM 0xD3A8CDu  /* Begin Form Map */
#define SF_EFM 0xD3A9CDu
#define SF_BDG 0xD3A8C4u  /* Begin Document Environment Group */
#define SF_EDG 0xD3A9C4u
#define SF_BMM 0xD3A8CCu  /* Begin Medium Map */
#define SF_EMM 0xD3A9CCu
#define SF_MDD 0xD3A688u  /* Medium Descriptor */
#define SF_MCC 0xD3A288u  /* Medium Copy Count */
#define SF_MMC 0xD3A788u  /* Medium Modification Control */
#define SF_PGP 0xD3B1AFu  /* Page Position (format 2) */
#define SF_BNG 0xD3A8ADu  /* Begin Named Page Group */
#define SF_ENG 0xD3A9ADu
#define SF_TLE 0xD3A090u  /* Tag Logical Element */
#define SF_IMM 0xD3ABCCu  /* Invoke Medium Map */
#define SF_BPG 0xD3A8AFu  /* Begin Page */
#define SF_EPG 0xD3A9AFu
#define SF_BAG 0xD3A8C9u  /* Begin Active Environment Group */
#define SF_EAG 0xD3A9C9u
#define SF_MCF 0xD3AB8Au  /* Map Coded Font (format 2) */
#define SF_PGD 0xD3A6AFu  /* Page Descriptor */
#define SF_PTD 0xD3B19Bu  /* Presentation Text Descriptor (format 2) */
#define SF_BPT 0xD3A89Bu  /* Begin Presentation Text Object */
#define SF_EPT 0xD3A99Bu
#define SF_PTX 0xD3EE9Bu  /* Presentation Text Data */
#define SF_NOP 0xD3EEEEu  /* No Operation */

#define AFP_SF_MAX 32767u              /* largest length field */
#define AFP_SF_HEAD 9u                 /* 0x5A + 8-byte introducer */

/* triplets */
#define TR_CGCSGID 0x01
#define TR_FQN 0x02                    /* type, format (0x00 = characters), name */
#define TR_FDS 0x1F                    /* Font Descriptor Specification, 20 bytes */
#define TR_RESOURCE_TYPE 0x21          /* Resource Object Type (BRS), 10 bytes */
#define TR_LOCAL_ID 0x24               /* Resource Local Identifier: type, id */
#define TR_ROTATION 0x26
#define TR_ATTR_VALUE 0x36             /* reserved (2), value */
#define TR_ATTR_QUAL 0x80

#define FQN_REPLACE_FIRST_GID 0x01
#define FQN_ATTRIBUTE_GID 0x0B
#define FQN_CODE_PAGE 0x85
#define FQN_CHARSET 0x86
#define FQN_MEDIUM_MAP 0x8D
#define FQN_CODED_FONT 0x8E

/* PTOCA control sequence types (unchained; | 1 = chained) */
#define CS_SEC 0x80   /* Set Extended Text Color */
#define CS_STC 0x74   /* Set Text Color */
#define CS_SIM 0xC0
#define CS_SIA 0xC2
#define CS_SVI 0xC4
#define CS_AMI 0xC6   /* Absolute Move Inline */
#define CS_RMI 0xC8
#define CS_SBI 0xD0
#define CS_AMB 0xD2   /* Absolute Move Baseline */
#define CS_RMB 0xD4
#define CS_BLN 0xD8
#define CS_TRN 0xDA   /* Transparent Data */
#define CS_DIR 0xE4   /* Draw I-axis Rule */
#define CS_DBR 0xE6   /* Draw B-axis Rule */
#define CS_RPS 0xEE
#define CS_SCFL 0xF0  /* Set Coded Font Local */
#define CS_BSU 0xF2
#define CS_ESU 0xF4
#define CS_STO 0xF6   /* Set Text Orientation */
#define CS_NOP 0xF8
#define CS_OVS 0x72
#define CS_USC 0x76
#define CS_TBM 0x78

static inline uint32_t afp_be16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }
static inline uint32_t afp_be24(const uint8_t *p)
{
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static inline int32_t afp_sbe16(const uint8_t *p) { return (int16_t)afp_be16(p); }

/* Upper-case ASCII name (<= 8 chars) -> 8 EBCDIC bytes padded with 0x40. */
void afp_name8(const char *ascii, uint8_t out[8]);

/* Code page tables (afp-codepage.c): NULL for an unsupported code page. */
const uint8_t *afp_cp_from_ucs(int code_page);
const uint16_t *afp_cp_to_ucs(int code_page);

/* UTF-8 -> EBCDIC through table t (afp_cp_from_ucs), `sub` for what the
 * code page lacks; the first distinct substituted code points go to
 * examples[0..max) (0 = free slot). */
size_t afp_transcode_table(const uint8_t *t, uint8_t sub, const char *utf8, size_t n,
                           uint8_t *out, size_t cap, uint64_t *substituted,
                           uint32_t *examples, int max_examples);

/* issue 13 part 5: UTF-8 -> UTF-16BE (code page 1200; cap >= 2n always
 * suffices).  Controls and invalid bytes become `sub` (ASCII) and are
 * counted like afp_transcode_table's; everything else is kept. */
size_t afp_transcode_utf16(char sub, const char *utf8, size_t n, uint8_t *out, size_t cap,
                           uint64_t *substituted, uint32_t *examples, int max_examples);

#endif
