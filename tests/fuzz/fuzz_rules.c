/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_rules: rules_compile (src/rules-compile.c) on the input as rule text;
 * when it compiles, rules_eval / rules_eval_explain / rules_value_format
 * (src/rules-eval.c, rules-fields.c) for every household of a small sample
 * run.  The first byte picks the wanted result type and the source position
 * (so messages are built with every combination of line/col/cont_col). */
#include "fuzz_world.h"
#include "folio/rules.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    fz_world_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    folio_rule_type want = (folio_rule_type)(sel % 5);
    folio_rule_source src = {sel & 0x08 ? "offers.yaml" : NULL, 1 + (sel >> 4), 1 + (sel & 7) * 9,
                             (sel & 0x80) ? 5 : 0};
    folio_error err = {0};
    folio_rule *r = rules_compile(text, len, NULL, want, &src, &err);
    if (!r) {
        fz_check_error(&err, "rules_compile");
        return 0;
    }
    folio_rule_type t = rules_result_type(r);
    if (want != FOLIO_RT_NONE && t != want)
        abort();
    if (strlen(rules_text(r)) > len)
        abort();
    for (size_t h = 0; h < W.hs.n; h++) {
        folio_rule_ctx ctx = {.ds = W.ds, .hs = &W.hs, .job = W.job, .hh = (uint32_t)h,
                              .today = W.job->statement_date,
                              .period_start = W.job->period_start,
                              .period_end = W.job->period_end,
                              .channel = h & 1 ? "email" : "print"};
        folio_rule_value v;
        rules_eval(r, &ctx, &v);
        char buf[96];
        size_t n = rules_value_format(t, &v, buf, sizeof buf);
        if (n >= sizeof buf || strlen(buf) != n)
            abort();
        if (t == FOLIO_RT_BOOL) {
            folio_rule_explain ex;
            bool b = rules_eval_explain(r, &ctx, &ex);
            if (b != rules_eval_bool(r, &ctx))
                abort();
            if (!b && (size_t)ex.failed_off + ex.failed_len > strlen(rules_text(r)))
                abort();
        }
    }
    rules_free(r);
    return 0;
}
