"""Image-format fixtures for ImageFormatsTest, made by PIL as users' tools make them.

Run with Debian's python3 (python3-pil, python3-numpy):
    /usr/bin/python3 src/test/resources/images/make_format_fixtures.py
Writes formats/<name>.<ext> and formats/expected.json: for each file, PIL's decoded pixels (8-bit RGB, RGBA or L,
what PIL's convert gives for the mode named there; the high byte of 16-bit grey), width, height and whether the
format is lossy; for the files with an EXIF orientation also "viewed:<name>", the pixels after PIL's
ImageOps.exif_transpose. The source is
a seeded 40x30 picture: smooth gradients (what photos are mostly made of) and a few hard edges.
"""
import base64
import json
import os
import subprocess

import numpy as np
from PIL import Image, ImageOps

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "formats")
W, H = 40, 30


def picture():
    rng = np.random.default_rng(25)
    y, x = np.mgrid[0:H, 0:W]
    r = (x * 255 / (W - 1))
    g = (y * 255 / (H - 1))
    b = 128 + 100 * np.sin(x / 5.0) * np.cos(y / 4.0)
    rgb = np.stack([r, g, b], axis=-1)
    rgb[5:12, 8:20] = [250, 20, 30]  # a red block with hard edges
    rgb[18:26, 25:33] = [10, 200, 90]
    rgb += rng.normal(0, 2, rgb.shape)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def main():
    os.makedirs(HERE, exist_ok=True)
    rgb = Image.fromarray(picture(), "RGB")
    alpha = Image.fromarray(np.tile(np.linspace(0, 255, W).astype(np.uint8), (H, 1)), "L")
    rgba = rgb.copy()
    rgba.putalpha(alpha)
    grey = rgb.convert("L")
    grey16 = Image.fromarray((np.asarray(grey).astype(np.uint16) * 257), "I;16")
    palette = rgb.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    cases = [
        # name, image, format, save options, mode of the expected pixels, lossy
        ("rgb.png", rgb, "PNG", {}, "RGB", False),
        ("rgba.png", rgba, "PNG", {}, "RGBA", False),
        ("grey.png", grey, "PNG", {}, "L", False),
        ("grey16.png", grey16, "PNG", {}, "L16", False),
        ("palette.png", palette, "PNG", {}, "RGB", False),
        ("baseline.jpg", rgb, "JPEG", {"quality": 92}, "RGB", True),
        ("progressive.JPG", rgb, "JPEG", {"quality": 92, "progressive": True}, "RGB", True),
        ("cmyk.jpg", rgb.convert("CMYK"), "JPEG", {"quality": 95}, "RGB", True),
        ("grey.jpeg", grey, "JPEG", {"quality": 92}, "L", True),
        ("lossy.webp", rgb, "WEBP", {"quality": 90}, "RGB", True),
        ("lossless.webp", rgb, "WEBP", {"lossless": True}, "RGB", False),
        ("alpha.webp", rgba, "WEBP", {"lossless": True}, "RGBA", False),
        ("plain.tif", rgb, "TIFF", {}, "RGB", False),
        ("lzw.tiff", rgb, "TIFF", {"compression": "tiff_lzw"}, "RGB", False),
        ("deflate.tif", rgba, "TIFF", {"compression": "tiff_adobe_deflate"}, "RGBA", False),
        ("grey.tif", grey, "TIFF", {}, "L", False),
        ("rgb.bmp", rgb, "BMP", {}, "RGB", False),
        ("palette.gif", palette, "GIF", {}, "RGB", False),
    ]
    # EXIF orientation (what cameras write instead of turning the pixels): 6 = turn 90 degrees clockwise to view,
    # 8 = counter-clockwise, 3 = half a turn, 2 = mirrored. expected-oriented holds the pixels as viewed.
    def exif(orientation):
        e = Image.Exif()
        e[0x0112] = orientation
        return e.tobytes()
    oriented = [
        ("oriented6.jpg", rgb, "JPEG", {"quality": 95, "exif": exif(6)}, "RGB", True),
        ("oriented8.webp", rgb, "WEBP", {"lossless": True, "exif": exif(8)}, "RGB", False),
        ("oriented3.tif", rgb, "TIFF", {"tiffinfo": {0x0112: 3}}, "RGB", False),
        ("oriented2.jpg", rgb, "JPEG", {"quality": 95, "exif": exif(2)}, "RGB", True),
    ]
    cases += oriented
    expected = {}
    for name, img, fmt, options, mode, lossy in oriented:
        img.save(os.path.join(HERE, name), fmt, **options)
        if fmt == "TIFF":
            # PIL's libtiff path already turns an oriented TIFF as it reads it (and exif_transpose would turn it
            # twice): the stored pixels are the source's, the viewed ones the source turned.
            viewed = img.transpose(Image.Transpose.ROTATE_180)
        else:
            viewed = ImageOps.exif_transpose(Image.open(os.path.join(HERE, name))).convert(mode)
        expected["viewed:" + name] = {"width": viewed.width, "height": viewed.height, "mode": mode, "lossy": lossy,
                                      "pixels": base64.b64encode(np.asarray(viewed).tobytes()).decode("ascii")}
    for name, img, fmt, options, mode, lossy in cases:
        path = os.path.join(HERE, name)
        img.save(path, fmt, **options)
        back = img if name == "oriented3.tif" else Image.open(path)
        if mode == "L16":
            pixels = (np.asarray(back).astype(np.uint32) >> 8).astype(np.uint8)  # the high byte
            mode = "L"
        else:
            pixels = np.asarray(back.convert(mode))
        expected[name] = {"width": W, "height": H, "mode": mode, "lossy": lossy,
                          "pixels": base64.b64encode(pixels.tobytes()).decode("ascii")}
    # YCCK (what Photoshop writes for CMYK): PIL cannot write it, libjpeg can (ycck_writer.c, needs gcc and
    # libjpeg62-turbo-dev); the same picture's CMYK, stored inverted as Adobe-marked JPEGs keep it
    helper = os.path.join(HERE, "..", "ycck_writer")
    subprocess.check_call(["gcc", "-O2", "-o", helper, os.path.join(HERE, "..", "ycck_writer.c"), "-ljpeg"])
    raw = os.path.join(HERE, "..", "ycck.raw")
    (255 - np.asarray(rgb.convert("CMYK"))).astype(np.uint8).tofile(raw)
    path = os.path.join(HERE, "ycck.jpg")
    subprocess.check_call([helper, raw, str(W), str(H), path])
    os.remove(raw)
    os.remove(helper)
    back = Image.open(path)
    assert back.mode == "CMYK"
    expected["ycck.jpg"] = {"width": W, "height": H, "mode": "RGB", "lossy": True,
                            "pixels": base64.b64encode(np.asarray(back.convert("RGB")).tobytes()).decode("ascii")}
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
