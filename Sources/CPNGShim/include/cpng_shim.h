#ifndef CPNG_SHIM_H
#define CPNG_SHIM_H
/* A setjmp-guarded front for libpng's classic API (libpng manual, sections III "Reading" and
   IV "Writing"). Raw mode applies no transforms, so samples come out bit-exact; the RGBA8 and
   GRAY8 modes let libpng expand, strip and convert straight into the destination rows. */
#include <stddef.h>
#include <stdint.h>

#define CN_PNG_OK 0
#define CN_PNG_CORRUPT 1
#define CN_PNG_TRUNCATED 2
#define CN_PNG_NOT_PNG 3
#define CN_PNG_NOMEM 4
#define CN_PNG_MESSAGE_MAX 240

#define CN_PNG_OUT_RAW 0
#define CN_PNG_OUT_RGBA8 1
#define CN_PNG_OUT_GRAY8 2

typedef struct cn_png_decoder cn_png_decoder;

typedef struct {
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int color_type;      /* PNG_COLOR_TYPE_*: 0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA */
    int interlaced;
    int channels;
    size_t raw_row_bytes;
    int palette_count;
    uint8_t palette[256 * 3];
    int trns_count;       /* palette alpha entries, or 1 when a gray/RGB tRNS colour is present */
    uint8_t trns_alpha[256];
    uint16_t trns_color[3]; /* gray in [0], or RGB */
} cn_png_info;

/* Opens `size` bytes at `data` (kept, not copied) and reads everything up to the image data. */
int cn_png_open(const unsigned char *data, size_t size, cn_png_decoder **out, cn_png_info *info, char *message);
/* Reads all rows into `dest` (`stride` bytes apart) in `layout`. RAW rows are the PNG's own
   (16-bit samples big-endian, sub-byte pixels packed MSB first). */
int cn_png_decode(cn_png_decoder *decoder, int layout, unsigned char *dest, size_t stride, char *message);
void cn_png_close(cn_png_decoder *decoder);

/* Encodes raw rows in the given PNG format to a malloc'ed buffer (release with cn_png_free).
   palette/trns may be NULL when their counts are 0; trns_count < 0 means none. */
int cn_png_encode(const unsigned char *rows, size_t stride, uint32_t width, uint32_t height,
                  int bit_depth, int color_type, const uint8_t *palette, int palette_count,
                  const uint8_t *trns_alpha, int trns_count, const uint16_t *trns_color,
                  int compression_level, int filters, int interlace,
                  unsigned char **out, size_t *out_size, char *message);
void cn_png_free(void *buffer);
#endif
