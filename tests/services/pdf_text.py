"""The text of an fpdf2 PDF with one embedded Unicode font: the page streams decoded through
the font's ToUnicode map. Enough to check what a generated PDF says, without a PDF library."""

from __future__ import annotations

import re
import zlib

_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _streams(pdf: bytes) -> list[bytes]:
    found = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            found.append(zlib.decompress(match.group(1)))
        except zlib.error:
            found.append(match.group(1))
    return found


def _literal_strings(content: bytes) -> list[bytes]:
    """The literal strings shown with Tj, escapes undone."""
    strings, i = [], 0
    while (start := content.find(b"(", i)) != -1:
        depth, j, out = 1, start + 1, bytearray()
        while depth:
            char = content[j : j + 1]
            if char == b"\\":
                following = content[j + 1 : j + 2]
                octal = re.match(rb"[0-7]{1,3}", content[j + 1 : j + 4])
                if octal:
                    out.append(int(octal.group(0), 8) & 0xFF)
                    j += 1 + len(octal.group(0))
                    continue
                out += _ESCAPES.get(following, following)
                j += 2
                continue
            if char == b"(":
                depth += 1
            elif char == b")":
                depth -= 1
                if not depth:
                    break
            out += char
            j += 1
        if content[j + 1 : j + 5].strip().startswith(b"Tj"):
            strings.append(bytes(out))
        i = j + 1
    return strings


def text(pdf: bytes) -> str:
    streams = _streams(pdf)
    mapping: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                mapping[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    lines = []
    for stream in streams:
        if b"Tj" not in stream:
            continue
        for raw in _literal_strings(stream):
            codes = [int.from_bytes(raw[k : k + 2], "big") for k in range(0, len(raw) - 1, 2)]
            lines.append("".join(mapping.get(c, "?") for c in codes))
    return "\n".join(lines)
