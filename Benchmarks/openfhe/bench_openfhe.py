#!/usr/bin/env python3
"""OpenFHE BFV baseline for Phalanx's homomorphic encryption.

Times OpenFHE's BFV (the `openfhe` PyPI wheel) on one thread: key generation, relinearization
key generation, encryption, addition, plaintext and ciphertext multiplication, decryption, and a
3-party threshold key generation and decryption; it also reports the serialized size of a fresh
ciphertext and the parameters OpenFHE actually chose. Every timing is the median of K iterations
after 2 warm-ups. All results are checked against plaintext arithmetic mod t and the script exits
with status 1 if any of them is wrong.

Run it through run.sh, which builds the pinned venv. Usage:

    bench_openfhe.py [--depth D] [--ring-dimension N] [--iterations K] [--seed S] [--json]
"""

import os

# This benchmark is single-threaded by definition. OpenFHE parallelises with OpenMP, and libgomp
# reads OMP_NUM_THREADS once, when the library loads, so it has to be set before `import openfhe`.
# It is forced rather than defaulted so that the "threads": 1 in the output is always true.
os.environ["OMP_NUM_THREADS"] = "1"

import argparse
import gc
import importlib.metadata
import json
import math
import random
import statistics
import sys
import time

try:
    import openfhe as fhe
except ImportError as error:
    sys.exit(f"bench_openfhe: cannot import openfhe ({error}); run Benchmarks/openfhe/run.sh, "
             "which installs the pinned wheel into a Python 3.10 venv")

PLAINTEXT_MODULUS = 65537
WARMUPS = 2
MIN_ITERATIONS = 5
PARTIES = 3


class CheckFailed(Exception):
    """A decrypted result differs from the plaintext computation."""


# ----------------------------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------------------------

def measure(fn, iterations, before=None):
    """Milliseconds per call of fn: every sample, after WARMUPS untimed calls.

    `before`, if given, runs untimed ahead of every call. The result of each call is kept alive
    until the clock has been read: dropping it inside the timed window would add the free() of
    the previous ciphertext (hundreds of KiB, often an munmap) to the operation being measured.
    """
    for _ in range(WARMUPS):
        if before:
            before()
        fn()
    samples = []
    for _ in range(iterations):
        if before:
            before()
        start = time.perf_counter()
        out = fn()
        samples.append((time.perf_counter() - start) * 1e3)
        del out
    return samples


def summary(samples):
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "n": len(samples)}


# ----------------------------------------------------------------------------------------------
# Parameters
# ----------------------------------------------------------------------------------------------

def make_context(ring_dimension, depth, features, threshold_parties=None):
    params = fhe.CCParamsBFVRNS()
    params.SetPlaintextModulus(PLAINTEXT_MODULUS)
    params.SetMultiplicativeDepth(depth)
    params.SetSecurityLevel(fhe.HEStd_128_classic)
    params.SetRingDim(ring_dimension)
    if threshold_parties is not None:
        # OpenFHE's parameter generation accounts for the number of parties; the multiparty mode
        # stays at its default, FIXED_NOISE_MULTIPARTY, because NOISE_FLOODING_MULTIPARTY (the one
        # threshold-fhe.py uses) is refused at N = 8192: it needs N = 16384 for 128-bit security.
        params.SetThresholdNumOfParties(threshold_parties)
    cc = fhe.GenCryptoContext(params)
    for feature in features:
        cc.Enable(feature)
    if cc.GetRingDimension() != ring_dimension:
        raise CheckFailed(f"asked for ring dimension {ring_dimension}, OpenFHE chose "
                          f"{cc.GetRingDimension()}")
    return cc, params


def _find_key(node, key):
    """Depth-first search of a cereal JSON tree for the first object holding `key`."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _find_key(child, key)
        if found is not None:
            return found
    return None


def crt_moduli(cc):
    """The CRT moduli q_i of Q, or None if they cannot be read.

    The Python API's GetElementParams() exposes only Q itself (and N), not the towers. The
    context's own JSON serialization does hold them: the element parameters ("elp") carry one
    ILNativeParams per tower ("p"), each with its modulus ("cm"). The product of what is read here
    is checked against GetElementParams().GetModulus(), so a change of layout cannot go unnoticed.
    """
    try:
        tree = json.loads(fhe.Serialize(cc, fhe.JSON))
        towers = _find_key(tree, "elp")["ptr_wrapper"]["data"]["p"]
        moduli = [int(t["ptr_wrapper"]["data"]["value0"]["cm"]["v"]) for t in towers]
    except (KeyError, TypeError, ValueError):
        return None
    if math.prod(moduli) != int(cc.GetElementParams().GetModulus()):
        return None
    return moduli


def chosen_parameters(cc, params):
    q = int(cc.GetElementParams().GetModulus())
    moduli = crt_moduli(cc)
    return {
        "ringDimension": cc.GetRingDimension(),
        "plaintextModulus": cc.GetPlaintextModulus(),
        "multiplicativeDepth": params.GetMultiplicativeDepth(),
        "moduliBits": [m.bit_length() for m in moduli] if moduli else None,
        "moduli": moduli,
        # log2 of the exact integer Q (the double cc.GetModulus() is shown next to it).
        "logQ": round(math.log2(q), 4),
        "logQFromGetModulusDouble": round(math.log2(cc.GetModulus()), 4),
        "qBitLength": q.bit_length(),
        "keySwitching": cc.GetKeySwitchTechnique().name,
        # 0 means no digit decomposition inside a tower: a BV relinearization key has one digit
        # per CRT modulus.
        "digitSize": cc.GetDigitSize(),
        # CCParams only echo what was asked (BFV's default scaling modulus size is 60; the first
        # modulus size is unused by BFV); the real sizes are in moduliBits.
        "scalingModSizeParam": params.GetScalingModSize(),
        "firstModSizeParam": params.GetFirstModSize(),
        "multiplicationTechnique": params.GetMultiplicationTechnique().name,
        "encryptionTechnique": params.GetEncryptionTechnique().name,
        "secretKeyDist": params.GetSecretKeyDist().name,
        "standardDeviation": round(params.GetStandardDeviation(), 4),
        "securityLevel": params.GetSecurityLevel().name,
        "multipartyMode": params.GetMultipartyMode().name,
        "batchSize": cc.GetBatchSize(),
    }


NOT_EXPOSED = [
    "the auxiliary moduli of HPSPOVERQLEVELED ciphertext multiplication (P, Q*): neither the "
    "Python API nor the context's serialization exposes them",
]


# ----------------------------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------------------------

def check(label, plaintext, expected):
    """Decrypted slots (OpenFHE decodes to (-t/2, t/2]) must equal `expected` mod t."""
    got = plaintext.GetPackedValue()
    if len(got) < len(expected):
        raise CheckFailed(f"{label}: {len(got)} slots decrypted, {len(expected)} expected")
    for slot, (g, e) in enumerate(zip(got, expected)):
        if (g - e) % PLAINTEXT_MODULUS:
            raise CheckFailed(f"{label}: slot {slot} decrypted to {g}, expected {e} mod "
                              f"{PLAINTEXT_MODULUS}")


def mod_t(values):
    return [v % PLAINTEXT_MODULUS for v in values]


# ----------------------------------------------------------------------------------------------
# Benchmarks
# ----------------------------------------------------------------------------------------------

def bench_single_key(ring_dimension, depth, iterations, rng):
    cc, params = make_context(ring_dimension, depth,
                              [fhe.PKE, fhe.KEYSWITCH, fhe.LEVELEDSHE])
    n = cc.GetRingDimension()
    a = [rng.randrange(PLAINTEXT_MODULUS) for _ in range(n)]
    b = [rng.randrange(PLAINTEXT_MODULUS) for _ in range(n)]
    ops = {}

    ops["keygen"] = measure(cc.KeyGen, iterations)
    keys = cc.KeyGen()
    # EvalMultKeyGen returns at once, without generating anything, when the context's static
    # cache already holds a key for this secret key's tag (about 7 us instead of about 1 ms), so
    # the cache is emptied, untimed, before every call.
    ops["relinKeygen"] = measure(lambda: cc.EvalMultKeyGen(keys.secretKey), iterations,
                                 before=fhe.ClearEvalMultKeys)

    # Encoding is timed apart from encryption: `encrypt` starts from a packed plaintext. It
    # includes the conversion of a Python list to a C++ vector.
    extra = {"encode": measure(lambda: cc.MakePackedPlaintext(a), iterations)}
    pa, pb = cc.MakePackedPlaintext(a), cc.MakePackedPlaintext(b)
    ops["encrypt"] = measure(lambda: cc.Encrypt(keys.publicKey, pa), iterations)
    ca, cb = cc.Encrypt(keys.publicKey, pa), cc.Encrypt(keys.publicKey, pb)

    ops["add"] = measure(lambda: cc.EvalAdd(ca, cb), iterations)
    ops["mulPlain"] = measure(lambda: cc.EvalMult(ca, pb), iterations)
    # With an EvalMult key in the context, EvalMult(ct, ct) relinearizes back to 2 elements.
    ops["mulRelin"] = measure(lambda: cc.EvalMult(ca, cb), iterations)
    # Decrypt returns a decoded Plaintext; copying the slots into a Python list is not timed.
    ops["decrypt"] = measure(lambda: cc.Decrypt(keys.secretKey, ca), iterations)

    sk = keys.secretKey
    check("decrypt", cc.Decrypt(sk, ca), a)
    check("add", cc.Decrypt(sk, cc.EvalAdd(ca, cb)), mod_t(x + y for x, y in zip(a, b)))
    check("mulPlain", cc.Decrypt(sk, cc.EvalMult(ca, pb)), mod_t(x * y for x, y in zip(a, b)))
    product = cc.EvalMult(ca, cb)
    if product.NumberCiphertextElements() != 2:
        raise CheckFailed(f"mulRelin: {product.NumberCiphertextElements()} ciphertext elements, "
                          "expected 2 after relinearization")
    check("mulRelin", cc.Decrypt(sk, product), mod_t(x * y for x, y in zip(a, b)))
    # The chosen Q must carry the depth asked for: `depth` successive relinearized products.
    chain, expected = ca, list(a)
    for _ in range(depth):
        chain = cc.EvalMult(chain, cb)
        expected = mod_t(x * y for x, y in zip(expected, b))
    check(f"depth-{depth} product chain", cc.Decrypt(sk, chain), expected)

    sizes = {
        "ciphertext": len(fhe.Serialize(ca, fhe.BINARY)),
        "publicKey": len(fhe.Serialize(keys.publicKey, fhe.BINARY)),
        "relinKey": len(fhe.SerializeEvalMultKeyString(fhe.BINARY, sk.GetKeyTag())),
    }
    return cc, params, ops, extra, sizes


def bench_threshold(ring_dimension, depth, iterations, rng):
    """Lead + 2 followers, as in OpenFHE's threshold-fhe example: the lead runs KeyGen, each
    follower MultipartyKeyGen on the previous party's public key, and the last public key is the
    joint one. Decryption: MultipartyDecryptLead for the lead, MultipartyDecryptMain for the
    others, then MultipartyDecryptFusion."""
    cc, params = make_context(ring_dimension, depth,
                              [fhe.PKE, fhe.KEYSWITCH, fhe.LEVELEDSHE, fhe.MULTIPARTY],
                              threshold_parties=PARTIES)
    n = cc.GetRingDimension()

    def keygen_all():
        parties = [cc.KeyGen()]
        for _ in range(PARTIES - 1):
            parties.append(cc.MultipartyKeyGen(parties[-1].publicKey))
        return parties

    # Per-party time = one iteration's total over the three parties / 3; lead and followers are
    # kept apart too, since KeyGen and MultipartyKeyGen are different calls.
    lead, follower, per_party = [], [], []
    for i in range(WARMUPS + iterations):
        times = []
        start = time.perf_counter()
        parties = [cc.KeyGen()]
        times.append(time.perf_counter() - start)
        for _ in range(PARTIES - 1):
            # Appending straight to the list, rather than through a variable, keeps the previous
            # iteration's key pair from being freed inside the timed call.
            start = time.perf_counter()
            parties.append(cc.MultipartyKeyGen(parties[-1].publicKey))
            times.append(time.perf_counter() - start)
        if i >= WARMUPS:
            lead.append(times[0] * 1e3)
            follower.extend(t * 1e3 for t in times[1:])
            per_party.append(sum(times) / PARTIES * 1e3)
        del parties

    parties = keygen_all()
    joint = parties[-1].publicKey
    inputs = [[rng.randrange(PLAINTEXT_MODULUS) for _ in range(n)] for _ in range(PARTIES)]
    cts = [cc.Encrypt(joint, cc.MakePackedPlaintext(v)) for v in inputs]
    total = cts[0]
    for ct in cts[1:]:
        total = cc.EvalAdd(total, ct)

    def partials_of(ct):
        shares = cc.MultipartyDecryptLead([ct], parties[0].secretKey)
        for kp in parties[1:]:
            shares += cc.MultipartyDecryptMain([ct], kp.secretKey)
        return shares

    dec_lead, dec_main, dec_per_party = [], [], []
    for i in range(WARMUPS + iterations):
        times, shares = [], []
        start = time.perf_counter()
        shares += cc.MultipartyDecryptLead([total], parties[0].secretKey)
        times.append(time.perf_counter() - start)
        for kp in parties[1:]:
            start = time.perf_counter()
            shares += cc.MultipartyDecryptMain([total], kp.secretKey)
            times.append(time.perf_counter() - start)
        if i >= WARMUPS:
            dec_lead.append(times[0] * 1e3)
            dec_main.extend(t * 1e3 for t in times[1:])
            dec_per_party.append(sum(times) / PARTIES * 1e3)
        del shares

    shares = partials_of(total)
    fusion = measure(lambda: cc.MultipartyDecryptFusion(shares), iterations)

    expected = mod_t(sum(col) for col in zip(*inputs))
    check("threshold fusion of the sum", cc.MultipartyDecryptFusion(shares), expected)
    # Fewer than all shares must not decrypt: the fused two-share result has to differ.
    partial = cc.MultipartyDecryptFusion(shares[:-1]).GetPackedValue()
    if all((g - e) % PLAINTEXT_MODULUS == 0 for g, e in zip(partial, expected)):
        raise CheckFailed("threshold: 2 of 3 shares decrypted the sum")

    ops = {"thresholdKeygenPerParty": per_party, "partialDecryptPerParty": dec_per_party,
           "fusion": fusion}
    extra = {"thresholdKeygenLead": lead, "thresholdKeygenFollower": follower,
             "partialDecryptLead": dec_lead, "partialDecryptMain": dec_main}
    return cc, params, ops, extra


# ----------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------

ORDER = ["keygen", "relinKeygen", "encrypt", "add", "mulPlain", "mulRelin", "decrypt",
         "thresholdKeygenPerParty", "partialDecryptPerParty", "fusion"]

# The table also shows encoding and the lead/follower split behind the per-party figures.
TABLE_ORDER = ["keygen", "relinKeygen", "encode", "encrypt", "add", "mulPlain", "mulRelin",
               "decrypt", "thresholdKeygenPerParty", "thresholdKeygenLead",
               "thresholdKeygenFollower", "partialDecryptPerParty", "partialDecryptLead",
               "partialDecryptMain", "fusion"]

LABELS = {
    "keygen": "KeyGen",
    "relinKeygen": "EvalMultKeyGen (relinearization key)",
    "encode": "  (MakePackedPlaintext, not in encrypt)",
    "encrypt": "Encrypt (public key)",
    "add": "EvalAdd ct+ct",
    "mulPlain": "EvalMult ct*pt",
    "mulRelin": "EvalMult ct*ct + relinearize",
    "decrypt": "Decrypt (incl. decode)",
    "thresholdKeygenPerParty": "threshold KeyGen, per party",
    "thresholdKeygenLead": "  lead: KeyGen",
    "thresholdKeygenFollower": "  follower: MultipartyKeyGen",
    "partialDecryptPerParty": "partial decryption, per party",
    "partialDecryptLead": "  lead: MultipartyDecryptLead",
    "partialDecryptMain": "  others: MultipartyDecryptMain",
    "fusion": "MultipartyDecryptFusion (3 shares)",
}


def library_version():
    """The OpenFHE C++ release inside the wheel: the wheel's version is
    <openfhe>.<wrapper release>.<Ubuntu release>, e.g. 1.6.1.0.22.4 is OpenFHE 1.6.1."""
    wheel = importlib.metadata.version("openfhe")
    return ".".join(wheel.split(".")[:3]), wheel


def print_table(report, details):
    p, d = report["parameters"], details
    print(f"OpenFHE {report['version']} BFV (wheel openfhe=={d['wheel']}, Python wrapper "
          f"{fhe.__version__}), OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, "
          f"threads in process: {d['processThreads']}")
    print(f"median of {d['iterations']} iterations after {WARMUPS} warm-ups, time.perf_counter, "
          "milliseconds\n")
    print("Parameters chosen by OpenFHE")
    full = d["fullParameters"]
    rows = [
        ("ring dimension N", full["ringDimension"]),
        ("plaintext modulus t", full["plaintextModulus"]),
        ("multiplicative depth", full["multiplicativeDepth"]),
        ("security level", full["securityLevel"]),
        ("CRT moduli of Q (bits)", full["moduliBits"] if full["moduliBits"] else
         "not exposed (tower layout not found in the serialization)"),
        ("CRT moduli of Q", full["moduli"] if full["moduli"] else "not exposed"),
        ("log2 Q (exact int / GetModulus double)",
         f"{full['logQ']} / {full['logQFromGetModulusDouble']}  ({full['qBitLength']}-bit Q)"),
        ("key switching", f"{full['keySwitching']}, digit size {full['digitSize']}"),
        ("scaling / first mod size (CCParams)",
         f"{full['scalingModSizeParam']} / {full['firstModSizeParam']}"),
        ("multiplication technique", full["multiplicationTechnique"]),
        ("encryption technique", full["encryptionTechnique"]),
        ("secret key distribution", full["secretKeyDist"]),
        ("error standard deviation", full["standardDeviation"]),
        ("batch size (slots)", full["batchSize"]),
        ("threshold context", d["thresholdParameters"]),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    for item in NOT_EXPOSED:
        print(f"  not exposed: {item}")

    print("\nOperation                                  median       min       max")
    for key in TABLE_ORDER:
        s = d["samples"][key]
        print(f"  {LABELS[key]:<39} {s['median']:9.3f} {s['min']:9.3f} {s['max']:9.3f}")
    print("\nSerialized sizes (BINARY)")
    for key, label in (("ciphertext", "fresh ciphertext"), ("publicKey", "public key"),
                       ("relinKey", "relinearization key")):
        print(f"  {label:<39} {d['sizes'][key]:>9} bytes")
    print("\nAll results checked: decrypt, add, mulPlain, mulRelin, a depth-"
          f"{p['multiplicativeDepth']} product chain, threshold fusion = sum of the 3 inputs.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--depth", type=int, default=1, help="multiplicative depth (default 1)")
    parser.add_argument("--ring-dimension", type=int, default=8192, help="N (default 8192)")
    parser.add_argument("--iterations", type=int, default=20,
                        help=f"timed iterations per operation (default 20, at least "
                             f"{MIN_ITERATIONS})")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the random plaintexts (not of OpenFHE's keys)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.iterations < MIN_ITERATIONS:
        parser.error(f"--iterations must be at least {MIN_ITERATIONS}")
    if args.depth < 1:
        parser.error("--depth must be at least 1")

    # Python's cyclic collector would otherwise run at arbitrary points inside timed calls.
    gc.disable()
    rng = random.Random(args.seed)
    try:
        cc, params, ops, extra, sizes = bench_single_key(args.ring_dimension, args.depth,
                                                         args.iterations, rng)
        tcc, tparams, tops, textra = bench_threshold(args.ring_dimension, args.depth,
                                                     args.iterations, rng)
    except CheckFailed as failure:
        print(f"bench_openfhe: CHECK FAILED: {failure}", file=sys.stderr)
        return 1
    except RuntimeError as error:  # OpenFHE throws e.g. when N is too small for the depth
        print(f"bench_openfhe: OpenFHE refused: {error}", file=sys.stderr)
        return 2

    full = chosen_parameters(cc, params)
    threshold_full = chosen_parameters(tcc, tparams)
    if threshold_full["moduli"] == full["moduli"]:
        threshold_note = (f"same Q, {PARTIES} parties, {threshold_full['multipartyMode']}")
    else:
        threshold_note = (f"DIFFERENT Q: moduli bits {threshold_full['moduliBits']}, "
                          f"{PARTIES} parties, {threshold_full['multipartyMode']}")
        print(f"bench_openfhe: note: the {PARTIES}-party context chose other moduli than the "
              f"single-key one: {threshold_note}", file=sys.stderr)

    ops.update(tops)
    samples = {k: summary(v) for k, v in {**ops, **extra, **textra}.items()}
    version, wheel = library_version()
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
    if threads not in (None, 1):
        print(f"bench_openfhe: warning: {threads} threads in the process", file=sys.stderr)

    report = {
        "library": "openfhe",
        "version": version,
        "threads": int(os.environ["OMP_NUM_THREADS"]),
        "parameters": {key: full[key] for key in ("ringDimension", "plaintextModulus",
                                                  "multiplicativeDepth", "moduliBits", "logQ",
                                                  "keySwitching")},
        # 0.1 us resolution: finer digits are below what perf_counter around a Python call resolves.
        "operations": {key: round(samples[key]["median"], 4) for key in ORDER},
        "ciphertextBytes": sizes["ciphertext"],
    }
    if args.json:
        print(json.dumps(report, separators=(",", ":")))
    else:
        print_table(report, {"wheel": wheel, "iterations": args.iterations,
                             "processThreads": threads, "fullParameters": full,
                             "thresholdParameters": threshold_note, "samples": samples,
                             "sizes": sizes})
    return 0


if __name__ == "__main__":
    sys.exit(main())
