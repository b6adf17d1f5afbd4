#ifndef CJPEG_SHIM_H
#define CJPEG_SHIM_H
/* A setjmp-guarded front for libjpeg-turbo (libjpeg62 API, see libjpeg.txt). Every function
   returns 0 on success or a CN_JPEG_* status and a message; libjpeg's default error handler
   (which calls exit()) is never installed. */
#include <stddef.h>
#include <stdint.h>

#define CN_JPEG_OK 0
#define CN_JPEG_CORRUPT 1      /* fatal libjpeg error or a data-damaging warning */
#define CN_JPEG_TRUNCATED 2    /* the data ended early (JWRN_JPEG_EOF) */
#define CN_JPEG_UNSUPPORTED 3  /* colour space we cannot convert */
#define CN_JPEG_NOMEM 4
#define CN_JPEG_MESSAGE_MAX 240

typedef struct cn_jpeg_decoder cn_jpeg_decoder;

typedef struct {
    int width;
    int height;
    int components;       /* components in the file (1 gray, 3 YCbCr/RGB, 4 CMYK/YCCK) */
    int color_space;      /* J_COLOR_SPACE of the file */
    int progressive;
    int adobe_cmyk;       /* CMYK data carries Adobe's inverted convention */
} cn_jpeg_info;

/* Output layouts. */
#define CN_JPEG_OUT_RGBA 0
#define CN_JPEG_OUT_RGB 1
#define CN_JPEG_OUT_GRAY 2

/* Creates a decoder over `size` bytes at `data` (not copied: keep them alive) and reads the header. */
int cn_jpeg_open(const unsigned char *data, size_t size, cn_jpeg_decoder **out, cn_jpeg_info *info,
                 char *message);
/* Decodes the whole image into `dest` (rows `stride` bytes apart) as `layout`.
   dct_method: 0 JDCT_ISLOW, 1 JDCT_IFAST, 2 JDCT_FLOAT; fancy: 1 for fancy upsampling.
   strict: 1 turns data-damaging warnings (truncation, bad Huffman codes, lost markers) into errors. */
int cn_jpeg_decode(cn_jpeg_decoder *decoder, int layout, int dct_method, int fancy, int strict,
                   unsigned char *dest, size_t stride, char *message);
void cn_jpeg_close(cn_jpeg_decoder *decoder);

/* Encodes `width` x `height` pixels (`layout` as above; RGBA ignores alpha) to a malloc'ed buffer
   (*out, *out_size; release with cn_jpeg_free). subsampling: 0 4:2:0, 1 4:2:2, 2 4:4:4. */
int cn_jpeg_encode(const unsigned char *pixels, size_t stride, int width, int height, int layout,
                   int quality, int subsampling, int progressive, int optimize, int dct_method,
                   unsigned char **out, unsigned long *out_size, char *message);
void cn_jpeg_free(void *buffer);
#endif
