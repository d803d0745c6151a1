#!/usr/bin/env python3
"""Independent verifier of the ModelLedger event protocol, format v1.

Written from protocol/SPEC.md alone (no Swift sources read). Python 3.11, standard library plus PyNaCl
(libsodium 1.0.18 Ed25519). Usage:

    python3 verifier.py [path/to/events.json]

Runs every vector of SPEC section 11: keys, valid, invalid and views (the views in several arrival
orders that keep each author's chain in seq order). Prints one line per failed check and a summary per
section; exits 1 on any failure, 2 on a usage or setup error.

Where a rule needs care (removed members' devices, the cut repetition, backdated register writes,
the views' clock, self-revocation and key rotation), a comment marked "SPEC" names the section that
decides it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import struct
import sys
import unicodedata
from dataclasses import dataclass, field
from types import SimpleNamespace

try:
    from nacl import bindings as sodium
    from nacl.exceptions import BadSignatureError
except ImportError:  # pragma: no cover
    print("verifier.py needs PyNaCl (pip install pynacl); scripts/verifier-venv.sh makes a venv with it",
          file=sys.stderr)
    sys.exit(2)

# ---------------------------------------------------------------------------------------------------
# Constants (SPEC 1, 3, 6, 7)

MAGIC = b"mledger/event/v1"
ZERO_ID = bytes(32)
MAX_ENVELOPE = 1_048_576
MAX_HEADS = 32
FUTURE_LIMIT_MS = 600_000
FORK_SPAN = 16          # SPEC 8.3
MAX_AT_SEQ = 2          # SPEC 8.3
MAX_DEPTH = 16          # SPEC 5.1

KINDS = [
    "team.genesis", "team.member.add", "team.member.remove", "team.alias.protect",
    "identity.profile", "identity.device.link",
    "experiment.create", "experiment.describe", "experiment.tag",
    "run.start", "run.params", "run.metrics", "run.tags", "run.artifacts", "run.finish",
    "model.create", "model.describe", "model.version.create", "model.version.archive",
    "model.promote", "model.demote", "comment.add",
    "logged_model.create", "logged_model.update", "run.inputs", "run.outputs", "entity.delete", "entity.rename",
    "deployment.record", "deployment.rollback", "team.environment.protect", "monitor.points", "monitor.rule",
    "monitor.alert", "model.promotion.request", "model.promotion.decision", "relay.announce", "relay.cosign",
]
assert len(KINDS) == 38
TEAM_KINDS = {"team.genesis", "team.member.add", "team.member.remove", "team.alias.protect",
              "team.environment.protect", "identity.device.link"}
ROLES = {"reader": 1, "writer": 2, "maintainer": 3, "admin": 4}
ROLE_NAMES = {v: k for k, v in ROLES.items()}
ROTATE_TAG = b"mledger/rotate/v1"  # SPEC 2.2: the key rotation consent message's prefix
LINK_TAG = b"mledger/link/v1"  # SPEC 2.2: the device link consent message's prefix
NONE_ROLE = 0

# Unicode White_Space property (PropList.txt), SPEC 5.2 `line`. Python's str.isspace() is a different set
# (it includes U+001C..U+001F and excludes nothing we need), so the list is spelled out.
WHITE_SPACE = set(range(0x09, 0x0E)) | {0x20, 0x85, 0xA0, 0x1680} | set(range(0x2000, 0x200B)) | {
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000}


class Reject(Exception):
    """A receiver's refusal with an error code of SPEC 10."""

    def __init__(self, code: str, why: str = ""):
        super().__init__(f"{code}: {why}" if why else code)
        self.code = code
        self.why = why


def blake2b256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


# ---------------------------------------------------------------------------------------------------
# Keys (SPEC 2.1)

def keypair_from_seed(seed: bytes) -> tuple[bytes, bytes]:
    """(public key, libsodium secret key) from a 32-byte seed, RFC 8032 5.1.5."""
    pk, sk = sodium.crypto_sign_seed_keypair(seed)
    return pk, sk


def sign(sk: bytes, message: bytes) -> bytes:
    return sodium.crypto_sign(message, sk)[:64]


def verify(pk: bytes, message: bytes, signature: bytes) -> bool:
    """libsodium 1.0.18 crypto_sign_open == crypto_sign_verify_detached semantics (SPEC 2.1)."""
    if len(signature) != 64 or len(pk) != 32:
        return False
    try:
        sodium.crypto_sign_open(signature + message, pk)
        return True
    except (BadSignatureError, ValueError):
        return False
    except Exception:  # any other refusal of libsodium is a refusal
        return False


def fingerprint(pk: bytes) -> str:
    h = pk.hex()[:16]
    return ":".join(h[i:i + 4] for i in range(0, 16, 4))


# ---------------------------------------------------------------------------------------------------
# Envelope (SPEC 3)

@dataclass
class Envelope:
    team: bytes
    author: bytes
    seq: int
    prev: bytes
    clock: int
    kind: str
    heads: list[bytes]
    body: bytes
    raw: bytes
    id: bytes

    @property
    def order_key(self) -> tuple:
        # SPEC 9.1: clock (u64 BE) || author || seq (u64 BE) || id, compared bytewise == tuple order.
        return (self.clock, self.author, self.seq, self.id)

    @property
    def event_team(self) -> bytes:
        # SPEC 8.1 step 14: a genesis's team is its own id.
        return self.id if self.kind == "team.genesis" else self.team


def encode_envelope(team: bytes, author: bytes, seq: int, prev: bytes, clock: int, kind: str,
                    heads: list[bytes], body: bytes) -> bytes:
    k = kind.encode("ascii")
    if len(k) > 255 or len(heads) > MAX_HEADS:
        raise ValueError("kind or heads too long")
    out = bytearray()
    out += MAGIC
    out += team
    out += author
    out += struct.pack(">Q", seq)
    out += prev
    out += struct.pack(">Q", clock)
    out += bytes([len(k)]) + k
    out += bytes([len(heads)])
    for h in heads:
        assert len(h) == 32
        out += h
    out += struct.pack(">I", len(body))
    out += body
    return bytes(out)


def parse_envelope(b: bytes) -> Envelope:
    """SPEC 3.2, rules 1-12 in order; raises Reject with the first failure."""
    if len(b) > MAX_ENVELOPE:                                               # 1
        raise Reject("oversized", f"{len(b)} bytes")
    if len(b) < 16 or b[:16] != MAGIC:                                      # 2
        raise Reject("malformed", "magic")
    if len(b) < 129:                                                        # 3
        raise Reject("malformed", "fixed header truncated")
    klen = b[128]
    if len(b) < 129 + klen:
        raise Reject("malformed", "kind truncated")
    kind_bytes = b[129:129 + klen]
    try:                                                                    # 4
        kind = kind_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("unknown_kind", "kind not UTF-8")
    if kind not in KINDS:
        raise Reject("unknown_kind", repr(kind))
    p = 129 + klen
    if len(b) < p + 1:                                                      # 5
        raise Reject("malformed", "head count missing")
    h = b[p]
    if h > MAX_HEADS:
        raise Reject("malformed", f"{h} heads")
    p += 1
    if len(b) < p + 32 * h:                                                 # 6
        raise Reject("malformed", "heads truncated")
    heads = [b[p + 32 * i:p + 32 * (i + 1)] for i in range(h)]
    p += 32 * h
    if len(b) < p + 4:                                                      # 7
        raise Reject("malformed", "body length missing")
    blen = struct.unpack(">I", b[p:p + 4])[0]
    p += 4
    if len(b) < p + blen:
        raise Reject("malformed", "body truncated")
    if len(b) != p + blen:                                                  # 8
        raise Reject("malformed", "bytes after the body")
    body = b[p:p + blen]
    team = b[16:48]
    author = b[48:80]
    seq = struct.unpack(">Q", b[80:88])[0]
    prev = b[88:120]
    clock = struct.unpack(">Q", b[120:128])[0]
    if seq < 1:                                                             # 9
        raise Reject("malformed", "seq 0")
    if (seq == 1) != (prev == ZERO_ID):                                     # 10
        raise Reject("malformed", "seq/prev")
    if (kind == "team.genesis") != (team == ZERO_ID):                       # 11
        raise Reject("malformed", "kind/team")
    if kind == "team.genesis" and seq != 1:                                 # 12
        raise Reject("malformed", "genesis not at seq 1")
    return Envelope(team, author, seq, prev, clock, kind, heads, body, b, blake2b256(b))


# ---------------------------------------------------------------------------------------------------
# Deterministic CBOR profile decoder (SPEC 5.1)
#
# Items are decoded to tagged tuples so that bool/int/float never mix:
#   ("uint", n) ("nint", n)   n is the value (nint: negative Python int)
#   ("bytes", b) ("text", s) ("array", [items]) ("map", {text: item}) ("bool", b) ("null", None)
#   ("float", bits)  bits = the 8 bytes, kept exactly

class BodyError(Exception):
    pass


def _bad(why: str):
    raise BodyError(why)


class _CBOR:
    def __init__(self, data: bytes):
        self.d = data
        self.p = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.p + n > len(self.d):
            _bad("declared length beyond the end / missing bytes")
        out = self.d[self.p:self.p + n]
        self.p += n
        return out

    def head(self) -> tuple[int, int, int]:
        """(major, additional info, argument) with the shortest-form rule."""
        ib = self.take(1)[0]
        major, ai = ib >> 5, ib & 0x1F
        if major == 7:
            return major, ai, 0
        if ai < 24:
            return major, ai, ai
        if ai == 24:
            v = self.take(1)[0]
            if v < 24:
                _bad("non-shortest head (1 byte)")
        elif ai == 25:
            v = struct.unpack(">H", self.take(2))[0]
            if v < 256:
                _bad("non-shortest head (2 bytes)")
        elif ai == 26:
            v = struct.unpack(">I", self.take(4))[0]
            if v < 65536:
                _bad("non-shortest head (4 bytes)")
        elif ai == 27:
            v = struct.unpack(">Q", self.take(8))[0]
            if v < 2 ** 32:
                _bad("non-shortest head (8 bytes)")
        else:
            _bad(f"additional info {ai} (reserved or indefinite)")
        return major, ai, v

    def text(self, n: int) -> str:
        raw = self.take(n)
        try:
            # Python's strict UTF-8 decoder rejects overlong forms, surrogates and > U+10FFFF.
            return raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError as e:
            _bad(f"invalid UTF-8: {e}")

    def item(self, depth: int):
        if depth > MAX_DEPTH:
            _bad(f"nesting deeper than {MAX_DEPTH}")
        major, ai, v = self.head()
        if major == 0:
            return ("uint", v)
        if major == 1:
            return ("nint", -1 - v)
        if major == 2:
            return ("bytes", self.take(v))
        if major == 3:
            return ("text", self.text(v))
        if major == 4:
            if v > len(self.d) - self.p:  # every item is at least one byte
                _bad("array count beyond the end")
            return ("array", [self.item(depth + 1) for _ in range(v)])
        if major == 5:
            if v > len(self.d) - self.p:
                _bad("map count beyond the end")
            out: dict[str, tuple] = {}
            last_key_enc = None
            nfc_seen: set[str] = set()
            for _ in range(v):
                start = self.p
                km, _, kv = self.head()
                if km != 3:
                    _bad("map key is not a text string")
                key = self.text(kv)
                enc = self.d[start:self.p]
                if last_key_enc is not None and not (enc > last_key_enc):
                    _bad("map keys not in strictly increasing encoded order")
                last_key_enc = enc
                nk = unicodedata.normalize("NFC", key)
                if nk in nfc_seen:
                    _bad("canonically equivalent map keys")
                nfc_seen.add(nk)
                out[key] = self.item(depth + 1)
            return ("map", out)
        if major == 6:
            _bad("tag")
        # major 7
        if ai == 20:
            return ("bool", False)
        if ai == 21:
            return ("bool", True)
        if ai == 22:
            return ("null", None)
        if ai == 27:
            return ("float", self.take(8))
        _bad(f"simple/float 0x{0xE0 | ai:02x} not allowed")


def decode_body(data: bytes):
    d = _CBOR(data)
    it = d.item(0)
    if d.p != len(data):
        _bad("trailing bytes after the item")
    if it[0] != "map":
        _bad("body is not a map")
    return it


# ---------------------------------------------------------------------------------------------------
# Field rules (SPEC 5.2, 6)

def is_nfc(s: str) -> bool:
    return unicodedata.normalize("NFC", s) == s


def blen(s: str) -> int:
    return len(s.encode("utf-8"))


class Fields:
    """Reads a decoded map; null is absence (SPEC 5.2)."""

    def __init__(self, item, where: str = "body"):
        if item[0] != "map":
            _bad(f"{where} is not a map")
        self.m = item[1]
        self.where = where

    def get(self, key):
        it = self.m.get(key)
        if it is None or it[0] == "null":
            return None
        return it

    def need(self, key):
        it = self.get(key)
        if it is None:
            _bad(f"{self.where}.{key} missing")
        return it

    # --- typed readers; `req` False returns None when absent
    def text(self, key, n, req=True, may_be_empty=False):
        it = self.need(key) if req else self.get(key)
        if it is None:
            return None
        if it[0] != "text":
            _bad(f"{key} is not text")
        s = it[1]
        if blen(s) > n:
            _bad(f"{key} longer than {n} bytes")
        if req and not may_be_empty and s == "":
            _bad(f"{key} empty")
        return s

    def line(self, key, n, req=True):
        s = self.text(key, n, req)
        if s is None:
            return None
        if s == "" or all(ord(c) in WHITE_SPACE for c in s):
            _bad(f"{key} empty or blank")
        return s

    def name(self, key, n, req=True):
        s = self.line(key, n, req)
        if s is not None and not is_nfc(s):
            _bad(f"{key} not NFC")
        return s

    def bytes32(self, key, req=True):
        it = self.need(key) if req else self.get(key)
        if it is None:
            return None
        if it[0] != "bytes" or len(it[1]) != 32:
            _bad(f"{key} is not 32 bytes")
        return it[1]

    id = bytes32
    key_ = bytes32

    def bool(self, key, req=False):
        it = self.need(key) if req else self.get(key)
        if it is None:
            return None
        if it[0] != "bool":
            _bad(f"{key} is not a bool")
        return it[1]

    def int(self, key, req=True):
        it = self.need(key) if req else self.get(key)
        if it is None:
            return None
        if it[0] not in ("uint", "nint"):
            _bad(f"{key} is not an integer")
        v = it[1]
        if not (-(2 ** 63) <= v <= 2 ** 63 - 1):
            _bad(f"{key} outside i64")
        return v

    def uint(self, key, req=True):
        it = self.need(key) if req else self.get(key)
        if it is None:
            return None
        if it[0] != "uint":
            _bad(f"{key} is not an unsigned integer")
        return it[1]

    def float(self, key, req=True):
        """SPEC 5.1: a 64-bit float (0xfb), any bit pattern; returned as a Python float."""
        it = self.need(key) if req else self.get(key)
        if it is None:
            return None
        if it[0] != "float":
            _bad(f"{key} is not a 64-bit float")
        return struct.unpack(">d", it[1])[0]

    def role(self, key):
        r = self.text(key, 256)
        if r not in ROLES:
            _bad(f"{key} {r!r} is not a role")
        return r

    def text_map(self, key, value_limit):
        it = self.need(key)
        if it[0] != "map":
            _bad(f"{key} is not a map")
        if len(it[1]) == 0:
            _bad(f"{key} is empty")
        out = {}
        for k, v in it[1].items():
            _map_key(k, key)
            if v[0] != "text":
                _bad(f"{key}[{k!r}] is not text")
            if blen(v[1]) > value_limit:
                _bad(f"{key}[{k!r}] too long")
            out[k] = v[1]
        return out

    def opt_text_map(self, key, value_limit):
        """An optional map(text->text): absent (or null) reads as empty; present, the map rules hold."""
        return {} if self.get(key) is None else self.text_map(key, value_limit)

    def array(self, key, req=False):
        it = self.need(key) if req else self.get(key)
        if it is None:
            return []  # SPEC 5.2: absent (or null) array reads as empty
        if it[0] != "array":
            _bad(f"{key} is not an array")
        return it[1]


def _map_key(k: str, where: str):
    if k == "" or blen(k) > 250 or not is_nfc(k):
        _bad(f"{where} key {k!r} empty, over 250 bytes or not NFC")


def path_is_safe(path: str) -> bool:
    b = path.encode("utf-8")
    if len(b) == 0 or len(b) > 1024:
        return False
    if b[:1] == b"/":
        return False
    if b"\\" in b or b"\x00" in b:
        return False
    for seg in b.split(b"/"):
        if seg in (b"", b".", b".."):
            return False
    return True


def read_paths(items, key: str) -> list[str]:
    """Paths of removed files: each text and safe, as a file's path must be (SPEC 6.10)."""
    out = []
    for it in items:
        if it[0] != "text" or not path_is_safe(it[1]):
            _bad(f"{key} item is not a safe relative path")
        out.append(it[1])
    return out


def read_files(items) -> list[dict]:
    out = []
    for i, it in enumerate(items):
        f = Fields(it, f"files[{i}]")  # each item must be a map
        path = f.text("path", 1024)
        if not path_is_safe(path):
            _bad(f"unsafe path {path!r}")
        it_sha = f.need("sha256")
        if it_sha[0] != "bytes" or len(it_sha[1]) != 32:
            _bad("sha256 is not 32 bytes")
        size = f.uint("size")
        if size >= 2 ** 63:
            _bad("size not below 2^63")
        out.append({"path": path, "sha256": it_sha[1], "size": size})
    return out


def read_series(f: Fields, key: str) -> dict:
    """SPEC 6.4 / 6.9: metric key -> packed points, a non-empty map of non-empty series."""
    it = f.need(key)
    if it[0] != "map" or len(it[1]) == 0:
        _bad(f"{key} is not a non-empty map")
    series = {}
    for k, v in it[1].items():
        _map_key(k, key)
        if v[0] != "bytes" or len(v[1]) == 0 or len(v[1]) % 24 != 0:
            _bad(f"{key}[{k!r}] is not a non-zero multiple of 24 bytes")
        series[k] = [struct.unpack(">qq8s", v[1][i:i + 24]) for i in range(0, len(v[1]), 24)]
    return series


def metric_key(f: Fields, key: str, req=True):
    """SPEC 6.16: a metric key, text(250), not empty, NFC."""
    k = f.text(key, 250, req=req)
    if k is not None and (k == "" or not is_nfc(k)):
        _bad(f"{key} empty or not NFC")
    return k


def read_provenance(f: Fields):
    """SPEC 6.14: a body of any kind may say it was imported; a malformed provenance makes it invalid."""
    if f.get("imported") is None:
        return None
    p = Fields(f.get("imported"), "imported")
    return {
        "system": p.line("system", 64), "source": p.line("source", 2048), "object": p.line("object", 64),
        "ids": p.text_map("ids", 1024), "user": p.text("user", 256, req=False), "time": p.int("time", req=False),
        "updated": p.int("updated", req=False), "data": p.opt_text_map("data", 8192),
        "state_at_import": bool(p.bool("state_at_import")),
    }


def check_body(kind: str, body: bytes) -> dict:
    """SPEC 5 and 6: raises BodyError, else returns the fields the view needs."""
    f = Fields(decode_body(body))
    r: dict = {"imported": read_provenance(f)}
    if kind == "team.genesis":
        r["name"] = f.line("name", 256)
    elif kind == "team.member.add":
        r["member"] = f.key_("member")
        r["role"] = f.role("role")
        r["name"] = f.text("name", 256, req=False)
        # SPEC 6.1 / 2.2: a key rotation. `replaces` (key, opt) is not `member`; `consent` is required with
        # `replaces` and absent without it (null is absence, 5.2); `chain_end` (uint) only with `replaces`.
        r["replaces"] = f.key_("replaces", req=False)
        consent = f.get("consent")
        r["chain_end"] = f.uint("chain_end", req=False)
        if r["replaces"] is None:
            if consent is not None:
                _bad("consent without replaces")
            if r["chain_end"] is not None:
                _bad("chain_end without replaces")
            r["consent"] = None
        else:
            if r["replaces"] == r["member"]:
                _bad("a key replacing itself")
            if consent is None:
                _bad("replaces without consent")
            if consent[0] != "bytes" or len(consent[1]) != 64:
                _bad("consent is not a 64-byte byte string")
            r["consent"] = consent[1]
    elif kind == "team.member.remove":
        r["member"] = f.key_("member")
        r["reason"] = f.line("reason", 4096)
        ends = f.array("chain_ends")
        if len(ends) > 32:
            _bad("more than 32 chain ends")
        seen = set()
        r["chain_ends"] = []
        for i, it in enumerate(ends):
            e = Fields(it, f"chain_ends[{i}]")
            a = e.key_("author")
            s = e.uint("seq")
            if a in seen:
                _bad("two chain ends for one author")
            seen.add(a)
            r["chain_ends"].append((a, s))
    elif kind == "team.alias.protect":
        r["alias"] = f.name("alias", 64)
        r["role"] = f.role("role")
        # SPEC 6.1/6.15: `approvals` 1..32 (absent: 0, the alias moves directly); `not_requester` only with it.
        r["approvals"] = f.uint("approvals", req=False)
        if r["approvals"] is not None and not 1 <= r["approvals"] <= 32:
            _bad("approvals outside 1..32")
        r["not_requester"] = f.bool("not_requester")
        if r["not_requester"] is not None and r["approvals"] is None:
            _bad("not_requester without approvals")
        r["approvals"] = r["approvals"] or 0
        r["not_requester"] = bool(r["not_requester"])
    elif kind == "identity.profile":
        r["name"] = f.line("name", 256)
        r["email"] = f.text("email", 256, req=False)
    elif kind == "identity.device.link":
        r["device"] = f.key_("device")
        r["label"] = f.text("label", 256, req=False)
        # SPEC 6.2: `consent` (opt) is a 64-byte byte string; a link without it decodes but changes nothing.
        consent = f.get("consent")
        if consent is not None and (consent[0] != "bytes" or len(consent[1]) != 64):
            _bad("consent is not a 64-byte byte string")
        r["consent"] = consent[1] if consent is not None else None
    elif kind in ("experiment.create", "model.create"):
        r["name"] = f.name("name", 256)
        r["description"] = f.text("description", 8192, req=False)
    elif kind == "experiment.describe":
        r["experiment"] = f.id("experiment")
        r["description"] = f.text("description", 8192, may_be_empty=True)
    elif kind == "experiment.tag":
        r["experiment"] = f.id("experiment")
        k = f.text("key", 250)
        if not is_nfc(k):
            _bad("tag key not NFC")
        r["key"] = k
        r["value"] = f.text("value", 8000, req=False, may_be_empty=True)
    elif kind == "run.start":
        r["experiment"] = f.id("experiment")
        r["name"] = f.text("name", 256, may_be_empty=True)
        r["git_commit"] = f.text("git_commit", 64, req=False)
        r["git_dirty"] = f.bool("git_dirty")
        r["command"] = f.text("command", 8192, req=False)
        r["host"] = f.text("host", 256, req=False)
        r["environment"] = f.text("environment", 256, req=False)
        r["start_time"] = f.int("start_time", req=False)
    elif kind == "run.params":
        r["run"] = f.id("run")
        r["params"] = f.text_map("params", 6000)
    elif kind == "run.tags":
        r["run"] = f.id("run")
        removed = []
        for it in f.array("removed"):
            if it[0] != "text":
                _bad("removed item is not text")
            _map_key(it[1], "removed")
            removed.append(it[1])
        r["removed"] = removed
        r["tags"] = f.opt_text_map("tags", 8000) if removed else f.text_map("tags", 8000)
    elif kind == "run.metrics":
        r["run"] = f.id("run")
        r["series"] = read_series(f, "series")
    elif kind == "run.artifacts":
        r["run"] = f.id("run")
        r["removed"] = read_paths(f.array("removed"), "removed")
        files = f.array("files", req=not r["removed"])
        if len(files) == 0 and not r["removed"]:
            _bad("run.artifacts without files")
        r["files"] = read_files(files)
    elif kind == "run.finish":
        r["run"] = f.id("run")
        st = f.text("status", 256)
        if st not in ("finished", "failed", "killed"):
            _bad(f"status {st!r}")
        r["status"] = st
        r["end_time"] = f.int("end_time", req=False)
        r["exit_code"] = f.int("exit_code", req=False)
    elif kind == "model.describe":
        r["model"] = f.id("model")
        r["version"] = f.id("version", req=False)
        r["description"] = f.text("description", 8192, may_be_empty=True)
    elif kind == "model.version.create":
        r["model"] = f.id("model")
        r["run"] = f.id("run", req=False)
        r["files"] = read_files(f.array("files"))
        n = f.int("claimed_number")
        if n < 1:
            _bad("claimed_number below 1")
        r["claimed_number"] = n
        r["description"] = f.text("description", 8192, req=False)
        r["logged_model"] = f.id("logged_model", req=False)
    elif kind == "model.version.archive":
        r["model"] = f.id("model")
        r["version"] = f.id("version")
        r["reason"] = f.line("reason", 4096)
    elif kind == "relay.announce":
        r["key"] = f.text("key", 1024)
        if parse_verifier_key(r["key"]) is None:
            _bad("key is not a log verifier key")
        r["url"] = f.text("url", 2048, req=False)
    elif kind == "relay.cosign":
        # SPEC 6.18: a checkpoint note that verifies under the body's verifier key, its origin the key name.
        r["key"] = f.text("key", 1024)
        r["checkpoint"] = f.text("checkpoint", 4096)
        parsed = parse_verifier_key(r["key"])
        if parsed is None:
            _bad("key is not a log verifier key")
        if not cosigned_checkpoint_verifies(r["checkpoint"], *parsed):
            _bad("checkpoint is not a checkpoint signed by key")
    elif kind == "model.promotion.decision":
        r["request"] = f.id("request")
        r["decision"] = f.text("decision", 256)
        if r["decision"] not in ("approve", "reject"):
            _bad("decision is not approve or reject")
        r["reason"] = f.line("reason", 4096)
    elif kind in ("model.promote", "model.promotion.request"):
        r["model"] = f.id("model")
        r["version"] = f.id("version")
        r["alias"] = f.name("alias", 64)
        r["reason"] = f.line("reason", 4096)
        ev = []
        for it in f.array("evidence"):
            if it[0] != "text" or it[1] == "" or blen(it[1]) > 1024:
                _bad("evidence item is not text of 1..1024 bytes")
            ev.append(it[1])
        r["evidence"] = ev
    elif kind == "model.demote":
        r["model"] = f.id("model")
        r["alias"] = f.name("alias", 64)
        r["reason"] = f.line("reason", 4096)
    elif kind == "comment.add":
        r["target"] = f.id("target")
        r["text"] = f.line("text", 16384)
        r["reply_to"] = f.id("reply_to", req=False)
    elif kind == "logged_model.create":
        r["experiment"] = f.id("experiment")
        r["name"] = f.name("name", 256)
        r["run"] = f.id("run", req=False)
        r["model_type"] = f.text("model_type", 256, req=False)
        r["params"] = f.opt_text_map("params", 6000)
        r["tags"] = f.opt_text_map("tags", 8000)
    elif kind == "logged_model.update":
        r["model"] = f.id("model")
        st = f.text("status", 256, req=False)
        if st is not None and st not in ("pending", "ready", "failed"):
            _bad(f"logged model status {st!r}")
        r["status"] = st
        r["status_message"] = f.text("status_message", 4096, req=False)
        r["params"] = f.opt_text_map("params", 6000)
        r["tags"] = f.opt_text_map("tags", 8000)
        removed = []
        for it in f.array("removed_tags"):
            if it[0] != "text":
                _bad("removed_tags item is not text")
            _map_key(it[1], "removed_tags")
            removed.append(it[1])
        r["removed_tags"] = removed
        r["files"] = read_files(f.array("files"))
        r["removed_files"] = read_paths(f.array("removed_files"), "removed_files")
        if (st is None and r["status_message"] is None and not r["params"] and not r["tags"]
                and not removed and not r["files"] and not r["removed_files"]):
            _bad("logged_model.update changes nothing")
    elif kind == "run.inputs":
        r["run"] = f.id("run")
        datasets = []
        for i, it in enumerate(f.array("datasets")):
            d = Fields(it, f"datasets[{i}]")
            datasets.append({
                "name": d.name("name", 256), "digest": d.text("digest", 256),
                "source_type": d.text("source_type", 256), "source": d.text("source", 65536, may_be_empty=True),
                "schema": d.text("schema", 262144, req=False), "profile": d.text("profile", 65536, req=False),
                "tags": d.opt_text_map("tags", 8000),
            })
        models = []
        for it in f.array("models"):
            if it[0] != "bytes" or len(it[1]) != 32:
                _bad("models item is not a 32-byte id")
            models.append(it[1])
        if not datasets and not models:
            _bad("run.inputs names no dataset and no model")
        r["datasets"], r["models"] = datasets, models
    elif kind == "run.outputs":
        r["run"] = f.id("run")
        outs = []
        for i, it in enumerate(f.array("models", req=True)):
            o = Fields(it, f"models[{i}]")
            outs.append((o.id("model"), o.int("step", req=False)))
        if not outs:
            _bad("run.outputs without models")
        r["models"] = outs
    elif kind == "entity.delete":
        r["target"] = f.id("target")
        r["restore"] = bool(f.bool("restore"))
        r["reason"] = f.text("reason", 4096, req=False)
    elif kind == "entity.rename":
        r["target"] = f.id("target")
        r["name"] = f.name("name", 256)
        r["reason"] = f.text("reason", 4096, req=False)
    elif kind == "team.environment.protect":
        r["environment"] = f.name("environment", 64)
        r["role"] = f.role("role")
    elif kind == "deployment.record":
        r["model"] = f.id("model")
        r["version"] = f.id("version")
        r["environment"] = f.name("environment", 64)
        r["target"] = f.text("target", 1024, req=False)
        r["reason"] = f.line("reason", 4096)
    elif kind == "deployment.rollback":
        r["model"] = f.id("model")
        r["environment"] = f.name("environment", 64)
        r["version"] = f.id("version")
        r["from"] = f.id("from", req=False)
        r["reason"] = f.line("reason", 4096)
    elif kind == "monitor.points":
        r["model"] = f.id("model")
        r["environment"] = f.name("environment", 64)
        r["version"] = f.id("version")
        r["series"] = read_series(f, "series")
        r["source"] = f.text("source", 2048, req=False)
    elif kind == "monitor.rule":
        r["model"] = f.id("model")
        r["environment"] = f.name("environment", 64)
        r["remove"] = f.id("remove", req=False)
        rule_keys = ("metric", "condition", "threshold", "for_ms", "command", "baseline")
        if r["remove"] is not None:
            if any(f.get(k) is not None for k in rule_keys):
                _bad("a rule removal with rule fields")
        else:
            r["metric"] = metric_key(f, "metric")
            cond = f.text("condition", 256)
            if cond not in ("below", "above", "drift"):
                _bad(f"condition {cond!r}")
            r["condition"] = cond
            th = f.float("threshold")
            if th != th or th in (float("inf"), float("-inf")):
                _bad("threshold not finite")
            if cond == "drift" and th < 0:
                _bad("negative drift threshold")
            r["threshold"] = th
            r["for_ms"] = f.uint("for_ms")
            r["command"] = f.line("command", 8192, req=False)
            r["baseline"] = metric_key(f, "baseline", req=False)
            if r["baseline"] is not None and cond != "drift":
                _bad("baseline on a rule that is not a drift")
    elif kind == "monitor.alert":
        r["rule"] = f.id("rule")
        r["model"] = f.id("model")
        r["environment"] = f.name("environment", 64)
        r["version"] = f.id("version")
        r["metric"] = metric_key(f, "metric")
        pts = f.need("points")
        if pts[0] != "bytes" or len(pts[1]) == 0 or len(pts[1]) % 24 != 0 or len(pts[1]) > 24 * 4096:
            _bad("points is not 1 to 4096 packed points")
        r["points"] = pts[1]
        r["baseline"] = f.float("baseline", req=False)
        r["summary"] = f.line("summary", 4096)
    else:  # pragma: no cover - parse_envelope admits only the 34 kinds
        _bad(f"kind {kind}")
    return r


def entity_id(kind: str, team: bytes, name: str) -> bytes:
    """SPEC 6.8."""
    return blake2b256(b"mledger/entity/v1" + kind.encode("ascii") + b"\x00" + team + name.encode("utf-8"))


def body_to_json(item):
    """The informative `body_decoded` form of SPEC 11."""
    t, v = item
    if t in ("uint", "nint"):
        return v
    if t == "bytes":
        return f"h'{v.hex()}'"
    if t == "text":
        return v
    if t == "array":
        return [body_to_json(x) for x in v]
    if t == "map":
        return {k: body_to_json(x) for k, x in v.items()}
    if t == "bool":
        return v
    if t == "null":
        return None
    if t == "float":
        return struct.unpack(">d", v)[0]
    raise AssertionError(t)


# ---------------------------------------------------------------------------------------------------
# Receiver (SPEC 8.1), without role enforcement (no step 19)

@dataclass
class Stored:
    env: Envelope
    signature: bytes
    body: dict


class Receiver:
    def __init__(self, team: bytes | None, now_ms: int):
        self.team = team
        self.now_ms = now_ms
        self.by_id: dict[bytes, Stored] = {}
        self.at: dict[tuple[bytes, int], list[Stored]] = {}
        self.seen = 0

    def put(self, env: Envelope, sig: bytes, body: dict):
        s = Stored(env, sig, body)
        self.by_id[env.id] = s
        self.at.setdefault((env.author, env.seq), []).append(s)
        self.seen = max(self.seen, env.clock)

    def lowest_forked_seq(self, author: bytes) -> int | None:
        forked = [seq for (a, seq), evs in self.at.items() if a == author and len(evs) >= 2]
        return min(forked) if forked else None

    def receive(self, raw: bytes, sig: bytes) -> str:
        """Returns the outcome ('accepted', 'fork', 'duplicate') or raises Reject."""
        env = parse_envelope(raw)                                            # 1-11
        if len(sig) != 64:                                                   # 12a
            raise Reject("malformed", f"signature of {len(sig)} bytes")
        if not verify(env.author, raw, sig):                                 # 12b
            raise Reject("bad_signature")
        if self.team is None:                                                # 13
            if env.kind != "team.genesis":
                raise Reject("wrong_team", "no team yet and not a genesis")
        elif env.event_team != self.team:                                    # 14
            raise Reject("wrong_team")
        here = self.at.get((env.author, env.seq), [])
        if any(s.env.id == env.id for s in here):                            # 15
            return "duplicate"
        if (env.clock >> 16) > self.now_ms + FUTURE_LIMIT_MS:                # 16
            raise Reject("clock_in_future")
        try:                                                                 # 17
            body = check_body(env.kind, env.body)
        except BodyError as e:
            raise Reject("invalid_body", str(e))
        if len(here) >= MAX_AT_SEQ:                                          # 17a
            raise Reject("forked_chain", "third event at one seq")
        low = self.lowest_forked_seq(env.author)
        if here:
            low = env.seq if low is None else min(low, env.seq)
        if low is not None and env.seq > low + FORK_SPAN:
            raise Reject("forked_chain", f"seq {env.seq} more than {FORK_SPAN} past forked seq {low}")
        prev_event = None
        if env.seq > 1:                                                      # 18
            p = self.at.get((env.author, env.seq - 1), [])
            named = [s for s in p if s.env.id == env.prev]
            if not named:
                raise Reject("seq_gap" if not p else "wrong_prev")
            prev_event = named[0]
            if not env.clock > prev_event.env.clock:                         # 18a
                raise Reject("stale_clock")
        # 19: not a role-enforcing receiver
        outcome = "fork" if here else "accepted"                             # 20
        if self.team is None:
            self.team = env.id
        self.put(env, sig, body)
        return outcome


# ---------------------------------------------------------------------------------------------------
# Team authority (SPEC 2.3) and view (SPEC 9)

@dataclass
class FoldState:
    members: dict = field(default_factory=dict)      # key -> {"role": int, "name": str|None, "removed": bool,
    #                                                          "replaced_by": key|None}
    devices: dict = field(default_factory=dict)      # device -> {"member": key, "label": str|None, "revoked": bool}
    protections: dict = field(default_factory=dict)  # alias -> [(order key, role, approvals, not_requester)]
    env_protections: dict = field(default_factory=dict)  # environment -> [(order key, role)] (SPEC 6.16)
    timelines: dict = field(default_factory=dict)    # key -> [(order key, role or NONE_ROLE)]
    cuts: dict = field(default_factory=dict)         # key -> [(order key of removal, seq)]
    applied: set = field(default_factory=set)        # ids of applied team events
    refused: set = field(default_factory=set)        # ids of refused team events
    any_applied: bool = False
    team: bytes | None = None                        # SPEC 4: the applied genesis's id (the team id)

    def current_role(self, key: bytes) -> int:
        tl = self.timelines.get(key)
        return tl[-1][1] if tl else NONE_ROLE

    def role_before(self, key: bytes, okey: tuple) -> int:
        role = NONE_ROLE
        for ok, r in self.timelines.get(key, []):
            if ok < okey:
                role = r
            else:
                break
        return role

    def protection_before(self, alias: str, okey: tuple) -> int:
        return self.rule_before(alias, okey)[0]

    def rule_before(self, alias: str, okey: tuple) -> tuple:
        """(role, approvals, not_requester) of the protection just before okey; (none, 0, False) if none."""
        rule = (NONE_ROLE, 0, False)
        for ok, r, n, nr in self.protections.get(alias, []):
            if ok < okey:
                rule = (r, n, nr)
            else:
                break
        return rule

    def person(self, key: bytes) -> bytes:
        """SPEC 6.15: a device's member; a rotated member key's replacement, followed to the last."""
        p = self.devices[key]["member"] if key in self.devices else key
        seen = {p}
        while p in self.members and self.members[p]["replaced_by"] is not None and self.members[p]["replaced_by"] not in seen:
            p = self.members[p]["replaced_by"]
            seen.add(p)
        return p

    def env_protection_before(self, environment: str, okey: tuple) -> int:
        role = NONE_ROLE
        for ok, r in self.env_protections.get(environment, []):
            if ok < okey:
                role = r
            else:
                break
        return role

    def set_role(self, key: bytes, okey: tuple, role: int):
        self.timelines.setdefault(key, []).append((okey, role))


def fold(team_events: list[Stored]) -> FoldState:
    st = FoldState()
    for s in sorted(team_events, key=lambda s: s.env.order_key):
        e, b, ok = s.env, s.body, s.env.order_key
        author = e.author
        allowed = False
        if e.kind == "team.genesis":
            if not st.any_applied:
                allowed = True
                st.members[author] = {"role": ROLES["admin"], "name": None, "removed": False, "replaced_by": None}
                st.set_role(author, ok, ROLES["admin"])
                st.team = e.id
        elif e.kind == "team.member.add":
            m = b["member"]
            old = b["replaces"]
            allowed = st.current_role(author) >= ROLES["admin"] and m not in st.devices
            if allowed and old is not None:
                # SPEC 2.3: a rotation also needs `replaces` active, `member` never a member key (current or
                # removed), and the consent of `replaces` for this ledger's team (the genesis's id).
                allowed = (old in st.members and not st.members[old]["removed"] and m not in st.members
                           and st.team is not None
                           and verify(old, ROTATE_TAG + st.team + old + m, b["consent"]))
            if allowed:
                role = ROLES[b["role"]]
                name = b["name"]
                if old is not None:
                    # SPEC 2.3, rotation effects first: the old key's unrevoked devices move to `member`
                    # (its revoked ones stay listed under the old key), the old key is removed and replaced
                    # by `member` keeping its name, its timeline gets none, and `chain_end` cuts it here.
                    for d, dv in st.devices.items():
                        if dv["member"] == old and not dv["revoked"]:
                            dv["member"] = m
                    old_name = st.members[old]["name"]
                    st.members[old] = {"role": NONE_ROLE, "name": old_name, "removed": True, "replaced_by": m}
                    st.set_role(old, ok, NONE_ROLE)
                    if b["chain_end"] is not None:
                        st.cuts.setdefault(old, []).append((ok, b["chain_end"]))
                    # SPEC 2.3 "when the event has none": absent (or null) only; an empty `name` is a name
                    # (9.3 treats only absence as clearing), so "" does not inherit the old name.
                    if name is None:
                        name = old_name
                st.members[m] = {"role": role, "name": name, "removed": False, "replaced_by": None}
                st.set_role(m, ok, role)
                for d, dv in st.devices.items():
                    if dv["member"] == m and not dv["revoked"]:
                        st.set_role(d, ok, role)
        elif e.kind == "team.member.remove":
            m = b["member"]
            is_member = m in st.members and not st.members[m]["removed"]
            is_device = m in st.devices and not st.devices[m]["revoked"]
            # SPEC 2.2/2.3 self-revocation: the device's linking member (as the devices map says now, so a
            # rotated member's new key may revoke the devices moved to it), not itself a linked device, with
            # "any role". SPEC 2.3 "the author has any role" is read as: one of the four roles (current role
            # at least `reader`), so a removed or replaced member key (role none) cannot revoke.
            own_device = (is_device and st.devices[m]["member"] == author and author not in st.devices
                          and st.current_role(author) >= ROLES["reader"])
            if (st.current_role(author) >= ROLES["admin"] and (is_member or is_device)) or own_device:
                allowed = True
                affected = {m}
                if is_device:
                    st.devices[m]["revoked"] = True
                    st.set_role(m, ok, NONE_ROLE)
                else:
                    st.members[m] = {"role": NONE_ROLE, "name": None, "removed": True, "replaced_by": None}
                    st.set_role(m, ok, NONE_ROLE)
                    for d, dv in st.devices.items():
                        if dv["member"] == m and not dv["revoked"]:
                            # SPEC 2.3: the member's devices lose their role but are not marked revoked.
                            st.set_role(d, ok, NONE_ROLE)
                            affected.add(d)
                for a, seq in b["chain_ends"]:
                    if a in affected:  # SPEC 2.3: "those keys" = keys whose role this removal ended
                        st.cuts.setdefault(a, []).append((ok, seq))
        elif e.kind == "team.alias.protect":
            if st.current_role(author) >= ROLES["admin"]:
                allowed = True
                st.protections.setdefault(b["alias"], []).append((ok, ROLES[b["role"]], b["approvals"], b["not_requester"]))
        elif e.kind == "team.environment.protect":
            if st.current_role(author) >= ROLES["admin"]:
                allowed = True
                st.env_protections.setdefault(b["environment"], []).append((ok, ROLES[b["role"]]))
        elif e.kind == "identity.device.link":
            d = b["device"]
            # SPEC 2.2: the device key consents to this member and team.
            consented = b["consent"] is not None and verify(d, LINK_TAG + st.team + author + d, b["consent"])
            if (st.current_role(author) >= ROLES["reader"] and author not in st.devices
                    and d not in st.members and d not in st.devices and consented):
                allowed = True
                st.devices[d] = {"member": author, "label": b["label"], "revoked": False}
                st.set_role(d, ok, st.current_role(author))
        if allowed:
            st.any_applied = True
            st.applied.add(e.id)
        else:
            st.refused.add(e.id)
    return st


def fork_bounds(events: list[Stored]) -> dict[bytes, int]:
    """author -> lowest forked seq (SPEC 8.3)."""
    at: dict[tuple[bytes, int], int] = {}
    for s in events:
        at[(s.env.author, s.env.seq)] = at.get((s.env.author, s.env.seq), 0) + 1
    low: dict[bytes, int] = {}
    for (a, seq), n in at.items():
        if n >= 2:
            low[a] = min(low.get(a, seq), seq)
    return low


def is_cut(env: Envelope, cuts: dict, forks: dict) -> bool:
    for r, m in cuts.get(env.author, []):
        if env.order_key < r and env.seq > m:
            return True
    low = forks.get(env.author)
    return low is not None and env.seq > low + FORK_SPAN


def authority(events: list[Stored]) -> tuple[FoldState, set[bytes]]:
    """The fold with cuts, repeated until nothing new is cut. Returns (state, dropped team event ids)."""
    forks = fork_bounds(events)
    team = [s for s in events if s.env.kind in TEAM_KINDS]
    dropped: set[bytes] = set()
    while True:
        st = fold([s for s in team if s.env.id not in dropped])
        newly = {s.env.id for s in team if s.env.id not in dropped and is_cut(s.env, st.cuts, forks)}
        if not newly:
            return st, dropped
        dropped |= newly  # SPEC 2.3: never un-dropped


def parse_verifier_key(text: str) -> tuple[str, bytes] | None:
    """SPEC 6.17: a C2SP verifier key, <name>+<hex key ID>+base64(0x01 || Ed25519 key), whose key ID is
    SHA-256(name || 0x0A || 0x01 || key)[:4]; (name, key) or None."""
    parts = text.split("+", 2)  # the name has no '+'; the base64 key may
    try:
        raw = base64.b64decode(parts[2], validate=True) if len(parts) == 3 else b""
        key_id = int(parts[1], 16) if len(parts) == 3 and re.fullmatch(r"[0-9a-fA-F]{8}", parts[1]) else -1
    except ValueError:
        return None
    if (not parts[0] or len(raw) != 33 or raw[0] != 1
            or int.from_bytes(hashlib.sha256(parts[0].encode() + b"\n" + raw).digest()[:4], "big") != key_id):
        return None
    return parts[0], raw[1:]


def cosigned_checkpoint_verifies(note: str, name: str, pk: bytes) -> bool:
    """c2sp.org/signed-note and tlog-checkpoint as SPEC 6.17 reads them: no control characters; the text
    ends at the last blank line; 1 to 32 well-formed signature lines; every one of `name` with `pk`'s key
    ID verifies over the text (and there is one); the text's lines are the origin (`name`), a canonical
    decimal size and a base64 32-byte root, then non-empty extension lines."""
    if any(ord(c) < 0x20 and c != "\n" for c in note) or not note.endswith("\n") or "\n\n" not in note:
        return False
    cut = note.rindex("\n\n")
    text, lines = note[:cut + 1], note[cut + 2:-1].split("\n")
    if not 1 <= len(lines) <= 32:
        return False
    key_id = hashlib.sha256(name.encode() + b"\n\x01" + pk).digest()[:4]
    mine = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or not parts[1] or "+" in parts[1]:
            return False
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except ValueError:
            return False
        if len(raw) <= 4:
            return False
        if parts[1] == name and raw[:4] == key_id:
            mine.append(raw[4:])
    if not mine or not all(verify(pk, text.encode(), sig) for sig in mine):
        return False
    head = text.split("\n")
    if len(head) < 4 or any(not line for line in head[:-1]) or head[0] != name:
        return False
    if not re.fullmatch(r"[1-9][0-9]*|0", head[1]) or int(head[1]) >= 2**63:
        return False  # canonical decimal; SPEC 6.18 bounds a cosigned size by 2^63 - 1
    try:
        return len(base64.b64decode(head[2], validate=True)) == 32
    except ValueError:
        return False


def least_count_role(kind: str) -> int:
    if kind == "relay.announce":
        return ROLES["admin"]
    return ROLES["reader"] if kind in ("identity.profile", "relay.cosign") else ROLES["writer"]


def derive_view(events: list[Stored]) -> dict:
    """members, devices, aliases and held as the view vectors' `expect` (SPEC 11)."""
    st, dropped = authority(events)
    forks = fork_bounds(events)
    held: set[bytes] = set(dropped) | st.refused
    counting: list[Stored] = []
    for s in events:
        if s.env.kind in TEAM_KINDS:
            continue
        e = s.env
        if is_cut(e, st.cuts, forks) or st.role_before(e.author, e.order_key) < least_count_role(e.kind):
            held.add(e.id)
        else:
            counting.append(s)

    # Alias registers (SPEC 9.2): allowed writes, judged at their place with the protection then.
    archived = archivals(counting)
    registers: dict[tuple[bytes, str], list[Stored]] = {}
    for s in counting:
        if s.env.kind not in ("model.promote", "model.demote"):
            continue
        if s.env.kind == "model.promote" and s.body["version"] in archived and archived[s.body["version"]] < s.env.order_key:
            continue  # SPEC 9.2: an archived version cannot serve again
        need = max(ROLES["writer"], st.protection_before(s.body["alias"], s.env.order_key))
        if st.role_before(s.env.author, s.env.order_key) < need:
            continue  # not allowed at its place: not a write of the register (it still counts)
        if s.env.kind == "model.promote" and st.rule_before(s.body["alias"], s.env.order_key)[1] > 0:
            continue  # SPEC 6.15: an alias with approvals moves only through a request
        registers.setdefault((s.body["model"], s.body["alias"]), []).append(s)
    approved_requests(counting, registers, st, forks)

    aliases = []
    # SPEC 11: the order of `expect.aliases` is not specified; (model id, alias UTF-8 bytes) here.
    for (model, alias), writes in sorted(registers.items(), key=lambda kv: (kv[0][0], kv[0][1].encode())):
        live = live_heads(writes)
        if live:
            aliases.append({"model": model.hex(), "alias": alias, "heads": [w.env.id.hex() for w in live]})

    # SPEC 6.16 timelines: the records and rollbacks allowed at their place, by (model, environment), in
    # merge order; the last one serves. Not allowed ones still count (they are not held).
    timelines: dict[tuple[bytes, str], list[Stored]] = {}
    for s in counting:
        if s.env.kind not in ("deployment.record", "deployment.rollback"):
            continue
        need = max(ROLES["writer"], st.env_protection_before(s.body["environment"], s.env.order_key))
        if st.role_before(s.env.author, s.env.order_key) >= need:
            timelines.setdefault((s.body["model"], s.body["environment"]), []).append(s)
    deployments = [
        {"model": model.hex(), "environment": env, "stints": [w.env.id.hex() for w in sorted(ws, key=lambda w: w.env.order_key)],
         "serving": max(ws, key=lambda w: w.env.order_key).body["version"].hex()}
        for (model, env), ws in sorted(timelines.items(), key=lambda kv: (kv[0][0], kv[0][1].encode()))
    ]

    members = {}
    for k, m in st.members.items():
        members[k.hex()] = "removed" if m["removed"] else ROLE_NAMES[m["role"]]
    devices = {d.hex(): {"member": v["member"].hex(), "revoked": v["revoked"]} for d, v in st.devices.items()}
    return {"members": members, "devices": devices, "aliases": aliases,
            "held": sorted(h.hex() for h in held), "deployments": deployments}


@dataclass
class RequestWrite:
    """SPEC 6.15: the register write of an approved request (id = the request's, clock = the completing decision's)."""
    env: object


def tally(req: Stored, decisions: list[Stored], st: FoldState, forks: dict):
    """SPEC 6.15 tally: ("approved" | "rejected" | "open", the deciding decision or None)."""
    role, n, not_requester = st.rule_before(req.body["alias"], req.env.order_key)
    need, n = max(ROLES["writer"], role), max(1, n)
    requester = st.person(req.env.author)
    approvers = []
    for d in sorted(decisions, key=lambda d: d.env.order_key):
        e = d.env
        if (e.clock <= req.env.clock or is_cut(e, st.cuts, forks) or st.role_before(e.author, e.order_key) < need):
            continue
        if d.body["decision"] == "reject":
            return "rejected", d
        p = st.person(e.author)
        if (not_requester and p == requester) or p in approvers:
            continue
        approvers.append(p)
        if len(approvers) >= n:
            return "approved", d
    return "open", None


def archivals(counting: list[Stored]) -> dict:
    """Each archived version's earliest archival, as an order key."""
    archived = {}
    for s in counting:
        if s.env.kind == "model.version.archive":
            v = s.body["version"]
            archived[v] = min(archived.get(v, s.env.order_key), s.env.order_key)
    return archived


def approved_requests(counting: list[Stored], registers: dict, st: FoldState, forks: dict):
    """SPEC 6.15: adds each approved request's write to its register, in the order of completing decisions."""
    archived = archivals(counting)
    decisions = {}
    for s in counting:
        if s.env.kind == "model.promotion.decision":
            decisions.setdefault(s.body["request"], []).append(s)
    done = []
    for s in counting:
        if s.env.kind == "model.promotion.request":
            state, by = tally(s, decisions.get(s.env.id, []), st, forks)
            if state == "approved":
                done.append((by.env.order_key, s, by))
    moves: dict = {key: [(w.env.order_key, w) for w in ws] for key, ws in registers.items()}
    for at, req, by in sorted(done, key=lambda t: t[0]):
        key = (req.body["model"], req.body["alias"])
        if req.body["version"] in archived and archived[req.body["version"]] < at:
            continue  # expired: the version was archived first
        earlier = [w for ok, w in moves.get(key, []) if ok < at]
        if {w.env.id for w in live_heads(earlier)} != set(req.env.heads):
            continue  # expired: the alias moved on
        write = RequestWrite(env=SimpleNamespace(id=req.env.id, clock=by.env.clock, heads=list(req.env.heads)))
        moves.setdefault(key, []).append((at, write))
        registers.setdefault(key, []).append(write)


def live_heads(writes: list[Stored]) -> list[Stored]:
    """SPEC 9.2 with the heads lower bound of SPEC 7 (backdated writes are no writes)."""
    by_id = {w.env.id: w for w in writes}
    # SPEC 7/9.2: a write is backdated against the heads it names that are themselves allowed writes of
    # the same register (before the backdating filter); whether a backdated write still shields a later
    # write's comparison is not said. Here: compared against every allowed write it names.
    kept = []
    for w in writes:
        named = [by_id[h] for h in w.env.heads if h in by_id and h != w.env.id]
        if all(w.env.clock > h.env.clock for h in named):
            kept.append(w)
    kept_ids = {w.env.id for w in kept}
    superseded = set()
    for w in kept:
        for h in w.env.heads:
            if h in kept_ids and h != w.env.id:
                superseded.add(h)
    live = [w for w in kept if w.env.id not in superseded]
    # winner first: highest clock, then lowest id
    live.sort(key=lambda w: (-w.env.clock, w.env.id))
    return live


# ---------------------------------------------------------------------------------------------------
# Encoder (SPEC 5.1 "the encoder writes exactly this form") and spec-derived self-tests. The vectors do
# not isolate every rule (see the report), so these cases, written from the spec text alone, check the
# remaining ones. They exercise this implementation only; they are not part of the vectors.

def c_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise ValueError(n)


class Raw(bytes):
    """Pre-encoded CBOR, inserted verbatim."""


def cbor(v) -> bytes:
    if isinstance(v, Raw):
        return bytes(v)
    if v is None:
        return b"\xf6"
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return c_head(0, v) if v >= 0 else c_head(1, -1 - v)
    if isinstance(v, float):
        return b"\xfb" + struct.pack(">d", v)
    if isinstance(v, (bytes, bytearray)):
        return c_head(2, len(v)) + bytes(v)
    if isinstance(v, str):
        b = v.encode("utf-8")
        return c_head(3, len(b)) + b
    if isinstance(v, list):
        return c_head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        entries = sorted((cbor(k), cbor(x)) for k, x in v.items())
        return c_head(5, len(entries)) + b"".join(k + x for k, x in entries)
    raise TypeError(type(v))


def c_map_raw(entries: list[tuple[bytes, bytes]]) -> bytes:
    """A map with entries exactly as given (for out-of-order and non-text-key cases)."""
    return c_head(5, len(entries)) + b"".join(k + v for k, v in entries)


def body_ok(kind: str, body: bytes) -> str | None:
    try:
        check_body(kind, body)
        return None
    except BodyError as e:
        return str(e)


def self_tests(rep: "Report"):
    X = bytes(range(32))
    S = "profile"

    def expect(name, kind, body, valid):
        err = body_ok(kind, body)
        rep.check(S, name, (err is None) == valid,
                  f"{'rejected: ' + err if err else 'accepted'}, want {'valid' if valid else 'invalid_body'}"
                  f" (body {body.hex()})")

    tag = lambda **kw: cbor({"experiment": X, "key": "k", "value": "v", **kw})
    expect("experiment.tag baseline", "experiment.tag", tag(), True)
    # SPEC 6.14: provenance in a body of any kind.
    prov = {"system": "mlflow", "source": "http://mlflow.example.org:5000", "object": "experiment", "ids": {"experiment_id": "1"}}
    expect("an imported experiment.tag", "experiment.tag", tag(imported=prov), True)
    expect("provenance with an unknown field", "experiment.tag", tag(imported={**prov, "later": [1, 2]}), True)
    expect("provenance with a null user (absent)", "experiment.tag", tag(imported={**prov, "user": None}), True)
    expect("provenance as the state at import", "experiment.tag", tag(imported={**prov, "state_at_import": True, "updated": -5}), True)
    expect("provenance without ids", "experiment.tag", tag(imported={k: v for k, v in prov.items() if k != "ids"}), False)
    expect("provenance data holding a number", "experiment.tag", tag(imported={**prov, "data": {"k": 1}}), False)
    expect("provenance with a source over 2048 bytes", "experiment.tag", tag(imported={**prov, "source": "h" * 2049}), False)
    expect("a null provenance is absent", "experiment.tag", tag(imported=None), True)
    # The seven experiment.tag invalid vectors, repaired: `experiment` as a text key, not a byte string.
    def tag_with(raw_value: bytes, key=b"\x61k"):
        return c_map_raw([(cbor("key"), key), (cbor("value"), raw_value), (cbor("experiment"), cbor(X))])
    expect("repaired vector: 24 as 0x78 0x18 -> 0x78 0x03 for a 3-byte text", "experiment.tag",
           tag_with(cbor("v"), key=b"\x78\x03abc"), False)
    expect("repaired vector: indefinite-length text", "experiment.tag",
           tag_with(cbor("v"), key=b"\x7f\x63abc\xff"), False)
    expect("repaired vector: tag 0xc0 on a text", "experiment.tag", tag_with(b"\xc0" + cbor("2026")), False)
    expect("repaired vector: text that is not UTF-8", "experiment.tag", tag_with(b"\x62\xc3\x28"), False)
    expect("repaired vector: surrogate U+D800", "experiment.tag", tag_with(b"\x63\xed\xa0\x80"), False)
    expect("repaired vector: tag key not in NFC", "experiment.tag", tag(key="pre\u0301prod"), False)
    expect("tag key in NFC (non-ASCII)", "experiment.tag", tag(key="pr\u00e9prod"), True)
    nest = lambda d: c_map_raw([(cbor("key"), cbor("k")), (cbor("deep"), b"\x81" * d + cbor("v")),
                                (cbor("value"), cbor("v")), (cbor("experiment"), cbor(X))])
    # The body map is depth 0; the `deep` value is depth 1; with d arrays the innermost text is d + 1.
    expect("repaired vector: nesting 18 deep", "experiment.tag", nest(17), False)
    expect("nesting 17 deep (text at depth 17)", "experiment.tag", nest(16), False)
    expect("nesting 16 deep (text at depth 16) is allowed", "experiment.tag", nest(15), True)
    # heads
    for name, raw in (("0x19 for a value below 256", b"\x19\x00\x05"), ("0x1a for a value below 65536", b"\x1a\x00\x00\x01\x00"),
                      ("0x1b for a value below 2^32", b"\x1b\x00\x00\x00\x00\xff\xff\xff\xff"),
                      ("additional info 28", b"\x1c"), ("additional info 30", b"\x1e"),
                      ("simple value 0xf8 0x20", b"\xf8\x20"), ("undefined 0xf7", b"\xf7"), ("simple 0xe0", b"\xe0"),
                      ("break 0xff", b"\xff"), ("indefinite array", b"\x9f\xff"), ("indefinite map", b"\xbf\xff"),
                      ("indefinite bytes", b"\x5f\xff"), ("overlong UTF-8 c0 af", b"\x62\xc0\xaf"),
                      ("UTF-8 above U+10FFFF", b"\x64\xf4\x90\x80\x80"), ("surrogate U+DFFF", b"\x63\xed\xbf\xbf"),
                      ("text length beyond the end", b"\x78\x40ab"), ("array count beyond the end", b"\x9a\x00\x01\x00\x00")):
        expect(f"unknown field holding {name}", "experiment.tag",
               cbor({"experiment": X, "key": "k", "value": "v", "zzz": Raw(raw)}), False)
    for name, raw in (("0x18 0x18 (24)", b"\x18\x18"), ("uint 2^64 - 1", b"\x1b" + b"\xff" * 8), ("nint -2^64", b"\x3b" + b"\xff" * 8),
                      ("float NaN payload", b"\xfb\x7f\xf0\x00\x00\x00\x00\x00\x01"), ("float -0", b"\xfb\x80" + bytes(7)),
                      ("true", b"\xf5"), ("null", b"\xf6"), ("empty array", b"\x80"), ("empty map", b"\xa0"), ("empty text", b"\x60"),
                      ("4-byte UTF-8 U+10FFFF", b"\x64\xf4\x8f\xbf\xbf"), ("nested map", cbor({"b": 1, "a": [1, "x"]}))):
        expect(f"unknown field holding {name} is ignored", "experiment.tag",
               cbor({"experiment": X, "key": "k", "value": "v", "zzz": Raw(raw)}), True)
    expect("trailing byte after the body map", "experiment.tag", tag() + b"\x00", False)
    expect("body missing its last byte", "experiment.tag", tag()[:-1], False)
    expect("empty body", "experiment.tag", b"", False)
    expect("body is an array", "experiment.tag", cbor([X, "k", "v"]), False)
    expect("body is two maps", "experiment.tag", tag() + cbor({"a": 1}), False)
    expect("a byte-string map key", "experiment.tag", c_map_raw([(cbor(b"a"), cbor(1)), (cbor("experiment"), cbor(X)),
                                                                  (cbor("key"), cbor("k")), (cbor("value"), cbor("v"))]), False)
    expect("an integer map key", "experiment.tag", c_map_raw([(cbor(1), cbor(1)), (cbor("key"), cbor("k")), (cbor("value"), cbor("v")),
                                                               (cbor("experiment"), cbor(X))]), False)
    expect("a map key with a non-shortest head", "experiment.tag",
           c_map_raw([(cbor("key"), cbor("k")), (cbor("value"), cbor("v")), (b"\x78\x0aexperiment", cbor(X))]), False)
    expect("a duplicate map key", "experiment.tag",
           c_map_raw([(cbor("key"), cbor("k")), (cbor("key"), cbor("k")), (cbor("value"), cbor("v")), (cbor("experiment"), cbor(X))]), False)
    expect("longer key after shorter key (encoded order)", "experiment.tag",
           c_map_raw([(cbor("experiment"), cbor(X)), (cbor("key"), cbor("k")), (cbor("value"), cbor("v"))]), False)
    expect("canonically equivalent keys in an unknown map", "experiment.tag",
           cbor({"experiment": X, "key": "k", "value": "v", "zzz": {"\u00e9": 1, "e\u0301": 2}}), False)
    expect("equivalent keys at the top level (Å U+212B vs U+00C5)", "experiment.tag",
           cbor({"experiment": X, "key": "k", "value": "v", "\u212b": 1, "\u00c5": 2}), False)
    # field rules, 5.2
    expect("null is absence: required field null", "experiment.tag", tag(key=None), False)
    expect("required text empty", "experiment.tag", tag(key=""), False)
    expect("value may be empty", "experiment.tag", tag(value=""), True)
    expect("tag key 250 bytes", "experiment.tag", tag(key="k" * 250), True)
    expect("tag key 251 bytes", "experiment.tag", tag(key="k" * 251), False)
    expect("value 8000 bytes (in UTF-8 bytes)", "experiment.tag", tag(value="\u00e9" * 4000), True)
    expect("value 8001 bytes", "experiment.tag", tag(value="\u00e9" * 4000 + "x"), False)
    expect("id of 31 bytes", "experiment.tag", tag(experiment=X[:31]), False)
    expect("id as text", "experiment.tag", tag(experiment=X.hex()), False)
    genesis = lambda n: cbor({"name": n})
    expect("line: blank (U+3000, U+0085, tab)", "team.genesis", genesis("\u3000\u0085\t"), False)
    expect("line: U+200B is not White_Space", "team.genesis", genesis("\u200b"), True)
    expect("line: U+001C is not White_Space", "team.genesis", genesis("\u001c"), True)
    expect("line: 256 bytes", "team.genesis", genesis("x" * 256), True)
    expect("line: 257 bytes", "team.genesis", genesis("x" * 257), False)
    expect("line: not required to be NFC", "team.genesis", genesis("e\u0301"), True)
    expect("name: must be NFC", "experiment.create", cbor({"name": "e\u0301"}), False)
    expect("name: unassigned code point passes", "model.create", cbor({"name": "\U000e0fff"}), True)
    expect("model.create with null description", "model.create", cbor({"name": "m", "description": None}), True)
    rs = lambda **kw: cbor({"experiment": X, "name": "", **kw})
    expect("run.start: name may be empty", "run.start", rs(), True)
    expect("run.start: start_time i64 min", "run.start", rs(start_time=-(2 ** 63)), True)
    expect("run.start: start_time below i64", "run.start", rs(start_time=-(2 ** 63) - 1), False)
    expect("run.start: start_time above i64", "run.start", rs(start_time=2 ** 63), False)
    expect("run.start: git_dirty not bool", "run.start", rs(git_dirty=1), False)
    expect("run.start: git_commit 65 bytes", "run.start", rs(git_commit="0" * 65), False)
    expect("run.start: float start_time", "run.start", rs(start_time=1.0), False)
    rf = lambda st, **kw: cbor({"run": X, "status": st, **kw})
    expect("run.finish: finished", "run.finish", rf("finished", exit_code=-1), True)
    expect("run.finish: running rejected", "run.finish", rf("running"), False)
    expect("run.finish: Failed (case) rejected", "run.finish", rf("Failed"), False)
    tm = lambda m: cbor({"run": X, "params": m})
    expect("params: ok", "run.params", tm({"lr": "0.1", "opt": ""}), True)
    expect("params: empty map", "run.params", tm({}), False)
    expect("params: null value", "run.params", tm({"lr": None}), False)
    expect("params: int value", "run.params", tm({"lr": 1}), False)
    expect("params: empty key", "run.params", tm({"": "x"}), False)
    expect("params: key not NFC", "run.params", tm({"e\u0301": "x"}), False)
    expect("params: value 6001 bytes", "run.params", tm({"a": "x" * 6001}), False)
    expect("tags: value 8000 bytes", "run.tags", cbor({"run": X, "tags": {"a": "x" * 8000}}), True)
    pt = struct.pack(">qqd", 1, 2, 0.5)
    ms = lambda s: cbor({"run": X, "series": s})
    expect("series: two points", "run.metrics", ms({"loss": pt + pt}), True)
    expect("series: 25 bytes", "run.metrics", ms({"loss": pt + b"\x00"}), False)
    expect("series: empty bytes", "run.metrics", ms({"loss": b""}), False)
    expect("series: empty map", "run.metrics", ms({}), False)
    expect("series: text value", "run.metrics", ms({"loss": "x"}), False)
    expect("series: key not NFC", "run.metrics", ms({"e\u0301": pt}), False)
    # SPEC 6.16: deployments, production points, rules and alerts.
    dep = lambda **kw: cbor({"model": X, "version": X, "environment": "production", "reason": "better", **kw})
    expect("deployment.record", "deployment.record", dep(target="k8s/eu"), True)
    expect("deployment.record: blank reason", "deployment.record", dep(reason=" "), False)
    expect("deployment.record: environment not NFC", "deployment.record", dep(environment="pre\u0301prod"), False)
    expect("deployment.rollback", "deployment.rollback", dep(**{"from": X}), True)
    expect("monitor.points", "monitor.points", cbor({"model": X, "version": X, "environment": "p", "series": {"acc": pt}}), True)
    expect("monitor.points: 25 bytes", "monitor.points", cbor({"model": X, "version": X, "environment": "p", "series": {"acc": pt + b"\0"}}), False)
    rule = lambda **kw: cbor({"model": X, "environment": "production", "metric": "acc", "condition": "below",
                              "threshold": 0.8, "for_ms": 60000, **kw})
    expect("monitor.rule", "monitor.rule", rule(command="make retrain"), True)
    expect("monitor.rule: integer threshold", "monitor.rule", rule(threshold=1), False)
    expect("monitor.rule: NaN threshold", "monitor.rule", rule(threshold=float("nan")), False)
    expect("monitor.rule: unknown condition", "monitor.rule", rule(condition="sideways"), False)
    expect("monitor.rule: negative drift", "monitor.rule", rule(condition="drift", threshold=-1.0), False)
    expect("monitor.rule: drift with a baseline", "monitor.rule", rule(condition="drift", threshold=5.0, baseline="val_acc"), True)
    expect("monitor.rule: baseline on below", "monitor.rule", rule(baseline="val_acc"), False)
    expect("monitor.rule: removal", "monitor.rule", cbor({"model": X, "environment": "production", "remove": X}), True)
    expect("monitor.rule: removal with a metric", "monitor.rule", rule(remove=X), False)
    al = lambda **kw: cbor({"rule": X, "model": X, "version": X, "environment": "p", "metric": "acc", "points": pt,
                            "summary": "acc below 0.8", **kw})
    expect("monitor.alert", "monitor.alert", al(baseline=0.9), True)
    expect("monitor.alert: no points", "monitor.alert", al(points=b""), False)
    expect("monitor.alert: 4097 points", "monitor.alert", al(points=pt * 4097), False)
    expect("team.environment.protect", "team.environment.protect", cbor({"environment": "production", "role": "maintainer"}), True)
    expect("team.environment.protect: unknown role", "team.environment.protect", cbor({"environment": "production", "role": "boss"}), False)
    fl = lambda p, **kw: {"path": p, "sha256": X, "size": 1, **kw}
    art = lambda *fs: cbor({"run": X, "files": list(fs)})
    expect("artifacts: nested path", "run.artifacts", art(fl("a/b.c"), fl("a/b.c")), True)
    expect("artifacts: dotfile segment", "run.artifacts", art(fl(".a/..b/...")), True)
    for p in ("a/./b", "a/", ".", "..", "a\x00b", "x" * 1025):
        expect(f"artifacts: path {p[:12]!r}", "run.artifacts", art(fl(p)), False)
    expect("artifacts: path 1024 bytes", "run.artifacts", art(fl("x" * 1024)), True)
    expect("artifacts: no files", "run.artifacts", art(), False)
    expect("artifacts: files absent", "run.artifacts", cbor({"run": X}), False)
    expect("artifacts: only removals", "run.artifacts", cbor({"run": X, "removed": ["a/b.c"]}), True)
    expect("artifacts: removal of an unsafe path", "run.artifacts", cbor({"run": X, "removed": ["../b"]}), False)
    expect("artifacts: item not a map", "run.artifacts", art("a"), False)
    expect("artifacts: size 2^63", "run.artifacts", art(fl("a", size=2 ** 63)), False)
    expect("artifacts: size 2^63 - 1", "run.artifacts", art(fl("a", size=2 ** 63 - 1)), True)
    expect("artifacts: negative size", "run.artifacts", art(fl("a", size=-1)), False)
    expect("artifacts: sha256 31 bytes", "run.artifacts", art(fl("a", sha256=X[:31])), False)
    expect("artifacts: null sha256", "run.artifacts", art(fl("a", sha256=None)), False)
    expect("artifacts: unknown field in a file map", "run.artifacts", art(fl("a", mode=0o644)), True)
    mv = lambda **kw: cbor({"model": X, "claimed_number": 1, **kw})
    expect("version: no files", "model.version.create", mv(), True)
    expect("version: empty files", "model.version.create", mv(files=[]), True)
    expect("version: claimed_number 0", "model.version.create", mv(claimed_number=0), False)
    expect("version: claimed_number missing", "model.version.create", mv(claimed_number=None), False)
    pr = lambda **kw: cbor({"model": X, "version": X, "alias": "production", "reason": "r", **kw})
    expect("promote: evidence", "model.promote", pr(evidence=["a", "b"]), True)
    expect("promote: empty evidence item", "model.promote", pr(evidence=[""]), False)
    expect("promote: null evidence item", "model.promote", pr(evidence=[None]), False)
    expect("promote: evidence item 1025 bytes", "model.promote", pr(evidence=["x" * 1025]), False)
    expect("promote: alias 65 bytes", "model.promote", pr(alias="a" * 65), False)
    expect("promote: blank alias", "model.promote", pr(alias=" "), False)
    expect("demote: reason missing", "model.demote", cbor({"model": X, "alias": "a"}), False)
    # SPEC 6.1 and 6.15: approvals on a protection, requests and decisions.
    ap = lambda **kw: cbor({"alias": "production", "role": "maintainer", **kw})
    expect("protect: approvals 1", "team.alias.protect", ap(approvals=1), True)
    expect("protect: approvals 32 and not_requester", "team.alias.protect", ap(approvals=32, not_requester=True), True)
    expect("protect: not_requester false with approvals", "team.alias.protect", ap(approvals=2, not_requester=False), True)
    expect("protect: approvals 0", "team.alias.protect", ap(approvals=0), False)
    expect("protect: approvals 33", "team.alias.protect", ap(approvals=33), False)
    expect("protect: negative approvals", "team.alias.protect", ap(approvals=-1), False)
    expect("protect: not_requester alone", "team.alias.protect", ap(not_requester=True), False)
    expect("protect: not_requester as text", "team.alias.protect", ap(approvals=1, not_requester="yes"), False)
    expect("request: with evidence", "model.promotion.request", cbor({"model": X, "version": X, "alias": "p", "reason": "r", "evidence": ["a"]}), True)
    expect("request: no reason", "model.promotion.request", cbor({"model": X, "version": X, "alias": "p"}), False)
    dc = lambda **kw: cbor({"request": X, "decision": "approve", "reason": "r", **kw})
    expect("decision: approve", "model.promotion.decision", dc(), True)
    expect("decision: reject", "model.promotion.decision", dc(decision="reject"), True)
    expect("decision: Approve (case)", "model.promotion.decision", dc(decision="Approve"), False)
    expect("decision: request 31 bytes", "model.promotion.decision", dc(request=X[:31]), False)
    expect("decision: blank reason", "model.promotion.decision", dc(reason="\u3000"), False)
    expect("comment: reply_to", "comment.add", cbor({"target": X, "text": "t", "reply_to": X}), True)
    expect("comment: blank text", "comment.add", cbor({"target": X, "text": "\n"}), False)
    ma = lambda **kw: cbor({"member": X, "role": "writer", **kw})
    expect("member.add: ok", "team.member.add", ma(name=""), True)
    expect("member.add: role owner", "team.member.add", ma(role="owner"), False)
    expect("member.add: key 33 bytes", "team.member.add", ma(member=X + b"\x00"), False)
    Y, SIG = bytes(range(1, 33)), b"\x07" * 64
    expect("rotation: replaces, consent, chain_end", "team.member.add", ma(replaces=Y, consent=SIG, chain_end=0), True)
    expect("rotation: no chain_end", "team.member.add", ma(replaces=Y, consent=SIG), True)
    expect("rotation: replaces without consent", "team.member.add", ma(replaces=Y), False)
    expect("rotation: replaces with null consent", "team.member.add", ma(replaces=Y, consent=None), False)
    expect("rotation: consent 65 bytes", "team.member.add", ma(replaces=Y, consent=SIG + b"\x00"), False)
    expect("rotation: consent as text", "team.member.add", ma(replaces=Y, consent="x" * 64), False)
    expect("rotation: replaces 31 bytes", "team.member.add", ma(replaces=Y[:31], consent=SIG), False)
    expect("rotation: key replacing itself", "team.member.add", ma(replaces=X, consent=SIG), False)
    expect("rotation: chain_end negative", "team.member.add", ma(replaces=Y, consent=SIG, chain_end=-1), False)
    expect("rotation: chain_end without replaces", "team.member.add", ma(chain_end=3), False)
    expect("rotation: consent without replaces", "team.member.add", ma(consent=SIG), False)
    expect("rotation: null consent and chain_end without replaces (null is absence)", "team.member.add",
           ma(consent=None, chain_end=None, replaces=None), True)
    ce = lambda n: cbor({"member": X, "reason": "r", "chain_ends": [{"author": bytes([i]) * 32, "seq": 0} for i in range(n)]})
    expect("member.remove: 32 chain ends", "team.member.remove", ce(32), True)
    expect("member.remove: 33 chain ends", "team.member.remove", ce(33), False)
    expect("member.remove: chain end seq negative", "team.member.remove",
           cbor({"member": X, "reason": "r", "chain_ends": [{"author": X, "seq": -1}]}), False)
    expect("member.remove: chain end seq null", "team.member.remove",
           cbor({"member": X, "reason": "r", "chain_ends": [{"author": X, "seq": None}]}), False)
    expect("alias.protect: role maintainer", "team.alias.protect", cbor({"alias": "prod", "role": "maintainer"}), True)
    expect("device.link: no label", "identity.device.link", cbor({"device": X}), True)
    expect("profile: email 257 bytes", "identity.profile", cbor({"name": "n", "email": "e" * 257}), False)
    expect("describe: empty description", "model.describe", cbor({"model": X, "description": ""}), True)
    expect("describe: description missing", "experiment.describe", cbor({"experiment": X}), False)
    expect("archive: ok", "model.version.archive", cbor({"model": X, "version": X, "reason": "old"}), True)

    # Envelope layout and receiver steps on synthetic events.
    A = "envelope"
    pk, sk = keypair_from_seed(b"\x07" * 32)
    g = encode_envelope(ZERO_ID, pk, 1, ZERO_ID, 5 << 16, "team.genesis", [], cbor({"name": "t"}))
    gid = blake2b256(g)
    rep.check(A, "genesis envelope size 134 + K + B", len(g) == 134 + 12 + len(cbor({"name": "t"})))
    def outcome(rc, raw, sig=None):
        try:
            return rc.receive(raw, sign(sk, raw) if sig is None else sig)
        except Reject as e:
            return e.code
    rc = Receiver(None, 5)
    rep.check(A, "genesis accepted by a receiver without a team", outcome(rc, g) == "accepted")
    rep.check(A, "team id is the genesis id", rc.team == gid)
    rep.check(A, "second genesis: wrong_team (its team is its own id)",
              outcome(rc, encode_envelope(ZERO_ID, pk, 1, ZERO_ID, 6 << 16, "team.genesis", [], cbor({"name": "u"}))) == "wrong_team")
    ev = lambda seq, prev, clock, body=None, kind="experiment.create", heads=(): encode_envelope(
        gid, pk, seq, prev, clock, kind, list(heads), cbor(body or {"name": "e%d" % clock}))
    e2 = ev(2, gid, (5 << 16) + 1)
    rep.check(A, "seq 2 accepted", outcome(rc, e2) == "accepted")
    rep.check(A, "future limit: exactly 10 minutes ahead accepted",
              outcome(rc, ev(3, blake2b256(e2), (5 + 600000) << 16)) == "accepted")
    rep.check(A, "future limit: 1 ms more refused",
              outcome(rc, ev(3, blake2b256(e2), (5 + 600001) << 16)) == "clock_in_future")
    rep.check(A, "invalid body is checked after the future limit",
              outcome(rc, ev(3, blake2b256(e2), (5 + 600001) << 16, {"name": ""})) == "clock_in_future")
    rep.check(A, "invalid body before seq_gap", outcome(rc, ev(9, blake2b256(e2), 99 << 16, {"name": ""})) == "invalid_body")
    rep.check(A, "bad signature before wrong_team", outcome(Receiver(b"\x01" * 32, 5), e2, b"\x00" * 64) == "bad_signature")
    rep.check(A, "signature with S >= L refused", not verify(pk, e2, sign(sk, e2)[:32] + (2 ** 253 + 27742317777372353535851937790883648493).to_bytes(32, "little")))
    rep.check(A, "unknown kind before head count", outcome(rc, e2[:128] + b"\x03foo") == "unknown_kind")
    rep.check(A, "kind not UTF-8 is unknown_kind", outcome(rc, e2[:128] + b"\x02\xff\xfe" + e2[129 + 18:]) == "unknown_kind")
    rep.check(A, "kind length beyond the end", outcome(rc, e2[:128] + b"\x40run") == "malformed")
    rep.check(A, "15 bytes", outcome(rc, MAGIC[:15]) == "malformed")
    rep.check(A, "wrong magic", outcome(rc, b"mledger/event/v2" + e2[16:]) == "malformed")
    hdr = e2[:-len(cbor({"name": "e%d" % ((5 << 16) + 1)})) - 4]
    fill = MAX_ENVELOPE - len(hdr) - 4
    big = hdr + struct.pack(">I", fill) + b"\x00" * fill
    rep.check(A, "exactly 1 MiB is not oversized", len(big) == MAX_ENVELOPE and outcome(rc, big, b"\x00" * 64) == "bad_signature")
    rep.check(A, "1 MiB + 1 is oversized", outcome(rc, big + b"\x00", b"\x00" * 64) == "oversized")

    # Team authority (2.3), counting and registers (9.2) on synthetic chains (no receiver needed).
    V_ = "authority"
    keys = {n: keypair_from_seed(bytes([b]) * 32) for n, b in (("a", 0x11), ("b", 0x12), ("c", 0x13), ("d", 0x14),
                                                               ("e", 0x15), ("f", 0x16))}
    P = {n: k[0] for n, k in keys.items()}

    class Chain:
        def __init__(self):
            self.events: list[Stored] = []
            self.last: dict[bytes, Envelope] = {}
            self.team = ZERO_ID

        def add(self, who, clock, kind, body, heads=(), seq=None, prev=None):
            pkk = P[who]
            last = self.last.get(pkk)
            s = seq if seq is not None else (last.seq + 1 if last else 1)
            p = prev if prev is not None else (last.id if last else ZERO_ID)
            raw = encode_envelope(ZERO_ID if kind == "team.genesis" else self.team, pkk, s, p, clock, kind,
                                  list(heads), cbor(body))
            e = parse_envelope(raw)
            self.events.append(Stored(e, b"", check_body(kind, e.body)))
            self.last[pkk] = e
            if kind == "team.genesis":
                self.team = e.id
            return e

        def link(self, who, clock, device, consent=True):
            """A device link by `who`; `device` consents (SPEC 2.2) unless told not to."""
            body = {"device": P[device]}
            if consent:
                body["consent"] = sign(keys[device][1], LINK_TAG + self.team + P[who] + P[device])
            return self.add(who, clock, "identity.device.link", body)

    def view(ch):
        a = derive_view(ch.events)
        b = derive_view(list(reversed(ch.events)))
        rep.check(V_, "view independent of storage order", a == b)
        return a

    # 1. Re-fold: b (admin) removes c, but b's removal was signed after b's own chain end kept by a's
    #    removal of b, though dated before it: b's removal is cut, so c stays a member.
    ch = Chain()
    ch.add("a", 1, "team.genesis", {"name": "t"})
    ch.add("a", 2, "team.member.add", {"member": P["b"], "role": "admin"})
    ch.add("a", 3, "team.member.add", {"member": P["c"], "role": "writer"})
    rb = ch.add("b", 10, "team.member.remove", {"member": P["c"], "reason": "x"})
    ra = ch.add("a", 20, "team.member.remove", {"member": P["b"], "reason": "y",
                                                "chain_ends": [{"author": P["b"], "seq": 0}]})
    w = ch.add("c", 15, "experiment.create", {"name": "c-exp"})
    v = view(ch)
    rep.check(V_, "removal signed past its author's chain end is cut; its target stays",
              v["members"].get(P["c"].hex()) == "writer" and v["members"].get(P["b"].hex()) == "removed",
              json.dumps(v["members"]))
    rep.check(V_, "cut removal is held, its target's event counts", v["held"] == [rb.id.hex()], json.dumps(v["held"]))
    # 2. Chain end kept: the same with chain end seq 1 keeps b's removal of c.
    ch.events = [s for s in ch.events if s.env.id != ra.id]
    ch.add("a", 20, "team.member.remove", {"member": P["b"], "reason": "y",
                                           "chain_ends": [{"author": P["b"], "seq": 1}]})
    v = view(ch)
    rep.check(V_, "removal within the chain end stands", v["members"].get(P["c"].hex()) == "removed"
              and sorted(v["held"]) == [w.id.hex()], json.dumps(v))
    # 3. Fork cut: d forks at seq 1; seqs up to 17 count, 18 does not (16 past the lowest forked seq).
    ch = Chain()
    ch.add("a", 1, "team.genesis", {"name": "t"})
    ch.add("a", 2, "team.member.add", {"member": P["d"], "role": "writer"})
    first = ch.add("d", 3, "experiment.create", {"name": "x"})
    ch.add("d", 4, "experiment.create", {"name": "y"}, seq=1, prev=ZERO_ID)
    for i in range(2, 19):
        last = ch.add("d", 3 + i * 2, "experiment.create", {"name": f"n{i}"})
    v = view(ch)
    rep.check(V_, "fork bound: seq 18 past a fork at seq 1 is held, seq 17 is not",
              v["held"] == [last.id.hex()] and last.seq == 18, json.dumps(v["held"]))
    # 4. Device link: a device of a writer acts as writer; a re-add of the member raises its device.
    ch = Chain()
    ch.add("a", 1, "team.genesis", {"name": "t"})
    ch.add("a", 2, "team.member.add", {"member": P["b"], "role": "reader"})
    ch.link("b", 3, "d")
    p1 = ch.add("d", 4, "identity.profile", {"name": "d"})
    e1 = ch.add("d", 5, "experiment.create", {"name": "d1"})
    ch.add("a", 6, "team.member.add", {"member": P["b"], "role": "writer"})
    e2_ = ch.add("d", 7, "experiment.create", {"name": "d2"})
    bad = ch.link("d", 8, "c")  # a device cannot link
    addd = ch.add("a", 9, "team.member.add", {"member": P["d"], "role": "admin"})  # not a linked device
    ch.add("a", 10, "team.member.remove", {"member": P["b"], "reason": "gone"})
    e3 = ch.add("d", 11, "experiment.create", {"name": "d3"})
    v = view(ch)
    rep.check(V_, "device: reader role allows a profile, not a write; re-add raises the device",
              sorted(v["held"]) == sorted(x.id.hex() for x in (e1, bad, addd, e3)), json.dumps(v["held"]))
    rep.check(V_, "device of a removed member is listed, not revoked (this implementation's reading, SPEC 2.2/2.3)",
              v["devices"] == {P["d"].hex(): {"member": P["b"].hex(), "revoked": False}}, json.dumps(v["devices"]))
    # 5. Register: concurrent promotions -> two live heads, highest clock first; a resolving write.
    ch = Chain()
    ch.add("a", 1, "team.genesis", {"name": "t"})
    ch.add("a", 2, "team.member.add", {"member": P["b"], "role": "writer"})
    M = b"\x09" * 32
    pa = ch.add("a", 5, "model.promote", {"model": M, "version": X, "alias": "prod", "reason": "r"})
    pb = ch.add("b", 6, "model.promote", {"model": M, "version": X, "alias": "prod", "reason": "r"})
    v = view(ch)
    rep.check(V_, "conflict: live heads winner (highest clock) first",
              v["aliases"] == [{"model": M.hex(), "alias": "prod", "heads": [pb.id.hex(), pa.id.hex()]}], json.dumps(v["aliases"]))
    ch.add("a", 7, "team.alias.protect", {"alias": "prod", "role": "admin"})
    pb2 = ch.add("b", 8, "model.demote", {"model": M, "alias": "prod", "reason": "r"}, heads=[pa.id, pb.id])
    v = view(ch)
    rep.check(V_, "writer's write of an admin-protected alias is no write (and not held)",
              v["aliases"][0]["heads"] == [pb.id.hex(), pa.id.hex()] and v["held"] == [], json.dumps(v))
    pa2 = ch.add("a", 9, "model.demote", {"model": M, "alias": "prod", "reason": "r"}, heads=[pa.id, pb.id])
    v = view(ch)
    rep.check(V_, "resolving write leaves itself as the only live head",
              v["aliases"][0]["heads"] == [pa2.id.hex()], json.dumps(v["aliases"]))
    # 6. Self-revocation (2.2, 2.3): a member revokes a device they linked, whatever their role; not
    #    another member's device; not from a device key; not once the device is revoked.
    ch = Chain()
    ch.add("a", 1, "team.genesis", {"name": "t"})
    ch.add("a", 2, "team.member.add", {"member": P["b"], "role": "reader"})
    ch.add("a", 3, "team.member.add", {"member": P["c"], "role": "writer"})
    ch.link("b", 4, "d")
    ch.link("c", 5, "e")
    other = ch.add("b", 6, "team.member.remove", {"member": P["e"], "reason": "not mine",
                                                  "chain_ends": [{"author": P["e"], "seq": 0}]})
    from_dev = ch.add("d", 7, "team.member.remove", {"member": P["d"], "reason": "from the device itself"})
    e_ok = ch.add("e", 8, "experiment.create", {"name": "e1"})
    own = ch.add("b", 9, "team.member.remove", {"member": P["d"], "reason": "stolen",
                                                "chain_ends": [{"author": P["d"], "seq": 1}]})
    again = ch.add("b", 10, "team.member.remove", {"member": P["d"], "reason": "again"})
    thief = ch.add("d", 8, "identity.profile", {"name": "thief"})  # seq 2, dated before the revocation
    v = view(ch)
    rep.check(V_, "self-revocation: a member cannot revoke another member's device",
              other.id.hex() in v["held"] and e_ok.id.hex() not in v["held"]
              and v["devices"][P["e"].hex()]["revoked"] is False, json.dumps(v))
    rep.check(V_, "self-revocation: a reader revokes their own device; the device's later event is cut",
              v["devices"][P["d"].hex()] == {"member": P["b"].hex(), "revoked": True}
              and own.id.hex() not in v["held"] and thief.id.hex() in v["held"], json.dumps(v))
    rep.check(V_, "self-revocation: not by the device itself, nor twice",
              from_dev.id.hex() in v["held"] and again.id.hex() in v["held"], json.dumps(v["held"]))
    # 6b. A link needs the device's consent to this member (2.2): none, or one given to another member,
    #     links nothing, and the key's events count nowhere; the consented link then stands.
    ch = Chain()
    ch.add("a", 1, "team.genesis", {"name": "t"})
    ch.add("a", 2, "team.member.add", {"member": P["b"], "role": "writer"})
    bare = ch.link("b", 3, "d", consent=False)
    elsewhere = ch.add("b", 4, "identity.device.link",
                       {"device": P["d"], "consent": sign(keys["d"][1], LINK_TAG + ch.team + P["a"] + P["d"])})
    early = ch.add("d", 5, "experiment.create", {"name": "unlinked"})
    ch.link("b", 6, "d")
    late = ch.add("d", 7, "experiment.create", {"name": "linked"})
    v = view(ch)
    rep.check(V_, "device link: without the device's consent to this member nothing is linked",
              sorted(v["held"]) == sorted(x.id.hex() for x in (bare, elsewhere, early))
              and late.id.hex() not in v["held"] and v["devices"][P["d"].hex()]["member"] == P["b"].hex(), json.dumps(v))
    # 7. Key rotation (2.2, 2.3): consent by the old key over mledger/rotate/v1 || team || old || new.
    def consent(team, old, new, signer=None):
        return sign(keys[signer or old][1], ROTATE_TAG + team + P[old] + P[new])

    def rotation(team_ch):
        ch = Chain()
        ch.add("a", 1, "team.genesis", {"name": "t"})
        ch.add("a", 2, "team.member.add", {"member": P["b"], "role": "writer", "name": "Bob"})
        ch.link("b", 3, "d")
        ch.link("b", 4, "e")
        ch.add("b", 5, "team.member.remove", {"member": P["e"], "reason": "lost"})
        return ch

    ch = rotation(None)
    rot = lambda cs, clock, **kw: ch.add("a", clock, "team.member.add", {"member": P["c"], "role": "maintainer",
                                                                         "replaces": P["b"], "consent": cs, **kw})
    other_team = blake2b256(b"another team")
    bad1 = rot(consent(ch.team, "b", "c", signer="c"), 6)          # signed by the new key, not the old
    bad2 = rot(consent(other_team, "b", "c"), 7)                   # the old key's consent for another team
    bad3 = rot(consent(ch.team, "b", "f"), 8)                      # consent for another new key
    v = view(ch)
    rep.check(V_, "rotation: consent not by the old key, under another team, or for another key is refused",
              all(x.id.hex() in v["held"] for x in (bad1, bad2, bad3))
              and v["members"] == {P["a"].hex(): "admin", P["b"].hex(): "writer"}
              and v["devices"][P["d"].hex()]["member"] == P["b"].hex(), json.dumps(v))
    b_before = ch.add("b", 8, "experiment.create", {"name": "b-before"})    # seq 4: within chain_end
    b_backdated = ch.add("b", 9, "experiment.create", {"name": "b-late"})   # seq 5: past chain_end
    ok_rot = rot(consent(ch.team, "b", "c"), 10, chain_end=4)
    d_after = ch.add("d", 11, "experiment.create", {"name": "d-after"})
    c_after = ch.add("c", 12, "team.alias.protect", {"alias": "x", "role": "reader"})  # maintainer: not admin
    b_after = ch.add("b", 13, "identity.profile", {"name": "old"})
    v = view(ch)
    st, _ = authority(ch.events)
    rep.check(V_, "rotation: old key removed and replaced, keeping its name; new key gets role and the old name",
              v["members"] == {P["a"].hex(): "admin", P["b"].hex(): "removed", P["c"].hex(): "maintainer"}
              and st.members[P["b"]]["replaced_by"] == P["c"] and st.members[P["b"]]["name"] == "Bob"
              and st.members[P["c"]]["name"] == "Bob", json.dumps(v["members"]))
    rep.check(V_, "rotation: unrevoked devices move to the new key with its role; a revoked one stays",
              v["devices"] == {P["d"].hex(): {"member": P["c"].hex(), "revoked": False},
                               P["e"].hex(): {"member": P["b"].hex(), "revoked": True}}
              and st.current_role(P["d"]) == ROLES["maintainer"] and d_after.id.hex() not in v["held"],
              json.dumps(v["devices"]))
    rep.check(V_, "rotation: old key's events past chain_end are cut, within it count, after it have no role",
              b_backdated.id.hex() in v["held"] and b_before.id.hex() not in v["held"]
              and b_after.id.hex() in v["held"] and ok_rot.id.hex() not in v["held"]
              and c_after.id.hex() in v["held"], json.dumps(v["held"]))
    again = rot(consent(ch.team, "b", "c"), 14)
    v = view(ch)
    rep.check(V_, "rotation: a replaced (removed) key cannot be rotated again", again.id.hex() in v["held"])
    # The new key may revoke the devices that moved to it (2.3 "a device linked by the author", read as
    # the device's current member).
    rv = ch.add("c", 15, "team.member.remove", {"member": P["d"], "reason": "moved, then lost"})
    v = view(ch)
    rep.check(V_, "rotation: the new key revokes a device moved to it",
              rv.id.hex() not in v["held"] and v["devices"][P["d"].hex()]["revoked"] is True, json.dumps(v))
    # A rotation onto an existing member key, or by a non-admin, is refused.
    ch = rotation(None)
    ch.add("a", 6, "team.member.add", {"member": P["c"], "role": "reader"})
    onto = rot(consent(ch.team, "b", "c"), 7)
    by_writer = ch.add("b", 8, "team.member.add", {"member": P["f"], "role": "writer", "replaces": P["b"],
                                                   "consent": consent(ch.team, "b", "f")})
    v = view(ch)
    rep.check(V_, "rotation: onto a member key, or signed by a non-admin, is refused",
              onto.id.hex() in v["held"] and by_writer.id.hex() in v["held"]
              and v["members"][P["b"].hex()] == "writer", json.dumps(v))


# ---------------------------------------------------------------------------------------------------
# Running the vectors (SPEC 11)

class Report:
    def __init__(self):
        self.counts: dict[str, list[int]] = {}
        self.failures: list[str] = []

    def check(self, section: str, name: str, ok: bool, detail: str = ""):
        c = self.counts.setdefault(section, [0, 0])
        c[0] += 1
        if not ok:
            c[1] += 1
            self.failures.append(f"FAIL [{section}] {name}" + (f": {detail}" if detail else ""))
            print(self.failures[-1])


def h(x: str) -> bytes:
    return bytes.fromhex(x)


def run(path: str) -> int:
    with open(path, encoding="utf-8") as fh:
        vec = json.load(fh)
    rep = Report()
    rep.check("format", "format string", vec.get("format") == "mledger event test vectors, version 1",
              repr(vec.get("format")))

    # 1. keys ------------------------------------------------------------------------------------
    secret: dict[bytes, bytes] = {}
    for k in vec["keys"]:
        pk, sk = keypair_from_seed(h(k["seed"]))
        secret[pk] = sk
        rep.check("keys", k["name"], pk.hex() == k["public_key"].lower(),
                  f"derived {pk.hex()} expected {k['public_key']}")
    rep.check("keys", "fingerprint example (2.1)",
              fingerprint(h("8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"))
              == "8a88:e3dd:7409:f195")
    # SPEC 11: the vectors use seeds 01..05 (alice, bob, carol, a device, mallory).
    for b in range(1, 6):
        pk, sk = keypair_from_seed(bytes([b]) * 32)
        secret.setdefault(pk, sk)

    # 2. valid ------------------------------------------------------------------------------------
    valid_by_id: dict[bytes, tuple[bytes, bytes]] = {}
    chain = Receiver(None, 1767225600000)
    n_valid = len(vec["valid"])
    for i, v in enumerate(vec["valid"]):
        name = v["name"]
        f = v["fields"]
        raw = h(v["bytes"])
        sig = h(v["signature"])
        try:
            enc = encode_envelope(h(f["team"]), h(f["author"]), f["seq"], h(f["prev"]), int(f["clock"]),
                                  f["kind"], [h(x) for x in f["heads"]], h(f["body"]))
            rep.check("valid", f"{name}: encode", enc == raw, f"encoded {enc.hex()}")
        except Exception as e:
            rep.check("valid", f"{name}: encode", False, repr(e))
        sk = secret.get(h(f["author"]))
        if sk is None:
            rep.check("valid", f"{name}: sign", False, "no seed gives the author key")
        else:
            rep.check("valid", f"{name}: sign", sign(sk, raw) == sig)
        rep.check("valid", f"{name}: id", blake2b256(raw).hex() == v["id"])
        rep.check("valid", f"{name}: signature verifies", verify(h(f["author"]), raw, sig))
        try:
            env = parse_envelope(raw)
            got = {"team": env.team.hex(), "author": env.author.hex(), "prev": env.prev.hex(),
                   "seq": env.seq, "clock": str(env.clock), "kind": env.kind,
                   "heads": [x.hex() for x in env.heads], "body": env.body.hex()}
            want = {k: f[k] for k in got}
            rep.check("valid", f"{name}: decode", got == want, f"decoded {got}")
        except Reject as e:
            rep.check("valid", f"{name}: decode", False, str(e))
            continue
        try:
            check_body(env.kind, env.body)
            rep.check("valid", f"{name}: body valid", True)
            decoded = body_to_json(decode_body(env.body))
            rep.check("valid", f"{name}: body_decoded (informative)", decoded == f["body_decoded"],
                      f"{decoded} vs {f['body_decoded']}")
        except BodyError as e:
            rep.check("valid", f"{name}: body valid", False, str(e))
        valid_by_id[env.id] = (raw, sig)
        # Extra: the valid events, in order, through one receiver. The last is the other side of a fork.
        try:
            out = chain.receive(raw, sig)
        except Reject as e:
            out = e.code
        want_out = "fork" if i == n_valid - 1 else "accepted"
        rep.check("valid", f"{name}: receiver outcome", out == want_out, f"got {out}, want {want_out}")
    # SPEC 6.8 examples
    t = h("1a8bc275566e7e278b18475d7dbb5d7e5d656b1ef933a66ec08bda959b2ae5d1")
    rep.check("valid", "entity id experiment mnist (6.8)", entity_id("experiment", t, "mnist").hex()
              == "2ea99c006fa180d96e1130a533cbd478da8c85053b1bfe5bd7665abd5678cc3c")
    rep.check("valid", "entity id model digits (6.8)", entity_id("model", t, "digits").hex()
              == "c98a21357587cfa9cd5d40fa276467526d79c8dd3cad9da40a8a88f87b75292a")

    # 3. invalid ----------------------------------------------------------------------------------
    for v in vec["invalid"]:
        name = v["name"]
        if "bytes" in v:
            raw = h(v["bytes"])
        else:
            raw = h(v["bytes_head"]) + h(v["fill_byte"]) * v["fill_count"]
        sig = h(v["signature"])
        rc = Receiver(h(v["team"]) if v.get("team") is not None else None, v["now_ms"])
        missing = [x for x in v["holds"] if h(x) not in valid_by_id]
        if missing:
            rep.check("invalid", name, False, f"holds unknown valid ids {missing}")
            continue
        for x in v["holds"]:
            r_raw, r_sig = valid_by_id[h(x)]
            e = parse_envelope(r_raw)
            rc.put(e, r_sig, check_body(e.kind, e.body))
        try:
            got = rc.receive(raw, sig)
            why = ""
        except Reject as e:
            got, why = e.code, e.why
        rep.check("invalid", name, got == v["error"], f"got {got} ({why}), want {v['error']}")

    # 4. views ------------------------------------------------------------------------------------
    for v in vec["views"]:
        name = v["name"]
        events = [(h(x["bytes"]), h(x["signature"])) for x in v["events"]]
        for oname, order in orders(events):
            rc = Receiver(None, 1767225600000)  # SPEC 11: views give no now_ms; the vectors' now_ms is used
            ok = True
            for raw, sig in order:
                try:
                    out = rc.receive(raw, sig)
                except Reject as e:
                    out = e.code
                if out not in ("accepted", "fork"):
                    rep.check("views", f"{name} [{oname}]: store", False,
                              f"event {blake2b256(raw).hex()[:12]} gave {out}")
                    ok = False
            if not ok:
                continue
            got = derive_view(list(rc.by_id.values()))
            exp = v["expect"]
            # `deployments` (SPEC 6.16) is checked where a vector states it.
            for part in ("members", "devices", "aliases", "held") + (("deployments",) if "deployments" in exp else ()):
                rep.check("views", f"{name} [{oname}]: {part}", got[part] == exp.get(part),
                          f"got {json.dumps(got[part])}, want {json.dumps(exp.get(part))}")

    # 5. spec-derived self-tests (not vectors) ---------------------------------------------------------
    self_tests(rep)

    # summary ---------------------------------------------------------------------------------------
    print("independent verifier summary:")
    total = failed = 0
    for sec, (n, bad) in rep.counts.items():
        total += n
        failed += bad
        print(f"  {sec:8s} {n - bad:4d}/{n:<4d} checks passed")
    print(f"  total    {total - failed:4d}/{total:<4d} checks passed, {failed} failed")
    return 1 if failed else 0


def orders(events: list[tuple[bytes, bytes]]):
    """The given order, and other orders that keep each author's chain in seq order (genesis first)."""
    yield "given", events
    parsed = [(parse_envelope(r), r, s) for r, s in events]
    genesis = [x for x in parsed if x[0].kind == "team.genesis"]
    rest = [x for x in parsed if x[0].kind != "team.genesis"]
    gauthor = genesis[0][0].author if genesis else None
    # Every other author before the genesis author's later events, authors in reverse first appearance.
    authors = []
    for e, _, _ in rest:
        if e.author not in authors:
            authors.append(e.author)
    others = [a for a in reversed(authors) if a != gauthor]
    chains = {a: sorted([x for x in rest if x[0].author == a], key=lambda x: (x[0].seq, x[0].id)) for a in authors}
    o = genesis + [x for a in others for x in chains[a]] + chains.get(gauthor, [])
    yield "others first", [(r, s) for _, r, s in o]
    # Merge order (SPEC 8.1, several events at once): genesis, then by order key.
    o = genesis + sorted(rest, key=lambda x: x[0].order_key)
    yield "merge order", [(r, s) for _, r, s in o]
    # Seeded random interleavings of the chains.
    for seed in (1, 2, 3):
        rnd = random.Random(seed)
        queues = {a: list(c) for a, c in chains.items()}
        o = list(genesis)
        while any(queues.values()):
            a = rnd.choice([a for a, q in queues.items() if q])
            o.append(queues[a].pop(0))
        yield f"shuffle {seed}", [(r, s) for _, r, s in o]


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print("usage: verifier.py [events.json]", file=sys.stderr)
        return 2
    path = argv[1] if len(argv) == 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "protocol", "vectors", "events.json")
    return run(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
