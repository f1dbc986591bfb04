"""RFC 6238 TOTP (SHA-1, 30 s, 6 digits), as authenticator apps and virtual MFA devices use."""

import base64
import hashlib
import hmac
import struct
import time

STEP = 30


def totp(seed_b32, at=None):
    key = base64.b32decode(seed_b32.upper() + "=" * (-len(seed_b32) % 8))
    counter = int((time.time() if at is None else at) // STEP)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"
