/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: images and paths (issue 13 parts 1, 2): src/image.c,
 * src/graphics.c placement, src/pdf-image.c operators, src/afp-image.c
 * IOCA and GOCA checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afp-image.h"
#include "folio/graphics.h"
#include "folio/image.h"
#include "pdf-image.h"

/* A PNG of w x h pixels in `format` from `px` (libpng's writer). */
static unsigned char *make_png(int w, int h, png_uint_32 format, const void *px, size_t *n)
{
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = (png_uint_32)w;
    pi.height = (png_uint_32)h;
    pi.format = format;
    png_alloc_size_t sz = 0;
    assert_true(png_image_write_to_memory(&pi, NULL, &sz, 0, px, 0, NULL));
    unsigned char *b = malloc(sz);
    assert_non_null(b);
    assert_true(png_image_write_to_memory(&pi, b, &sz, 0, px, 0, NULL));
    *n = sz;
    return b;
}

/* Alpha is flattened onto white; opaque pixels keep their colour. */
static void test_png_alpha_flattened(void **state)
{
    (void)state;
    uint8_t px[2 * 1 * 4] = {200, 10, 20, 255, 0, 0, 0, 0};   /* opaque, fully clear */
    size_t n;
    unsigned char *b = make_png(2, 1, PNG_FORMAT_RGBA, px, &n);
    char why[200] = "";
    folio_image *img = image_load_mem("a.png", b, n, why, sizeof why);
    assert_non_null(img);
    assert_int_equal(img->kind, FOLIO_IMAGE_PNG);
    assert_int_equal(img->comps, 3);
    assert_int_equal(img->px_w, 2);
    assert_int_equal(img->px_h, 1);
    assert_int_equal(img->len, 6);
    assert_memory_equal(img->data, ((uint8_t[]){200, 10, 20, 255, 255, 255}), 6);
    assert_true(img->zlen > 0);
    assert_int_equal(img->dpi_x, 72);
    image_free(img);
    free(b);
}

/* 16-bit samples come out as 8-bit; gray stays one component. */
static void test_png_16bit_and_gray(void **state)
{
    (void)state;
    uint16_t px16[3 * 2] = {65535, 0, 0, 0, 65535, 0};
    size_t n;
    unsigned char *b = make_png(2, 1, PNG_FORMAT_LINEAR_RGB, px16, &n);
    char why[200] = "";
    folio_image *img = image_load_mem("b.png", b, n, why, sizeof why);
    assert_non_null(img);
    assert_int_equal(img->len, 6);
    assert_int_equal(img->data[0], 255);
    assert_int_equal(img->data[1], 0);
    assert_int_equal(img->data[4], 255);
    image_free(img);
    free(b);
    uint8_t g[4] = {0, 80, 160, 255};
    b = make_png(4, 1, PNG_FORMAT_GRAY, g, &n);
    img = image_load_mem("g.png", b, n, why, sizeof why);
    assert_non_null(img);
    assert_int_equal(img->comps, 1);
    assert_memory_equal(img->data, g, 4);
    image_free(img);
    free(b);
}

static void test_bad_images(void **state)
{
    (void)state;
    char why[200];
    assert_null(image_load_mem("x", (const unsigned char *)"hello world", 11, why, sizeof why));
    assert_string_equal(why, "not a PNG or JPEG image");
    uint8_t px[4] = {1, 2, 3, 4};
    size_t n;
    unsigned char *b = make_png(1, 1, PNG_FORMAT_RGBA, px, &n);
    assert_null(image_load_mem("t.png", b, 40, why, sizeof why));     /* truncated */
    assert_non_null(strstr(why, "PNG"));
    free(b);
    assert_null(image_load("/nonexistent/logo.png", why, sizeof why));
    assert_non_null(strstr(why, "cannot read it"));
}

/* A JPEG's header: size, components, JFIF density; CMYK and lossless refused. */
static void test_jpeg_header(void **state)
{
    (void)state;
    uint8_t j[] = {0xFF, 0xD8,
                   0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 1, 0x01, 0x2C, 0x00,
                   0x96, 0, 0,                                   /* 300 x 150 dpi */
                   0xFF, 0xC0, 0x00, 0x11, 8, 0x00, 0x14, 0x00, 0x1E, 3,
                   1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
                   0xFF, 0xD9};
    char why[200] = "";
    folio_image *img = image_load_mem("p.jpg", j, sizeof j, why, sizeof why);
    assert_non_null(img);
    assert_int_equal(img->kind, FOLIO_IMAGE_JPEG);
    assert_int_equal(img->px_w, 30);
    assert_int_equal(img->px_h, 20);
    assert_int_equal(img->comps, 3);
    assert_int_equal(img->dpi_x, 300);
    assert_int_equal(img->dpi_y, 150);
    assert_int_equal(img->len, sizeof j);
    image_free(img);
    j[29] = 4;                                                   /* CMYK */
    assert_null(image_load_mem("c.jpg", j, sizeof j, why, sizeof why));
    assert_non_null(strstr(why, "CMYK"));
    j[29] = 3;
    j[21] = 0xC3;                                                /* lossless */
    assert_null(image_load_mem("l.jpg", j, sizeof j, why, sizeof why));
    assert_non_null(strstr(why, "unsupported JPEG coding"));
}

/* contain / cover / none inside a 300 x 100 unit box. */
static void test_placement(void **state)
{
    (void)state;
    folio_image img = {.px_w = 40, .px_h = 40, .dpi_x = 144, .dpi_y = 144};
    folio_layout_image e = {.x = 1000, .y = 2000, .w = 300, .h = 100};
    int32_t x, y, w, h;
    e.fit = FOLIO_FIT_CONTAIN;
    graphics_image_place(&e, &img, &x, &y, &w, &h);
    assert_int_equal(w, 100);
    assert_int_equal(h, 100);
    assert_int_equal(x, 1100);
    assert_int_equal(y, 2000);
    e.fit = FOLIO_FIT_COVER;
    graphics_image_place(&e, &img, &x, &y, &w, &h);
    assert_int_equal(w, 300);
    assert_int_equal(h, 300);
    assert_int_equal(x, 1000);
    assert_int_equal(y, 1900);
    e.fit = FOLIO_FIT_NONE;                 /* 40 px at 144 dpi = 400 units */
    graphics_image_place(&e, &img, &x, &y, &w, &h);
    assert_int_equal(w, 400);
    assert_int_equal(h, 400);
    assert_int_equal(x, 1000);
    assert_int_equal(y, 2000);
}

/* The PDF operators of a path and of an image. */
static void test_pdf_operators(void **state)
{
    (void)state;
    folio_dl_seg segs[4] = {{FOLIO_SEG_MOVE, 20, 40, 0, 0, 0, 0},
                            {FOLIO_SEG_LINE, 30, 50, 0, 0, 0, 0},
                            {FOLIO_SEG_CURVE, 60, 40, 40, 60, 50, 60},
                            {FOLIO_SEG_CLOSE, 0, 0, 0, 0, 0, 0}};
    folio_dl_path path = {4, segs};
    folio_dl_op op = {.kind = FOLIO_DL_PATH, .flags = FOLIO_PATH_STROKE | FOLIO_PATH_FILL,
                      .color = 0xFF0000, .stroke = 0x0000FF, .line_w = 30, .path = &path};
    char buf[512];
    assert_true(pdf_graphic_bound(&op) < sizeof buf);
    char *e = pdf_graphic_put(buf, &op, 200, 0);
    *e = 0;
    assert_string_equal(buf, "q\n1.5 w 1 J 1 j\n1 0.000 0.000 RG\n0.000 0.000 1 rg\n"
                             "1 8 m\n1.5 7.5 l\n2 7 2.5 7 3 8 c\nh\nB\nQ\n");
    folio_image img = {.px_w = 2, .px_h = 1};
    folio_dl_op io = {.kind = FOLIO_DL_IMAGE, .image = &img, .x = 100, .y = 40, .w = 60,
                      .h = 20, .x2 = 110, .y2 = 40, .line_w = 40, .size = 20};
    e = pdf_graphic_put(buf, &io, 200, 3);
    *e = 0;
    assert_string_equal(buf, "q\n5.5 7 2 1 re W n\n3 0 0 1 5 7 cm\n/X3 Do\nQ\n");
}

/* IOCA image segments: a good one passes; wrong data length, a missing end
 * and an unknown field are reported. */
static void test_ioca_check(void **state)
{
    (void)state;
    uint8_t s[] = {0x70, 0x00, 0x91, 0x01, 0xFF,
                   0x94, 0x09, 0x00, 0x00, 0x48, 0x00, 0x48, 0x00, 0x02, 0x00, 0x01,
                   0x95, 0x02, 0x03, 0x01, 0x96, 0x01, 24,
                   0x9B, 0x08, 0x00, 0x01, 0, 0, 0, 8, 8, 8,
                   0xFE, 0x92, 0x00, 0x06, 1, 2, 3, 4, 5, 6,
                   0x93, 0x00, 0x71, 0x00};
    char why[240];
    assert_true(afp_ioca_check(s, sizeof s, why, sizeof why));
    assert_false(afp_ioca_check(s, sizeof s - 2, why, sizeof why));
    assert_non_null(strstr(why, "does not end"));
    s[22] = 16;                         /* 16-bit IDEs: 6 bytes no longer fit 2 x 1 */
    assert_false(afp_ioca_check(s, sizeof s, why, sizeof why));
    assert_non_null(strstr(why, "uncompressed image data"));
    s[22] = 24;
    s[23] = 0x9C;
    assert_false(afp_ioca_check(s, sizeof s, why, sizeof why));
    assert_non_null(strstr(why, "unknown self-defining field"));
    uint8_t g[] = {0x21, 4, 0, 1, 0, 2, 0x81, 4, 0, 3, 0, 4, 0x1A, 3};
    assert_true(afp_goca_check(g, sizeof g, why, sizeof why));
    g[7] = 3;
    assert_false(afp_goca_check(g, sizeof g, why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_alpha_flattened),
        cmocka_unit_test(test_png_16bit_and_gray),
        cmocka_unit_test(test_bad_images),
        cmocka_unit_test(test_jpeg_header),
        cmocka_unit_test(test_placement),
        cmocka_unit_test(test_pdf_operators),
        cmocka_unit_test(test_ioca_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
