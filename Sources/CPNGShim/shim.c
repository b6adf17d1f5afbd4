#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <png.h>
#include "cpng_shim.h"

/* Error handling follows the libpng manual, "Setting up error handling": png_error longjmps to
   png_jmpbuf; our error callback first records a message and a status. */
typedef struct {
    const unsigned char *data;
    size_t size;
    size_t offset;
    int status;
    char message[CN_PNG_MESSAGE_MAX];
} cn_png_state;

struct cn_png_decoder {
    png_structp png;
    png_infop info;
    cn_png_state state;
    int color_type;
    int bit_depth;
};

static void cn_png_error(png_structp png, png_const_charp text) {
    cn_png_state *st = (cn_png_state *)png_get_error_ptr(png);
    if (st->status == CN_PNG_OK) {
        st->status = CN_PNG_CORRUPT;
        strncpy(st->message, text ? text : "libpng error", CN_PNG_MESSAGE_MAX - 1);
        st->message[CN_PNG_MESSAGE_MAX - 1] = 0;
    }
    png_longjmp(png, 1);
}

static void cn_png_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

static void cn_png_read(png_structp png, png_bytep out, png_size_t length) {
    cn_png_state *st = (cn_png_state *)png_get_io_ptr(png);
    if (length > st->size - st->offset) {
        st->status = CN_PNG_TRUNCATED;
        snprintf(st->message, CN_PNG_MESSAGE_MAX, "the data ends early (needed %zu more bytes at offset %zu of %zu)",
                 (size_t)length, st->offset, st->size);
        png_error(png, st->message);
    }
    memcpy(out, st->data + st->offset, length);
    st->offset += length;
}

static int cn_png_report(cn_png_state *st, char *message) {
    if (message) { strncpy(message, st->message, CN_PNG_MESSAGE_MAX - 1); message[CN_PNG_MESSAGE_MAX - 1] = 0; }
    return st->status == CN_PNG_OK ? CN_PNG_CORRUPT : st->status;
}

int cn_png_open(const unsigned char *data, size_t size, cn_png_decoder **out, cn_png_info *info, char *message) {
    *out = NULL;
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        if (message) strcpy(message, "no PNG signature");
        return CN_PNG_NOT_PNG;
    }
    cn_png_decoder *d = (cn_png_decoder *)calloc(1, sizeof(cn_png_decoder));
    if (!d) { if (message) strcpy(message, "out of memory"); return CN_PNG_NOMEM; }
    d->state.data = data; d->state.size = size;
    d->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d->state, cn_png_error, cn_png_warning);
    if (!d->png) { free(d); if (message) strcpy(message, "out of memory"); return CN_PNG_NOMEM; }
    d->info = png_create_info_struct(d->png);
    if (!d->info) { png_destroy_read_struct(&d->png, NULL, NULL); free(d); if (message) strcpy(message, "out of memory"); return CN_PNG_NOMEM; }
    if (setjmp(png_jmpbuf(d->png))) {
        int status = cn_png_report(&d->state, message);
        png_destroy_read_struct(&d->png, &d->info, NULL);
        free(d);
        return status;
    }
    png_set_read_fn(d->png, &d->state, cn_png_read);
    /* Our own width x height limit is checked by the caller before any pixel allocation; lift
       libpng's per-side default (1,000,000) only as far as the PNG spec allows. */
    png_set_user_limits(d->png, 0x7fffffff, 0x7fffffff);
    png_read_info(d->png, d->info);
    png_uint_32 w, h; int depth, ctype, interlace;
    png_get_IHDR(d->png, d->info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    memset(info, 0, sizeof(*info));
    info->width = w; info->height = h; info->bit_depth = depth; info->color_type = ctype;
    info->interlaced = interlace != PNG_INTERLACE_NONE;
    info->channels = png_get_channels(d->png, d->info);
    info->raw_row_bytes = png_get_rowbytes(d->png, d->info);
    d->color_type = ctype; d->bit_depth = depth;
    png_colorp palette = NULL; int npal = 0;
    if (png_get_PLTE(d->png, d->info, &palette, &npal) & PNG_INFO_PLTE) {
        info->palette_count = npal;
        for (int i = 0; i < npal && i < 256; i++) {
            info->palette[3 * i] = palette[i].red; info->palette[3 * i + 1] = palette[i].green;
            info->palette[3 * i + 2] = palette[i].blue;
        }
    }
    png_bytep trans = NULL; int ntrans = 0; png_color_16p tcolor = NULL;
    if (png_get_tRNS(d->png, d->info, &trans, &ntrans, &tcolor) & PNG_INFO_tRNS) {
        if (ctype == PNG_COLOR_TYPE_PALETTE) {
            info->trns_count = ntrans;
            for (int i = 0; i < ntrans && i < 256; i++) info->trns_alpha[i] = trans[i];
        } else if (tcolor) {
            info->trns_count = 1;
            if (ctype == PNG_COLOR_TYPE_GRAY) info->trns_color[0] = tcolor->gray;
            else { info->trns_color[0] = tcolor->red; info->trns_color[1] = tcolor->green; info->trns_color[2] = tcolor->blue; }
        }
    }
    *out = d;
    return CN_PNG_OK;
}

int cn_png_decode(cn_png_decoder *d, int layout, unsigned char *dest, size_t stride, char *message) {
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(d->png))) {
        free(rows);
        return cn_png_report(&d->state, message);
    }
    png_structp png = d->png;
    if (layout != CN_PNG_OUT_RAW) {
        /* libpng manual, "Transformations you can do": expand palette / low-bit gray / tRNS,
           keep the high byte of 16-bit samples (Pillow's RGB;16B unpacker does the same). */
        png_set_expand(png);
        png_set_strip_16(png);
        int ctype = d->color_type;
        if (layout == CN_PNG_OUT_RGBA8) {
            if (ctype == PNG_COLOR_TYPE_GRAY || ctype == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
            png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
        } else {
            png_set_strip_alpha(png);
            if (ctype == PNG_COLOR_TYPE_RGB || ctype == PNG_COLOR_TYPE_RGB_ALPHA || ctype == PNG_COLOR_TYPE_PALETTE)
                png_set_rgb_to_gray_fixed(png, 1, 29900, 58700); /* ITU-R 601-2, as Pillow's convert("L") */
        }
    }
    int passes = png_set_interlace_handling(png);
    (void)passes;
    png_read_update_info(png, d->info);
    png_uint_32 height = png_get_image_height(png, d->info);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!rows) { d->state.status = CN_PNG_NOMEM; strcpy(d->state.message, "out of memory"); png_error(png, d->state.message); }
    size_t row_bytes = png_get_rowbytes(png, d->info);
    for (png_uint_32 y = 0; y < height; y++) {
        rows[y] = dest + (size_t)y * stride;
        /* png_combine_row keeps the padding bits of a sub-byte row's last byte: start from zero
           so raw rows are deterministic. */
        if (layout == CN_PNG_OUT_RAW && d->bit_depth < 8) rows[y][row_bytes - 1] = 0;
    }
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    return CN_PNG_OK;
}

void cn_png_close(cn_png_decoder *d) {
    if (!d) return;
    png_destroy_read_struct(&d->png, &d->info, NULL);
    free(d);
}

typedef struct {
    unsigned char *data;
    size_t size;
    size_t capacity;
    int failed;
} cn_png_sink;

static void cn_png_write(png_structp png, png_bytep bytes, png_size_t length) {
    cn_png_sink *sink = (cn_png_sink *)png_get_io_ptr(png);
    if (sink->size + length > sink->capacity) {
        size_t capacity = sink->capacity ? sink->capacity * 2 : 65536;
        while (capacity < sink->size + length) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(sink->data, capacity);
        if (!grown) { sink->failed = 1; png_error(png, "out of memory while encoding"); }
        sink->data = grown; sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, bytes, length);
    sink->size += length;
}

static void cn_png_flush(png_structp png) { (void)png; }

int cn_png_encode(const unsigned char *pixels, size_t stride, uint32_t width, uint32_t height,
                  int bit_depth, int color_type, const uint8_t *palette, int palette_count,
                  const uint8_t *trns_alpha, int trns_count, const uint16_t *trns_color,
                  int compression_level, int filters, int interlace,
                  unsigned char **out, size_t *out_size, char *message) {
    *out = NULL; *out_size = 0;
    cn_png_state *state = (cn_png_state *)calloc(1, sizeof(cn_png_state));
    cn_png_sink *sink = (cn_png_sink *)calloc(1, sizeof(cn_png_sink));
    png_bytep *rows = (png_bytep *)malloc(sizeof(png_bytep) * (height ? height : 1));
    if (!state || !sink || !rows) { free(state); free(sink); free(rows); if (message) strcpy(message, "out of memory"); return CN_PNG_NOMEM; }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, state, cn_png_error, cn_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        if (png) png_destroy_write_struct(&png, NULL);
        free(state); free(sink); free(rows);
        if (message) strcpy(message, "out of memory");
        return CN_PNG_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) {
        int status = cn_png_report(state, message);
        png_destroy_write_struct(&png, &info);
        free(sink->data); free(sink); free(state); free(rows);
        return status;
    }
    png_set_write_fn(png, sink, cn_png_write, cn_png_flush);
    png_set_compression_level(png, compression_level);
    if (filters >= 0) png_set_filter(png, 0, filters);
    png_set_IHDR(png, info, width, height, bit_depth, color_type, interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (color_type == PNG_COLOR_TYPE_PALETTE && palette_count > 0) {
        png_color colors[256];
        for (int i = 0; i < palette_count && i < 256; i++) {
            colors[i].red = palette[3 * i]; colors[i].green = palette[3 * i + 1]; colors[i].blue = palette[3 * i + 2];
        }
        png_set_PLTE(png, info, colors, palette_count);
    }
    if (trns_count > 0) {
        if (color_type == PNG_COLOR_TYPE_PALETTE) {
            png_set_tRNS(png, info, trns_alpha, trns_count, NULL);
        } else if (trns_color) {
            png_color_16 c; memset(&c, 0, sizeof c);
            c.gray = trns_color[0]; c.red = trns_color[0]; c.green = trns_color[1]; c.blue = trns_color[2];
            png_set_tRNS(png, info, NULL, 0, &c);
        }
    }
    png_write_info(png, info);
    if (interlace) png_set_interlace_handling(png);
    for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)y * stride);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *out = sink->data; *out_size = sink->size;
    free(sink); free(state); free(rows);
    return CN_PNG_OK;
}

void cn_png_free(void *buffer) { free(buffer); }
