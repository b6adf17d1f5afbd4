#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>
#include "cjpeg_shim.h"

/* libjpeg.txt, "Error handling": a custom error_exit must not return; we longjmp back to the shim
   function that called into libjpeg, which reports the status. */
typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int status;
    int strict;
    char message[CN_JPEG_MESSAGE_MAX];
} cn_error_mgr;

static void cn_error_exit(j_common_ptr cinfo) {
    cn_error_mgr *err = (cn_error_mgr *)cinfo->err;
    if (err->status == CN_JPEG_OK) {
        err->status = CN_JPEG_CORRUPT;
        (*cinfo->err->format_message)(cinfo, err->message);
    }
    longjmp(err->jump, 1);
}

static void cn_emit_message(j_common_ptr cinfo, int level) {
    cn_error_mgr *err = (cn_error_mgr *)cinfo->err;
    if (level >= 0) return; /* trace messages */
    err->pub.num_warnings++;
    if (!err->strict) return;
    int code = err->pub.msg_code;
    int status = CN_JPEG_OK;
    if (code == JWRN_JPEG_EOF) status = CN_JPEG_TRUNCATED;
    else if (code == JWRN_HUFF_BAD_CODE || code == JWRN_ARITH_BAD_CODE || code == JWRN_HIT_MARKER ||
             code == JWRN_MUST_RESYNC || code == JWRN_NOT_SEQUENTIAL)
        status = CN_JPEG_CORRUPT;
    if (status != CN_JPEG_OK) {
        err->status = status;
        (*cinfo->err->format_message)(cinfo, err->message);
        longjmp(err->jump, 1);
    }
}

static void cn_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void cn_init_error(cn_error_mgr *err) {
    jpeg_std_error(&err->pub);
    err->pub.error_exit = cn_error_exit;
    err->pub.emit_message = cn_emit_message;
    err->pub.output_message = cn_output_message;
    err->status = CN_JPEG_OK;
    err->strict = 1;
    err->message[0] = 0;
}

static int cn_report(cn_error_mgr *err, char *message) {
    if (message) {
        strncpy(message, err->message, CN_JPEG_MESSAGE_MAX - 1);
        message[CN_JPEG_MESSAGE_MAX - 1] = 0;
    }
    return err->status == CN_JPEG_OK ? CN_JPEG_CORRUPT : err->status;
}

struct cn_jpeg_decoder {
    struct jpeg_decompress_struct cinfo;
    cn_error_mgr err;
    int created;
};

int cn_jpeg_open(const unsigned char *data, size_t size, cn_jpeg_decoder **out, cn_jpeg_info *info,
                 char *message) {
    *out = NULL;
    cn_jpeg_decoder *d = (cn_jpeg_decoder *)calloc(1, sizeof(cn_jpeg_decoder));
    if (!d) { if (message) strcpy(message, "out of memory"); return CN_JPEG_NOMEM; }
    d->cinfo.err = &d->err.pub;
    cn_init_error(&d->err);
    if (setjmp(d->err.jump)) {
        int status = cn_report(&d->err, message);
        if (d->created) jpeg_destroy_decompress(&d->cinfo);
        free(d);
        return status;
    }
    jpeg_CreateDecompress(&d->cinfo, JPEG_LIB_VERSION, sizeof(struct jpeg_decompress_struct));
    d->created = 1;
    jpeg_mem_src(&d->cinfo, data, (unsigned long)size);
    jpeg_save_markers(&d->cinfo, JPEG_APP0 + 14, 0);
    jpeg_read_header(&d->cinfo, TRUE);
    info->width = (int)d->cinfo.image_width;
    info->height = (int)d->cinfo.image_height;
    info->components = d->cinfo.num_components;
    info->color_space = (int)d->cinfo.jpeg_color_space;
    info->progressive = d->cinfo.progressive_mode ? 1 : 0;
    info->adobe_cmyk = d->cinfo.saw_Adobe_marker ? 1 : 0;
    *out = d;
    return CN_JPEG_OK;
}

/* CMYK -> RGB exactly as Pillow (libImaging/Convert.c cmyk2rgb: R = nk - c * nk / 255 with
   nk = 255 - k, MULDIV255 rounding). Files with an Adobe APP14 marker store inverted CMYK, which
   Pillow reads as "CMYK;I"; we undo the inversion the same way. */
static inline int cn_muldiv255(int a, int b) { int t = a * b + 128; return ((t >> 8) + t) >> 8; }

static void cn_cmyk_row(const unsigned char *src, unsigned char *dst, int width, int layout, int inverted) {
    for (int x = 0; x < width; x++) {
        int c = src[4 * x], m = src[4 * x + 1], y = src[4 * x + 2], k = src[4 * x + 3];
        if (inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        int nk = 255 - k;
        int r = nk - cn_muldiv255(c, nk), g = nk - cn_muldiv255(m, nk), b = nk - cn_muldiv255(y, nk);
        if (layout == CN_JPEG_OUT_GRAY) {
            dst[x] = (unsigned char)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
        } else if (layout == CN_JPEG_OUT_RGB) {
            dst[3 * x] = (unsigned char)r; dst[3 * x + 1] = (unsigned char)g; dst[3 * x + 2] = (unsigned char)b;
        } else {
            dst[4 * x] = (unsigned char)r; dst[4 * x + 1] = (unsigned char)g; dst[4 * x + 2] = (unsigned char)b;
            dst[4 * x + 3] = 255;
        }
    }
}

int cn_jpeg_decode(cn_jpeg_decoder *d, int layout, int dct_method, int fancy, int strict,
                   unsigned char *dest, size_t stride, char *message) {
    struct jpeg_decompress_struct *cinfo = &d->cinfo;
    unsigned char *volatile cmyk_row = NULL;
    d->err.strict = strict;
    if (setjmp(d->err.jump)) {
        free(cmyk_row);
        int status = cn_report(&d->err, message);
        jpeg_abort_decompress(cinfo);
        return status;
    }
    int cmyk = (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK);
    if (cmyk) {
        cinfo->out_color_space = JCS_CMYK;
    } else if (layout == CN_JPEG_OUT_GRAY) {
        cinfo->out_color_space = JCS_GRAYSCALE;
    } else if (layout == CN_JPEG_OUT_RGB) {
        cinfo->out_color_space = JCS_RGB;
    } else {
        cinfo->out_color_space = JCS_EXT_RGBA;
    }
    cinfo->dct_method = dct_method == 1 ? JDCT_IFAST : (dct_method == 2 ? JDCT_FLOAT : JDCT_ISLOW);
    cinfo->do_fancy_upsampling = fancy ? TRUE : FALSE;
    jpeg_start_decompress(cinfo);
    int width = (int)cinfo->output_width;
    if (cmyk) {
        cmyk_row = (unsigned char *)malloc((size_t)width * 4);
        if (!cmyk_row) { d->err.status = CN_JPEG_NOMEM; strcpy(d->err.message, "out of memory"); longjmp(d->err.jump, 1); }
    }
    /* Decode straight into the destination, up to rec_outbuf_height rows per call (libjpeg.txt,
       "Decompression details": jpeg_read_scanlines may return fewer rows than asked). */
    JSAMPROW rows[16];
    while (cinfo->output_scanline < cinfo->output_height) {
        if (cmyk) {
            JSAMPROW row = cmyk_row;
            unsigned y = cinfo->output_scanline;
            if (jpeg_read_scanlines(cinfo, &row, 1) == 1)
                cn_cmyk_row(cmyk_row, dest + (size_t)y * stride, width, layout, cinfo->saw_Adobe_marker);
            continue;
        }
        unsigned y = cinfo->output_scanline;
        unsigned count = cinfo->output_height - y;
        if (count > 16) count = 16;
        for (unsigned i = 0; i < count; i++) rows[i] = dest + (size_t)(y + i) * stride;
        jpeg_read_scanlines(cinfo, rows, count);
    }
    jpeg_finish_decompress(cinfo);
    free(cmyk_row);
    return CN_JPEG_OK;
}

void cn_jpeg_close(cn_jpeg_decoder *d) {
    if (!d) return;
    if (d->created) jpeg_destroy_decompress(&d->cinfo);
    free(d);
}

int cn_jpeg_encode(const unsigned char *pixels, size_t stride, int width, int height, int layout,
                   int quality, int subsampling, int progressive, int optimize, int dct_method,
                   unsigned char **out, unsigned long *out_size, char *message) {
    struct jpeg_compress_struct cinfo;
    cn_error_mgr err;
    /* The output pointer lives on the heap: libjpeg writes it through a pointer, and a local
       would be indeterminate after longjmp. */
    unsigned char **cell = (unsigned char **)calloc(1, sizeof(unsigned char *));
    unsigned long *size_cell = (unsigned long *)calloc(1, sizeof(unsigned long));
    volatile int created = 0;
    *out = NULL; *out_size = 0;
    if (!cell || !size_cell) { free(cell); free(size_cell); if (message) strcpy(message, "out of memory"); return CN_JPEG_NOMEM; }
    cinfo.err = &err.pub;
    cn_init_error(&err);
    if (setjmp(err.jump)) {
        int status = cn_report(&err, message);
        if (created) jpeg_destroy_compress(&cinfo);
        free(*cell); free(cell); free(size_cell);
        return status;
    }
    jpeg_CreateCompress(&cinfo, JPEG_LIB_VERSION, sizeof(struct jpeg_compress_struct));
    created = 1;
    jpeg_mem_dest(&cinfo, cell, size_cell);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    if (layout == CN_JPEG_OUT_GRAY) { cinfo.input_components = 1; cinfo.in_color_space = JCS_GRAYSCALE; }
    else if (layout == CN_JPEG_OUT_RGB) { cinfo.input_components = 3; cinfo.in_color_space = JCS_RGB; }
    else { cinfo.input_components = 4; cinfo.in_color_space = JCS_EXT_RGBA; }
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    cinfo.dct_method = dct_method == 1 ? JDCT_IFAST : (dct_method == 2 ? JDCT_FLOAT : JDCT_ISLOW);
    cinfo.optimize_coding = optimize ? TRUE : FALSE;
    if (layout != CN_JPEG_OUT_GRAY) {
        int h = subsampling == 2 ? 1 : 2, v = subsampling == 0 ? 2 : 1;
        cinfo.comp_info[0].h_samp_factor = h; cinfo.comp_info[0].v_samp_factor = v;
        cinfo.comp_info[1].h_samp_factor = 1; cinfo.comp_info[1].v_samp_factor = 1;
        cinfo.comp_info[2].h_samp_factor = 1; cinfo.comp_info[2].v_samp_factor = 1;
    }
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    JSAMPROW rows[16];
    while (cinfo.next_scanline < cinfo.image_height) {
        unsigned y = cinfo.next_scanline;
        unsigned count = cinfo.image_height - y;
        if (count > 16) count = 16;
        for (unsigned i = 0; i < count; i++) rows[i] = (JSAMPROW)(pixels + (size_t)(y + i) * stride);
        jpeg_write_scanlines(&cinfo, rows, count);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = *cell; *out_size = *size_cell;
    free(cell); free(size_cell);
    return CN_JPEG_OK;
}

void cn_jpeg_free(void *buffer) { free(buffer); }
