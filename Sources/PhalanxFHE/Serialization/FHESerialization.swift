/// # The PhalanxFHE binary format, version 1
///
/// Every key, ciphertext and multiparty share has one compact encoding, little-endian throughout:
///
/// | offset | size | field                                                                                  |
/// |-------:|-----:|----------------------------------------------------------------------------------------|
/// |      0 |    4 | magic `PHXF`                                                                           |
/// |      4 |    2 | format version, u16 (= 1)                                                              |
/// |      6 |    1 | kind, u8 (``FHEObjectKind``: ciphertext = 1, publicKey = 2, relinearizationKey = 3,    |
/// |        |      | secretKey = 4, publicKeyShare = 5, RKG round 1 = 6, round 2 = 7, keySwitchShare = 8,   |
/// |        |      | publicKeySwitchShare = 9, refreshShare = 10)                                           |
/// |      7 |    8 | parameters fingerprint, u64 (``BFVContext/fingerprint``)                               |
/// |     15 |    4 | ring degree N, u32                                                                     |
/// |     19 |    1 | limb count L (primes of Q), u8                                                         |
/// |     20 |    8 | ciphertexts only: the noise estimate ``Ciphertext/noiseBits``, IEEE 754 binary64       |
/// |     20 |    2 | public and relinearization keys only: parties, u16 (≥ 1)                               |
/// |      … |    2 | polynomial count P, u16                                                                |
/// |      … |    … | P polynomials                                                                          |
///
/// The header is 30 bytes for a ciphertext, 24 for a public or relinearization key, 22 for the others.
///
/// Each polynomial is one flags byte (bit 0: NTT form; the other bits are zero) followed by its L limbs in order.
/// Limb i holds the N residues modulo qᵢ bit-packed, least significant bit first, with exactly `qᵢ.bitWidth` bits
/// each, and is padded with zero bits to a whole byte (never needed for N ≥ 16). A polynomial therefore takes
/// 1 + Σᵢ ⌈N·bitWidth(qᵢ)/8⌉ bytes: a fresh ciphertext at N = 8192 with 2 × 60-bit primes is
/// 30 + 2·(1 + 2·61,440) = 245,792 bytes (OpenFHE 1.6.1 writes 263,011 for the same ciphertext).
///
/// Polynomial counts and order, per kind: a ciphertext c₀, c₁ (and c₂ before relinearization); a public key b, a;
/// a relinearization key b₀ … b_{L−1}, a₀ … a_{L−1}; a secret key s; the RKG shares h₀ per digit then h₁ per
/// digit (2L); a CKG or CKS share its one polynomial; a PCKS or refresh share h₀, h₁. Every polynomial of every
/// kind is in NTT form over Q.
///
/// Decoding checks everything and names the byte offset and the problem: magic, version, kind, fingerprint
/// (``FHEError/mismatch(_:)`` for an object made under other parameters), degree, limb count, the kind's fields,
/// the polynomial count, the exact total length (computed from the header before anything is allocated; short
/// input and trailing bytes are both refused), the flags, every residue below its prime, and zero padding. The
/// encoding is canonical: whatever decodes re-encodes to the same bytes. Messages never carry key material.
///
/// Secret keys are encoded only by ``SecretKey/serializedSecret()``, into a zero-on-free `SecretBytes`, for a
/// party persisting its own key share.
///
/// This enum holds the format's constants and sizes.
public enum FHESerialization {
    /// Bytes 0–3 of every encoding: `PHXF`.
    public static let magic: [UInt8] = [0x50, 0x48, 0x58, 0x46]
    /// The format version this build writes and reads.
    public static let formatVersion: UInt16 = 1
    /// Magic, version, kind, fingerprint, degree and limb count.
    static let fixedHeaderByteCount = 20

    /// The size of one encoded polynomial under `parameters`: the flags byte and the bit-packed limbs.
    public static func polynomialByteCount(parameters: BFVParameters) -> Int {
        1 + parameters.ciphertextPrimes.reduce(0) { $0 + limbByteCount(degree: parameters.degree, modulus: $1) }
    }

    /// The size of the encoding of an object of `kind` with `polynomials` polynomials under `parameters`.
    public static func byteCount(kind: FHEObjectKind, polynomials: Int, parameters: BFVParameters) -> Int {
        kind.headerByteCount + polynomials * polynomialByteCount(parameters: parameters)
    }

    /// The size of a ciphertext of `size` polynomials (2 when fresh or relinearized) under `context`.
    public static func ciphertextByteCount(context: BFVContext, size: Int = 2) -> Int {
        byteCount(kind: .ciphertext, polynomials: size, parameters: context.parameters)
    }

    /// The size of a ciphertext of `size` polynomials under `parameters` (no context needed).
    public static func ciphertextByteCount(parameters: BFVParameters, size: Int = 2) -> Int {
        byteCount(kind: .ciphertext, polynomials: size, parameters: parameters)
    }

    /// The kind an encoding announces, after checking its magic and version (nothing else is checked).
    public static func kind(of bytes: some Collection<UInt8>) throws(FHEError) -> FHEObjectKind {
        try FHEWire.withContiguousBytes(bytes.prefix(7)) { (raw) throws(FHEError) -> FHEObjectKind in
            try FHEWire.readKind(raw)
        }
    }

    static func limbByteCount(degree: Int, modulus: UInt64) -> Int {
        let bitWidth = UInt64.bitWidth - modulus.leadingZeroBitCount
        return (degree * bitWidth + 7) / 8
    }

    /// `value` with thousands separators (245,792), for sizes in messages.
    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value.magnitude))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return value < 0 ? "-" + text : text
    }

    /// A fingerprint as 0x followed by 16 hex digits.
    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}

/// The object an encoding holds (byte 6 of the header).
public enum FHEObjectKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case ciphertext = 1
    case publicKey = 2
    case relinearizationKey = 3
    case secretKey = 4
    case publicKeyShare = 5
    case relinearizationKeyShareRound1 = 6
    case relinearizationKeyShareRound2 = 7
    case keySwitchShare = 8
    case publicKeySwitchShare = 9
    case refreshShare = 10

    public var description: String {
        switch self {
        case .ciphertext: "a ciphertext"
        case .publicKey: "a public key"
        case .relinearizationKey: "a relinearization key"
        case .secretKey: "a secret key"
        case .publicKeyShare: "a CKG public-key share"
        case .relinearizationKeyShareRound1: "a RKG round-1 share"
        case .relinearizationKeyShareRound2: "a RKG round-2 share"
        case .keySwitchShare: "a CKS key-switch share"
        case .publicKeySwitchShare: "a PCKS public-key-switch share"
        case .refreshShare: "a refresh share"
        }
    }

    /// The bytes of the kind's own header fields, between the limb count and the polynomial count.
    var extraFieldByteCount: Int {
        switch self {
        case .ciphertext: 8
        case .publicKey, .relinearizationKey: 2
        default: 0
        }
    }

    /// The whole header, up to and including the polynomial count.
    var headerByteCount: Int { FHESerialization.fixedHeaderByteCount + extraFieldByteCount + 2 }

    /// The polynomial counts an object of this kind may have over a basis of `limbs` primes.
    func polynomialCounts(limbs: Int) -> ClosedRange<Int> {
        switch self {
        case .ciphertext: 2...3
        case .publicKey, .publicKeySwitchShare, .refreshShare: 2...2
        case .secretKey, .publicKeyShare, .keySwitchShare: 1...1
        case .relinearizationKey, .relinearizationKeyShareRound1, .relinearizationKeyShareRound2:
            (2 * limbs)...(2 * limbs)
        }
    }
}

/// A public FHE object with a binary encoding (see the format at the top of `FHESerialization.swift`).
/// ``SecretKey`` is deliberately not one: see ``SecretKey/serializedSecret()``.
public protocol FHESerializable: Sendable {
    /// The kind byte this type is encoded under.
    static var serializationKind: FHEObjectKind { get }

    /// The encoding of `self`, made under `context`'s parameters. Throws ``FHEError/mismatch(_:)`` when the
    /// object does not have the shape of those parameters (another degree or limb count, a ciphertext made under
    /// another fingerprint, a polynomial not in NTT form) or does not fit the format.
    func serialized(context: BFVContext) throws(FHEError) -> [UInt8]

    /// Decodes an object of this type made under `context`'s parameters, checking every field.
    /// Throws ``FHEError/malformed(_:)`` naming the offset and the problem, or ``FHEError/mismatch(_:)`` when the
    /// parameters fingerprint is another set's.
    static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self
}
