"""Pillow side of scripts/bench/codecs: the same operations on the same files as cn-bench-codecs.

Prints "RESULT <op> <images/s> <Mpixel/s> <images per CPU-s> <Mpixel per CPU-s>" lines (best of
ROUNDS rounds of at least SECONDS each; CPU time = time.process_time of this single-threaded process).
"""
import io
import sys
import time

from PIL import Image


def measure(name, pixels, seconds, rounds, body):
    body()
    best = 0.0
    best_cpu = 0.0
    for _ in range(rounds):
        count = 0
        start = time.perf_counter()
        cpu_start = time.process_time()
        while True:
            body()
            count += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        best = max(best, count / elapsed)
        best_cpu = max(best_cpu, count / max(1e-9, time.process_time() - cpu_start))
    print(f"RESULT {name} {best:.2f} {best * pixels / 1e6:.2f} {best_cpu:.2f} {best_cpu * pixels / 1e6:.2f}", flush=True)


def main():
    jpeg_path, png_path, seconds, rounds = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    jpeg_bytes = open(jpeg_path, "rb").read()
    png_bytes = open(png_path, "rb").read()

    def decode(data, mode=None):
        im = Image.open(io.BytesIO(data))
        im.load()
        return im.convert(mode) if mode else im

    rgb = decode(jpeg_bytes)
    jpeg_pixels = rgb.width * rgb.height
    png_image = decode(png_bytes)
    png_pixels = png_image.width * png_image.height
    rgba = rgb.convert("RGBA")

    measure("jpeg-decode-rgb", jpeg_pixels, seconds, rounds, lambda: decode(jpeg_bytes))
    measure("jpeg-decode-rgba", jpeg_pixels, seconds, rounds, lambda: decode(jpeg_bytes, "RGBA"))
    # Pillow cannot write RGBA as JPEG; it encodes the RGB image (our encoder reads RGBA directly)
    measure("jpeg-encode", jpeg_pixels, seconds, rounds,
            lambda: rgb.save(io.BytesIO(), "JPEG", quality=90, subsampling="4:2:0"))
    # Pillow resizes RGBA in premultiplied form (RGBa), as the Swift side does
    measure("resize-area-down", jpeg_pixels, seconds, rounds, lambda: rgba.resize((256, 192), Image.BOX))
    small = rgba.resize((256, 192), Image.BOX)
    measure("resize-bicubic-up", 512 * 384, seconds, rounds, lambda: small.resize((512, 384), Image.BICUBIC))
    measure("png-decode", png_pixels, seconds, rounds, lambda: decode(png_bytes))
    measure("png-decode-rgba", png_pixels, seconds, rounds, lambda: decode(png_bytes, "RGBA"))
    measure("png-encode", png_pixels, seconds, rounds, lambda: png_image.save(io.BytesIO(), "PNG", compress_level=6))


if __name__ == "__main__":
    main()
