/* SPDX-License-Identifier: Apache-2.0 */
/* account-mask.c -- an account number as the layout shows it (account-mask.h). */
#include "account-mask.h"

#include <string.h>

const char *account_display(const folio_layout *L, const char *id, char *buf, size_t cap,
                            size_t *len)
{
    size_t n = strlen(id);
    if (!L->mask_account_numbers || n <= 4) {
        *len = n;
        return id;
    }
    if (cap < 13) {                     /* never more than the mask shows */
        *len = 0;
        return "";
    }
    size_t out = 0;
    for (size_t i = 0; i + 4 < n && i < 8; i++)
        buf[out++] = L->mask_char ? L->mask_char : '*';
    memcpy(buf + out, id + n - 4, 4);
    out += 4;
    buf[out] = 0;
    *len = out;
    return buf;
}
