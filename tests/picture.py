# SPDX-License-Identifier: MIT
"""Looking at an SVG as a picture, for the tests: render it with headless
Chromium (Debian's chromium, which scripts/setup installs) into a PNG and
decode that PNG with the standard library only. A test whose chromium is
missing skips (exit 77): setup installs it, so that happens only on a
machine set up by hand."""
import os
import shutil
import struct
import subprocess
import tempfile
import zlib

SKIP = 77


def chromium():
    """The chromium binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


def screenshot(svg_path, width, height, timeout=180):
    """PNG bytes of svg_path rendered at width x height, or raises."""
    exe = chromium()
    if not exe:
        raise FileNotFoundError("chromium")
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "shot.png")
        # As root chromium needs --no-sandbox; a profile of its own keeps runs apart.
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--user-data-dir=" + os.path.join(tmp, "profile"), "--screenshot=" + png,
               "--window-size=%d,%d" % (width, height), "file://" + os.path.abspath(svg_path)]
        subprocess.run(cmd, capture_output=True, timeout=timeout)
        with open(png, "rb") as f:
            return f.read()


def _unfilter(rows, width, bpp):
    out, prev = [], bytearray(width * bpp)
    for row in rows:
        kind, line = row[0], bytearray(row[1:])
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        out.append(bytes(line))
        prev = line
    return out


def pixels(png):
    """(width, height, rows of RGB(A) bytes, bytes per pixel) of an 8-bit PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(png):
        n, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", data[:10])
            assert depth == 8 and colour in (2, 6), "an 8-bit RGB(A) PNG"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = 1 + width * bpp
    rows = [raw[i * stride:(i + 1) * stride] for i in range(height)]
    return width, height, _unfilter(rows, width, bpp), bpp


def colour_stats(png):
    """(distinct colours, share of pixels that are not white) of a PNG."""
    w, h, rows, bpp = pixels(png)
    colours, ink = set(), 0
    for row in rows:
        for x in range(0, w * bpp, bpp):
            px = row[x:x + 3]
            colours.add(px)
            if px != b"\xff\xff\xff":
                ink += 1
    return len(colours), ink / float(w * h)
