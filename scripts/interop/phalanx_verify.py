#!/usr/bin/env python3
"""Verify Phalanx signatures without Swift: proof that the canonical encoding can be reproduced elsewhere.

Phalanx signs the deterministic CBOR encoding (RFC 8949 section 4.2.1) of the array
["phalanx-sig-v1", payloadType, payload], where payload is itself the canonical encoding of the object
(a byte string). This program carries its own strict decoder and encoder for that subset of CBOR, written
from the rules in docs/canonical-encoding.md rather than from the Swift code:

  * integers (major 0 and 1), byte strings, UTF-8 text, definite arrays and maps, false/true/null, floats;
  * every head in its shortest form; no indefinite lengths, tags, undefined or other simple values;
  * map keys are text strings, unique, sorted by the bytes of their encodings (shorter first, then bytewise);
  * floats in the shortest of half/single/double that holds them exactly; NaN and infinities refused;
  * nesting at most 64 deep; no bytes after the top-level item.

Usage:
  python3 scripts/interop/phalanx_verify.py VECTORS.json   check every vector, one "ok" line each
  python3 scripts/interop/phalanx_verify.py --self-test    check the codec against RFC 8949 Appendix A

Exit status: 0 when everything matched, 1 when a vector or self-test check failed, 2 when the input could
not be read. Needs Python 3.9+ and the `cryptography` package (pip install cryptography).
"""

import argparse
import base64
import binascii
import json
import math
import struct
import sys

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
except ImportError:  # pragma: no cover - depends on the machine
    Ed25519PrivateKey = None

MAX_DEPTH = 64
SIGNATURE_CONTEXT = "phalanx-sig-v1"


class CanonicalError(Exception):
    """Bytes that are not a canonical encoding, or a value that has none."""

    def __init__(self, message, offset=None):
        super().__init__(message if offset is None else "at byte %d: %s" % (offset, message))
        self.offset = offset


class Mismatch(Exception):
    """A vector whose fields disagree with each other."""


# ---------------------------------------------------------------------------------------------------------
# Encoder


def _head(major, argument):
    """The shortest head for a major type and argument."""
    if argument < 24:
        return bytes([major << 5 | argument])
    if argument <= 0xFF:
        return bytes([major << 5 | 24, argument])
    if argument <= 0xFFFF:
        return bytes([major << 5 | 25]) + struct.pack(">H", argument)
    if argument <= 0xFFFFFFFF:
        return bytes([major << 5 | 26]) + struct.pack(">I", argument)
    return bytes([major << 5 | 27]) + struct.pack(">Q", argument)


def _same_float(a, b):
    """Equal including the sign of zero."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _encode_float(value):
    if math.isnan(value) or math.isinf(value):
        raise CanonicalError("NaN and infinities cannot be encoded")
    for marker, fmt in ((0xF9, ">e"), (0xFA, ">f")):
        try:
            packed = struct.pack(fmt, value)
        except (OverflowError, struct.error):
            continue
        if _same_float(struct.unpack(fmt, packed)[0], value):
            return bytes([marker]) + packed
    return b"\xfb" + struct.pack(">d", value)


def _encode_text(text):
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalError("text contains a lone surrogate, which is not valid UTF-8") from None
    return _head(3, len(data)) + data


def encode(value, depth=0):
    """The deterministic CBOR encoding of a Python value (bool, int, float, bytes, str, list, dict, None)."""
    if value is None:
        return b"\xf6"
    if value is False:
        return b"\xf4"
    if value is True:
        return b"\xf5"
    if isinstance(value, int):
        if 0 <= value <= 0xFFFFFFFFFFFFFFFF:
            return _head(0, value)
        if -(2**64) <= value < 0:
            return _head(1, -1 - value)
        raise CanonicalError("integer %d is outside the 64-bit range of CBOR major types 0 and 1" % value)
    if isinstance(value, float):
        return _encode_float(value)
    if isinstance(value, (bytes, bytearray)):
        return _head(2, len(value)) + bytes(value)
    if isinstance(value, str):
        return _encode_text(value)
    if isinstance(value, (list, tuple)):
        if depth >= MAX_DEPTH:
            raise CanonicalError("nesting deeper than %d" % MAX_DEPTH)
        return _head(4, len(value)) + b"".join(encode(item, depth + 1) for item in value)
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            raise CanonicalError("nesting deeper than %d" % MAX_DEPTH)
        entries = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalError("map keys must be text strings")
            entries.append((_encode_text(key), encode(item, depth + 1)))
        # Canonical order is the bytewise order of the encoded keys (RFC 8949 section 4.2.1).
        entries.sort(key=lambda entry: entry[0])
        return _head(5, len(entries)) + b"".join(key + item for key, item in entries)
    raise CanonicalError("no canonical encoding for Python type %s" % type(value).__name__)


# ---------------------------------------------------------------------------------------------------------
# Strict decoder


class _Reader:
    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def _take(self, count, start):
        if len(self.data) - self.pos < count:
            raise CanonicalError("input ends inside an item", start)
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def _argument(self, major, info, start):
        if info < 24:
            return info
        if 24 <= info <= 27:
            width = 1 << (info - 24)
            argument = int.from_bytes(self._take(width, start), "big")
            minimum = 24 if info == 24 else 1 << (4 * width)
            if argument < minimum:
                raise CanonicalError("argument %d is not in its shortest head" % argument, start)
            return argument
        if info == 31 and 2 <= major <= 5:
            raise CanonicalError("indefinite-length items are not allowed", start)
        raise CanonicalError("additional information %d is reserved for major type %d" % (info, major), start)

    def _length(self, length, per_unit, start, what):
        available = len(self.data) - self.pos
        if length > available // per_unit:
            raise CanonicalError("%s declares length %d but only %d bytes remain" % (what, length, available), start)
        return length

    def value(self, depth=0):
        start = self.pos
        if self.pos >= len(self.data):
            raise CanonicalError("input ends where an item was expected", start)
        initial = self.data[self.pos]
        self.pos += 1
        major, info = initial >> 5, initial & 0x1F
        if major == 0:
            return self._argument(major, info, start)
        if major == 1:
            return -1 - self._argument(major, info, start)
        if major == 2:
            length = self._length(self._argument(major, info, start), 1, start, "byte string")
            return self._take(length, start)
        if major == 3:
            length = self._length(self._argument(major, info, start), 1, start, "text string")
            try:
                return self._take(length, start).decode("utf-8", errors="strict")
            except UnicodeDecodeError:
                raise CanonicalError("text string is not valid UTF-8", start) from None
        if major == 4:
            length = self._argument(major, info, start)
            if depth >= MAX_DEPTH:
                raise CanonicalError("nesting deeper than %d" % MAX_DEPTH, start)
            length = self._length(length, 1, start, "array")
            return [self.value(depth + 1) for _ in range(length)]
        if major == 5:
            length = self._argument(major, info, start)
            if depth >= MAX_DEPTH:
                raise CanonicalError("nesting deeper than %d" % MAX_DEPTH, start)
            length = self._length(length, 2, start, "map")
            result = {}
            previous = None
            for _ in range(length):
                key_start = self.pos
                key = self.value(depth + 1)
                if not isinstance(key, str):
                    raise CanonicalError("map keys must be text strings", key_start)
                encoded_key = self.data[key_start:self.pos]
                if previous is not None and encoded_key == previous:
                    raise CanonicalError("map key occurs more than once", key_start)
                if previous is not None and encoded_key < previous:
                    raise CanonicalError("map keys are not in canonical order", key_start)
                previous = encoded_key
                result[key] = self.value(depth + 1)
            return result
        if major == 6:
            raise CanonicalError("tags are not allowed", start)
        return self._simple_or_float(info, start)

    def _simple_or_float(self, info, start):
        if info == 20:
            return False
        if info == 21:
            return True
        if info == 22:
            return None
        if info in (25, 26, 27):
            fmt = {25: ">e", 26: ">f", 27: ">d"}[info]
            value = struct.unpack(fmt, self._take(struct.calcsize(fmt), start))[0]
            if math.isnan(value) or math.isinf(value):
                raise CanonicalError("NaN and infinities are not allowed", start)
            if _encode_float(value) != self.data[start:self.pos]:
                raise CanonicalError("float %r is not in its shortest exact width" % value, start)
            return value
        if info == 31:
            raise CanonicalError("break code outside an indefinite-length item", start)
        if info >= 28:
            raise CanonicalError("additional information %d is reserved" % info, start)
        raise CanonicalError("simple values other than false, true and null are not allowed", start)


def decode(data):
    """Decodes bytes that must be exactly one canonical item."""
    reader = _Reader(data)
    value = reader.value()
    if reader.pos != len(reader.data):
        raise CanonicalError("%d bytes follow the top-level item" % (len(reader.data) - reader.pos), reader.pos)
    return value


# ---------------------------------------------------------------------------------------------------------
# Vector checks


def _describe(path):
    return path or "(top level)"


def check_matches(value, obj, path=""):
    """Raises Mismatch unless the decoded CBOR value equals the JSON object (bytes appear as base64)."""
    if isinstance(value, bool) or value is None:
        if obj is not value:
            raise Mismatch("%s: payload has %r, object has %r" % (_describe(path), value, obj))
    elif isinstance(value, (int, float)):
        if isinstance(obj, bool) or not isinstance(obj, (int, float)) or value != obj:
            raise Mismatch("%s: payload has number %r, object has %r" % (_describe(path), value, obj))
    elif isinstance(value, bytes):
        try:
            decoded = base64.b64decode(obj, validate=True) if isinstance(obj, str) else None
        except binascii.Error:
            decoded = None
        if decoded != value:
            raise Mismatch("%s: payload has a %d-byte string that the object's base64 does not match"
                           % (_describe(path), len(value)))
    elif isinstance(value, str):
        if obj != value:
            raise Mismatch("%s: payload has text %r, object has %r" % (_describe(path), value, obj))
    elif isinstance(value, list):
        if not isinstance(obj, list) or len(obj) != len(value):
            raise Mismatch("%s: payload has an array of %d, object has %r" % (_describe(path), len(value), obj))
        for index, (item, expected) in enumerate(zip(value, obj)):
            check_matches(item, expected, "%s[%d]" % (path, index))
    elif isinstance(value, dict):
        if not isinstance(obj, dict) or set(obj) != set(value):
            expected_keys = sorted(obj) if isinstance(obj, dict) else obj
            raise Mismatch("%s: payload has keys %s, object has %s" % (_describe(path), sorted(value), expected_keys))
        for key, item in value.items():
            check_matches(item, obj[key], key if not path else "%s.%s" % (path, key))
    else:  # pragma: no cover - decode() returns no other types
        raise Mismatch("%s: unexpected decoded type %s" % (_describe(path), type(value).__name__))


def signature_message(payload_type, payload):
    """The exact bytes Phalanx signs."""
    return encode([SIGNATURE_CONTEXT, payload_type, payload])


def _hex_field(vector, name, length=None):
    text = vector.get(name)
    if not isinstance(text, str):
        raise Mismatch("field %r is missing or not a hex string" % name)
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise Mismatch("field %r is not valid hex" % name) from None
    if length is not None and len(data) != length:
        raise Mismatch("field %r has %d bytes, expected %d" % (name, len(data), length))
    return data


def _verifies(public_key, signature, message):
    try:
        public_key.verify(signature, message)
        return True
    except InvalidSignature:
        return False


def check_vector(vector):
    """Runs every check on one vector; raises Mismatch or CanonicalError on the first failure."""
    seed = _hex_field(vector, "seed", 32)
    public_key_bytes = _hex_field(vector, "publicKey", 32)
    payload = _hex_field(vector, "payload")
    message = _hex_field(vector, "message")
    signature = _hex_field(vector, "signature", 64)
    payload_type = vector.get("payloadType")
    if not isinstance(payload_type, str):
        raise Mismatch("field 'payloadType' is missing or not a string")
    if "object" not in vector:
        raise Mismatch("field 'object' is missing")

    try:
        value = decode(payload)
    except CanonicalError as error:
        raise Mismatch("payload is not canonical: %s" % error) from None
    if encode(value) != payload:
        raise Mismatch("payload does not re-encode to the same bytes")
    check_matches(value, vector["object"])

    expected_message = signature_message(payload_type, payload)
    if expected_message != message:
        raise Mismatch("message differs from the canonical encoding of [%r, payloadType, payload]" % SIGNATURE_CONTEXT)

    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    derived = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if derived != public_key_bytes:
        raise Mismatch("publicKey is not the key derived from seed")
    public_key = Ed25519PublicKey.from_public_bytes(public_key_bytes)
    if not _verifies(public_key, signature, message):
        raise Mismatch("signature does not verify over message")
    if private_key.sign(message) != signature:
        raise Mismatch("re-signing message gives a different signature (Ed25519 is deterministic)")

    tampered = bytearray(payload)
    for bit in range(len(payload) * 8):
        tampered[bit // 8] ^= 1 << (bit % 8)
        if _verifies(public_key, signature, signature_message(payload_type, bytes(tampered))):
            raise Mismatch("signature still verifies with payload bit %d flipped" % bit)
        tampered[bit // 8] ^= 1 << (bit % 8)


def verify_file(path):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        print("error: cannot read vectors from %s: %s" % (path, error), file=sys.stderr)
        return 2
    vectors = document.get("vectors") if isinstance(document, dict) else None
    if not isinstance(vectors, list) or not vectors:
        print("error: %s has no non-empty \"vectors\" array" % path, file=sys.stderr)
        return 2
    failures = 0
    for index, vector in enumerate(vectors):
        description = "vector %d" % index
        if isinstance(vector, dict):
            description = vector.get("description", description)
        try:
            if not isinstance(vector, dict):
                raise Mismatch("vector is not a JSON object")
            check_vector(vector)
        except (Mismatch, CanonicalError) as error:
            failures += 1
            print("FAIL %s: %s" % (description, error), file=sys.stderr)
            continue
        print("ok  %s" % description)
    if failures:
        print("error: %d of %d vectors failed; the Swift and Python encodings disagree or a vector is corrupt"
              % (failures, len(vectors)), file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------------------------------------------------
# Self-test

# (value, hex) from RFC 8949 Appendix A, restricted to Phalanx's data model.
RFC_VECTORS = [
    (0, "00"), (1, "01"), (10, "0a"), (23, "17"), (24, "1818"), (25, "1819"), (100, "1864"), (1000, "1903e8"),
    (1000000, "1a000f4240"), (1000000000000, "1b000000e8d4a51000"),
    (18446744073709551615, "1bffffffffffffffff"), (-18446744073709551616, "3bffffffffffffffff"),
    (-1, "20"), (-10, "29"), (-100, "3863"), (-1000, "3903e7"),
    (0.0, "f90000"), (-0.0, "f98000"), (1.0, "f93c00"), (1.1, "fb3ff199999999999a"), (1.5, "f93e00"),
    (65504.0, "f97bff"), (100000.0, "fa47c35000"), (3.4028234663852886e+38, "fa7f7fffff"),
    (1.0e+300, "fb7e37e43c8800759c"), (5.960464477539063e-8, "f90001"), (0.00006103515625, "f90400"),
    (-4.0, "f9c400"), (-4.1, "fbc010666666666666"),
    (False, "f4"), (True, "f5"), (None, "f6"),
    (b"", "40"), (b"\x01\x02\x03\x04", "4401020304"),
    ("", "60"), ("a", "6161"), ("IETF", "6449455446"), ("\"\\", "62225c"), ("\u00fc", "62c3bc"),
    ("\u6c34", "63e6b0b4"),
    ([], "80"), ([1, 2, 3], "83010203"), ([1, [2, 3], [4, 5]], "8301820203820405"),
    (list(range(1, 26)), "98190102030405060708090a0b0c0d0e0f101112131415161718181819"),
    ({}, "a0"), ({"a": 1, "b": [2, 3]}, "a26161016162820203"), (["a", {"b": "c"}], "826161a161626163"),
    ({"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}, "a56161614161626142616361436164614461656145"),
]

# (hex, reason) that a strict decoder must refuse.
REJECTED = [
    ("1817", "non-shortest integer"), ("5f4101ff", "indefinite byte string"), ("a2616201616102", "unsorted keys"),
    ("a2616101616102", "duplicate key"), ("a10102", "integer key"), ("fa3f800000", "1.0 as single"),
    ("f97e00", "NaN"), ("f97c00", "infinity"), ("c11a514b67b0", "tag"), ("f7", "undefined"),
    ("1c", "reserved additional information"), ("4201", "length beyond input"), ("61ff", "invalid UTF-8"),
    ("0000", "trailing byte"), ("81" * 65 + "00", "nesting 65 deep"), ("ff", "stray break"),
]


def self_test():
    failures = []
    for value, expected in RFC_VECTORS:
        try:
            got = encode(value).hex()
        except CanonicalError as error:
            got = "error: %s" % error
        if got != expected:
            failures.append("encode(%r) gave %s, RFC 8949 gives %s" % (value, got, expected))
            continue
        decoded = decode(bytes.fromhex(expected))
        if isinstance(value, float):
            same = _same_float(decoded, value)
        else:
            same = decoded == value and type(decoded) is type(value)
        if not same:
            failures.append("decode(%s) gave %r, expected %r" % (expected, decoded, value))
    for hex_text, reason in REJECTED:
        try:
            decode(bytes.fromhex(hex_text))
            failures.append("decoder accepted %s (%s)" % (hex_text, reason))
        except CanonicalError:
            pass
    try:
        decode(bytes.fromhex("81" * 64 + "00"))
    except CanonicalError as error:
        failures.append("decoder refused nesting 64 deep: %s" % error)
    for problem in failures:
        print("FAIL self-test: %s" % problem, file=sys.stderr)
    if failures:
        return 1
    print("self-test: %d RFC 8949 Appendix A vectors encode and decode exactly" % len(RFC_VECTORS))
    print("self-test: %d non-canonical inputs rejected, nesting limit %d accepted" % (len(REJECTED), MAX_DEPTH))
    print("ok  self-test")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Verify Phalanx signatures and canonical encodings independently of the Swift code.")
    parser.add_argument("vectors", nargs="?", help="JSON file with a \"vectors\" array")
    parser.add_argument("--self-test", action="store_true", help="check the codec against RFC 8949 Appendix A")
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    if args.vectors is None:
        parser.error("give a VECTORS.json file or --self-test")
    if Ed25519PrivateKey is None:
        print("error: the 'cryptography' package is required (pip install cryptography)", file=sys.stderr)
        return 2
    return verify_file(args.vectors)


if __name__ == "__main__":
    sys.exit(main())
