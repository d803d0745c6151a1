#!/usr/bin/env python3
"""Independent check of the relay's transparency log vectors (protocol/SPEC.md 6.17).

Written from RFC 9162, c2sp.org/signed-note and c2sp.org/tlog-checkpoint alone: Python's hashlib
computes every root and proof from the leaves by the RFC's recursive definitions, the proof checks
follow RFC 9162 2.1.3.2 and 2.1.4.2, and PyNaCl checks the checkpoints' Ed25519 signatures. Usage:

    python3 transparency.py [path/to/transparency.json]

Exits 1 on any failed check, 2 on a usage or setup error.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys

try:
    from nacl import bindings as sodium
except ImportError:  # pragma: no cover
    print("transparency.py needs PyNaCl; scripts/verifier-venv.sh makes a venv with it", file=sys.stderr)
    sys.exit(2)


def sha256(b: bytes) -> bytes:
    return hashlib.sha256(b).digest()


def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    """MTH over leaf hashes (RFC 9162 2.1.1)."""
    if not d:
        return sha256(b"")
    if len(d) == 1:
        return d[0]
    k = split(len(d))
    return sha256(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) <= 1:
        return []
    k = split(len(d))
    return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = split(len(d))
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: list[bytes], root: bytes) -> bool:
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    if old > new:
        return False
    if old == 0:
        return True
    if old == new:
        return not proof and old_root == new_root
    if not proof:
        return False
    if old & (old - 1) == 0:
        proof = [old_root] + proof
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = sha256(b"\x01" + c + fr)
            sr = sha256(b"\x01" + c + sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = sha256(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def key_id(name: str, pk: bytes) -> bytes:
    return sha256(name.encode() + b"\n\x01" + pk)[:4]


def verify_note(note: str, name: str, pk: bytes) -> tuple[bool, str]:
    """(signature of `name` verifies, note text), per c2sp.org/signed-note."""
    if not note.endswith("\n") or "\n\n" not in note:
        return False, ""
    cut = note.rindex("\n\n")
    text = note[:cut + 1]
    ok = False
    for line in note[cut + 2:-1].split("\n"):
        dash, who, sig = line.split(" ")
        raw = base64.b64decode(sig, validate=True)
        if dash != "\u2014" or who != name or raw[:4] != key_id(name, pk):
            continue
        try:
            sodium.crypto_sign_open(raw[4:] + text.encode(), pk)
            ok = True
        except Exception:
            return False, text
    return ok, text


def run(path_: str) -> int:
    with open(path_, encoding="utf-8") as f:
        v = json.load(f)
    failures = []
    checks = 0

    def check(ok: bool, what: str):
        nonlocal checks
        checks += 1
        if not ok:
            failures.append(what)

    key = v["relay_key"]
    pk, _ = sodium.crypto_sign_seed_keypair(bytes.fromhex(key["seed"]))
    check(pk.hex() == key["public_key"], "relay key from its seed")
    origin = key["origin"]
    encoded_key = base64.b64encode(b"\x01" + pk).decode()
    vkey = f"{origin}+{key_id(origin, pk).hex()}+{encoded_key}"
    check(vkey == key["verifier_key"], "verifier key")
    leaves = [sha256(b"\x00" + bytes.fromhex(e)) for e in v["events"]]
    check([x.hex() for x in leaves] == v["leaf_hashes"], "leaf hashes")
    roots = {r["size"]: bytes.fromhex(r["root"]) for r in v["roots"]}
    for n, root in roots.items():
        check(mth(leaves[:n]) == root, f"root of size {n}")
    for c in v["inclusion"]:
        m, n, proof = c["index"], c["size"], [bytes.fromhex(h) for h in c["proof"]]
        check(proof == path(m, leaves[:n]), f"inclusion proof of {m} in {n}")
        check(verify_inclusion(leaves[m], m, n, proof, roots[n]), f"inclusion of {m} in {n} verifies")
    for c in v["consistency"]:
        m, n, proof = c["old"], c["new"], [bytes.fromhex(h) for h in c["proof"]]
        check(proof == ([] if m == n else subproof(m, leaves[:n], True)), f"consistency proof {m} -> {n}")
        check(verify_consistency(m, n, roots[m], roots[n], proof), f"consistency {m} -> {n} verifies")
    for c in v["checkpoints"]:
        n = c["size"]
        text = f"{origin}\n{n}\n{base64.b64encode(roots[n]).decode()}\n"
        check(c["text"] == text, f"checkpoint text of size {n}")
        ok, signed = verify_note(c["note"], origin, pk)
        check(ok and signed == text, f"checkpoint of size {n} is signed by the relay key")
    for c in v["failing"]:
        proof = [bytes.fromhex(h) for h in c.get("proof", [])]
        if c["kind"] == "inclusion":
            ok = verify_inclusion(leaves[c["index"]], c["index"], c["size"], proof, roots[c["size"]])
        elif c["kind"] == "consistency":
            ok = verify_consistency(c["old"], c["new"], roots[c["old"]], roots[c["new"]], proof)
        else:
            ok = verify_note(c["note"], origin, pk)[0]
        check(not ok, f"{c['name']} fails")
    for f in failures:
        print(f"FAIL {f}")
    print(f"transparency vectors: {checks - len(failures)}/{checks} checks passed, {len(failures)} failed")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    if len(argv) > 2:
        print("usage: transparency.py [transparency.json]", file=sys.stderr)
        return 2
    return run(argv[1] if len(argv) == 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "protocol", "vectors", "transparency.json"))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
