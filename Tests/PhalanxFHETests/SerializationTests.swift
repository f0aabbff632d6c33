import Testing
import _TestSupport

@testable import PhalanxFHE

/// The objects of one test session under `testParameters` (N = 1024, 2 × 50-bit primes) and their encodings.
private struct SerializationFixture {
    let f = BFVFixture()
    let slots: [UInt64]
    let ciphertext: Ciphertext
    let encoded: [UInt8]

    init() throws {
        var random = SplitMix64(seed: 0x5e71a1)
        slots = f.randomSlots(&random)
        ciphertext = try f.encryptor.encrypt(try f.encoder.encode(slots))
        encoded = try ciphertext.serialized(context: f.context)
    }

    var context: BFVContext { f.context }
    var basis: RNSBasis { f.context.basisQ }

    func uniform(_ count: Int) -> [RNSPolynomial] {
        let stream = SecureStream()
        return (0..<count).map { _ in Sampler.uniform(in: basis, isNTT: true, stream) }
    }

    /// The bit offset of residue `index` of limb `limb` of polynomial `polynomial` in an encoding whose header is
    /// `header` bytes.
    func bitOffset(header: Int, polynomial: Int, limb: Int, index: Int) -> Int {
        let polynomialBytes = FHESerialization.polynomialByteCount(parameters: context.parameters)
        var bits = (header + polynomial * polynomialBytes + 1) * 8
        for earlier in 0..<limb { bits += context.degree * basis.moduli[earlier].bitWidth }
        return bits + index * basis.moduli[limb].bitWidth
    }
}

/// Overwrites `width` bits at bit `offset` (least significant bit first) with `value`.
private func setBits(_ bytes: inout [UInt8], offset: Int, width: Int, value: UInt64) {
    for bit in 0..<width {
        let position = offset + bit
        let mask = UInt8(1) << UInt8(position % 8)
        if (value >> UInt64(bit)) & 1 == 1 { bytes[position / 8] |= mask } else { bytes[position / 8] &= ~mask }
    }
}

private func store<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
    for index in 0..<(T.bitWidth / 8) { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
}

/// Expects `body` to throw `.malformed` (or `.mismatch` when `mismatch`) with a message containing `fragment`;
/// returns the message.
@discardableResult
private func expectError(
    _ fragment: String, mismatch: Bool = false, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> String {
    let error = #expect(throws: FHEError.self, sourceLocation: sourceLocation) { try body() }
    let message: String
    switch (error, mismatch) {
    case (.malformed(let text)?, false), (.mismatch(let text)?, true):
        message = text
    default:
        Issue.record("expected \(mismatch ? "a mismatch" : "a malformed object"), got \(String(describing: error))")
        return ""
    }
    #expect(message.contains(fragment), "\(message)", sourceLocation: sourceLocation)
    return message
}

@Suite("FHE serialization")
struct SerializationTests {
    @Test("a ciphertext round-trips, decrypts to the same slots, and has the size of the formula")
    func ciphertextRoundTrip() throws {
        let s = try SerializationFixture()
        // 30-byte header + 2 polynomials × (1 flags byte + 2 limbs × 1024 × 50 bits / 8).
        #expect(s.encoded.count == 30 + 2 * (1 + 2 * 1024 * 50 / 8))
        #expect(s.encoded.count == 25_632)
        #expect(FHESerialization.ciphertextByteCount(context: s.context) == 25_632)
        #expect(Array(s.encoded.prefix(4)) == Array("PHXF".utf8))
        #expect(try FHESerialization.kind(of: s.encoded) == .ciphertext)

        let decoded = try Ciphertext.deserialize(s.encoded, context: s.context)
        #expect(decoded == s.ciphertext)
        #expect(try s.f.decrypt(decoded) == s.slots)
        // Offsets count from the collection's start, whatever its indices; non-contiguous collections work.
        let prefixed = [0xAA] + s.encoded
        #expect(try Ciphertext.deserialize(prefixed[1...], context: s.context) == s.ciphertext)
        #expect(try Ciphertext.deserialize(s.encoded.lazy.map { $0 }, context: s.context) == s.ciphertext)

        // Three polynomials before relinearization.
        let product = try s.f.evaluator.multiplyWithoutRelinearization(s.ciphertext, s.ciphertext)
        let productBytes = try product.serialized(context: s.context)
        #expect(productBytes.count == FHESerialization.ciphertextByteCount(context: s.context, size: 3))
        #expect(try Ciphertext.deserialize(productBytes, context: s.context) == product)
    }

    @Test("an N = 8192, 2 × 60-bit ciphertext takes 245,792 bytes, less than OpenFHE's 263,011")
    func presetSizes() {
        let size = FHESerialization.ciphertextByteCount(parameters: .n8192)
        #expect(BFVParameters.n8192.ciphertextPrimes.allSatisfy { Modulus($0).bitWidth == 60 })
        #expect(size == 30 + 2 * (1 + 2 * 8192 * 60 / 8))
        #expect(size == 245_792)
        #expect(size < 263_011)
    }

    @Test("public and relinearization keys round-trip and work: encrypt, multiply, decrypt with the original secret")
    func keysRoundTrip() throws {
        let s = try SerializationFixture()
        let t = Modulus(s.context.parameters.plaintextModulus)
        let publicBytes = try s.f.publicKey.serialized(context: s.context)
        #expect(
            publicBytes.count
                == FHESerialization.byteCount(kind: .publicKey, polynomials: 2, parameters: testParameters))
        #expect(publicBytes.count == 24 + 2 * 12_801)
        let publicKey = try PublicKey.deserialize(publicBytes, context: s.context)
        #expect(publicKey == s.f.publicKey)
        let encryptor = BFVEncryptor(context: s.context, publicKey: publicKey)
        let fresh = try encryptor.encrypt(try s.f.encoder.encode(s.slots))
        #expect(try s.f.decrypt(fresh) == s.slots)

        let relinearizationKey = BFVKeyGenerator(context: s.context).relinearizationKey(for: s.f.secret)
        let relinearizationBytes = try relinearizationKey.serialized(context: s.context)
        #expect(relinearizationBytes.count == 24 + 4 * 12_801)
        let decodedKey = try RelinearizationKey.deserialize(relinearizationBytes, context: s.context)
        #expect(decodedKey == relinearizationKey)
        let product = try s.f.evaluator.multiply(fresh, s.ciphertext, relinearizationKey: decodedKey)
        #expect(try s.f.decrypt(product) == s.slots.map { t.multiply($0, $0) })

        // A collective key keeps its party count.
        let collective = PublicKey(b: s.f.publicKey.b, a: s.f.publicKey.a, parties: 7)
        #expect(try PublicKey.deserialize(collective.serialized(context: s.context), context: s.context).parties == 7)
    }

    @Test("a secret key round-trips through SecretBytes and decrypts")
    func secretKeyRoundTrip() throws {
        let s = try SerializationFixture()
        let secret = s.f.secret.serializedSecret()
        #expect(secret.count == 22 + 12_801)
        #expect(!"\(secret)".contains("PHXF"))
        let key = try SecretKey.deserializeSecret(secret, context: s.context)
        #expect(key.polynomial == s.f.secret.polynomial)
        let decryptor = BFVDecryptor(context: s.context, secretKey: key)
        #expect(s.f.encoder.decode(try decryptor.decrypt(s.ciphertext)) == s.slots)
        // The raw-buffer variant, and the kind is checked both ways.
        let bytes: [UInt8] = secret.withUnsafeBytes { Array($0) }
        let again = try bytes.withUnsafeBytes { (raw) throws(FHEError) in
            try SecretKey.deserializeSecret(raw, context: s.context)
        }
        #expect(again.polynomial == s.f.secret.polynomial)
        expectError("byte 6: kind 4 is a secret key, expected a ciphertext") {
            _ = try Ciphertext.deserialize(bytes, context: s.context)
        }
        expectError("byte 6: kind 1 is a ciphertext, expected a secret key") {
            _ = try s.encoded.withUnsafeBytes { (raw) throws(FHEError) in
                try SecretKey.deserializeSecret(raw, context: s.context)
            }
        }
    }

    @Test("every multiparty share round-trips with the size of the formula")
    func sharesRoundTrip() throws {
        let s = try SerializationFixture()
        let limbs = s.basis.count
        let polynomial = 12_801
        func check<T: FHESerializable & Equatable>(_ value: T, polynomials: Int) throws {
            let bytes = try value.serialized(context: s.context)
            #expect(bytes.count == 22 + polynomials * polynomial, "\(T.self)")
            #expect(
                bytes.count
                    == FHESerialization.byteCount(
                        kind: T.serializationKind, polynomials: polynomials, parameters: testParameters))
            #expect(try FHESerialization.kind(of: bytes) == T.serializationKind)
            #expect(try T.deserialize(bytes, context: s.context) == value, "\(T.self)")
        }
        try check(PublicKeyShare(polynomial: s.uniform(1)[0]), polynomials: 1)
        try check(RelinearizationKeyShareRound1(h0: s.uniform(limbs), h1: s.uniform(limbs)), polynomials: 2 * limbs)
        try check(RelinearizationKeyShareRound2(h0: s.uniform(limbs), h1: s.uniform(limbs)), polynomials: 2 * limbs)
        try check(KeySwitchShare(polynomial: s.uniform(1)[0]), polynomials: 1)
        let pair = s.uniform(2)
        try check(PublicKeySwitchShare(h0: pair[0], h1: pair[1]), polynomials: 2)
        try check(RefreshShare(h0: pair[1], h1: pair[0]), polynomials: 2)

        let round2 = try RelinearizationKeyShareRound2(h0: s.uniform(limbs), h1: s.uniform(limbs))
            .serialized(context: s.context)
        expectError("byte 6: kind 7 is a RKG round-2 share, expected a ciphertext") {
            _ = try Ciphertext.deserialize(round2, context: s.context)
        }
        expectError("byte 6: kind 7 is a RKG round-2 share, expected a RKG round-1 share") {
            _ = try RelinearizationKeyShareRound1.deserialize(round2, context: s.context)
        }
        let keySwitch = try KeySwitchShare(polynomial: pair[0]).serialized(context: s.context)
        expectError("byte 6: kind 8 is a CKS key-switch share, expected a CKG public-key share") {
            _ = try PublicKeyShare.deserialize(keySwitch, context: s.context)
        }
    }

    @Test("each malformed header field is named with its offset")
    func headerErrors() throws {
        let s = try SerializationFixture()
        let context = s.context
        func decode(_ bytes: [UInt8]) throws(FHEError) { _ = try Ciphertext.deserialize(bytes, context: context) }

        var bytes = s.encoded
        bytes[0] = UInt8(ascii: "X")
        expectError("byte 0: magic is not PHXF") { try decode(bytes) }
        expectError("byte 0: magic is not PHXF") { try decode(Array("PK\u{3}\u{4}".utf8)) }
        expectError("truncated: the header needs 7 bytes to name its kind, 0 present") { try decode([]) }
        expectError("truncated: the header needs 7 bytes to name its kind, 5 present") {
            try decode(Array(s.encoded.prefix(5)))
        }
        expectError("truncated: the header of a ciphertext is 30 bytes, 12 present") {
            try decode(Array(s.encoded.prefix(12)))
        }

        bytes = s.encoded
        store(UInt16(3), at: 4, in: &bytes)
        expectError("byte 4: version 3 is not supported (this build reads 1)") { try decode(bytes) }

        bytes = s.encoded
        bytes[6] = 42
        expectError("byte 6: kind 42 is not a known object kind") { try decode(bytes) }
        bytes[6] = 0
        expectError("byte 6: kind 0 is not a known object kind") { try decode(bytes) }
        bytes[6] = 2
        expectError("byte 6: kind 2 is a public key, expected a ciphertext") { try decode(bytes) }

        bytes = s.encoded
        store(s.context.fingerprint ^ 1, at: 7, in: &bytes)
        let message = expectError(
            "byte 7: parameters fingerprint \(FHESerialization.hex(s.context.fingerprint ^ 1)) does not match "
                + "\(testParameters.name)", mismatch: true
        ) { try decode(bytes) }
        #expect(message.contains("n1024-q100"))

        bytes = s.encoded
        store(UInt32(2048), at: 15, in: &bytes)
        expectError("byte 15: ring degree 2048 does not match n1024-q100 (N = 1024)") { try decode(bytes) }
        store(UInt32.max, at: 15, in: &bytes)
        expectError("byte 15: ring degree 4294967295 does not match") { try decode(bytes) }

        bytes = s.encoded
        bytes[19] = 3
        expectError("byte 19: limb count 3 does not match n1024-q100 (2 primes)") { try decode(bytes) }
        bytes[19] = 0
        expectError("byte 19: limb count 0 does not match") { try decode(bytes) }

        for (value, name) in [(Double.nan, "nan"), (.infinity, "inf"), (-.infinity, "-inf")] {
            bytes = s.encoded
            store(value.bitPattern, at: 20, in: &bytes)
            expectError("byte 20: noise estimate \(name) is not finite") { try decode(bytes) }
        }

        for count in [0, 1, 4, 65535] {
            bytes = s.encoded
            store(UInt16(count), at: 28, in: &bytes)
            expectError("byte 28: polynomial count \(count) is not 2 or 3 for a ciphertext") { try decode(bytes) }
        }
        // A valid count whose polynomials are not there is a truncation, found before anything is allocated.
        bytes = s.encoded
        store(UInt16(3), at: 28, in: &bytes)
        expectError("truncated: 38,433 bytes expected, 25,632 present") { try decode(bytes) }

        var publicKey = try s.f.publicKey.serialized(context: s.context)
        store(UInt16(0), at: 20, in: &publicKey)
        expectError("byte 20: parties 0: a public key sums the shares of at least one party") {
            _ = try PublicKey.deserialize(publicKey, context: context)
        }
        publicKey = try s.f.publicKey.serialized(context: s.context)
        store(UInt16(3), at: 22, in: &publicKey)
        expectError("byte 22: polynomial count 3 is not 2 for a public key") {
            _ = try PublicKey.deserialize(publicKey, context: context)
        }
        let relinearization = try BFVKeyGenerator(context: context).relinearizationKey(for: s.f.secret)
            .serialized(context: context)
        var wrongDigits = relinearization
        store(UInt16(2), at: 22, in: &wrongDigits)
        expectError("byte 22: polynomial count 2 is not 4 for a relinearization key") {
            _ = try RelinearizationKey.deserialize(wrongDigits, context: context)
        }
    }

    @Test("truncation, trailing bytes, flags and out-of-range residues are refused with their place")
    func bodyErrors() throws {
        let s = try SerializationFixture()
        let context = s.context
        func decode(_ bytes: some Collection<UInt8>) throws(FHEError) {
            _ = try Ciphertext.deserialize(bytes, context: context)
        }

        expectError("truncated: 25,632 bytes expected, 1,024 present") { try decode(s.encoded.prefix(1024)) }
        expectError("truncated: 25,632 bytes expected, 25,631 present") { try decode(s.encoded.dropLast()) }
        expectError("truncated: 25,632 bytes expected, 30 present") { try decode(s.encoded.prefix(30)) }
        expectError("trailing bytes: 25,632 bytes expected, 25,633 present") { try decode(s.encoded + [0]) }

        var bytes = s.encoded
        bytes[30] = 3
        expectError("byte 30: polynomial 0 flags 0x3 have unknown bits set") { try decode(bytes) }
        bytes[30] = 0x81
        expectError("byte 30: polynomial 0 flags 0x81 have unknown bits set") { try decode(bytes) }
        bytes[30] = 0
        expectError("byte 30: polynomial 0 is in coefficient form; the polynomials of a ciphertext are in NTT form") {
            try decode(bytes)
        }
        bytes = s.encoded
        bytes[30 + 12_801] = 0
        expectError("byte 12831: polynomial 1 is in coefficient form") { try decode(bytes) }

        // Residue 17 of limb 1 of polynomial 0 set to q₁ + 5, then to 2^50 − 1.
        let q1 = s.basis.moduli[1].value
        let offset = s.bitOffset(header: 30, polynomial: 0, limb: 1, index: 17)
        let byte = offset / 8
        #expect(byte == 30 + 1 + 6400 + 17 * 50 / 8)
        for value: UInt64 in [q1 + 5, q1, (1 << 50) - 1] {
            bytes = s.encoded
            setBits(&bytes, offset: offset, width: 50, value: value)
            expectError("byte \(byte): polynomial 0 limb 1 coefficient 17 is \(value), not below q1 = \(q1)") {
                try decode(bytes)
            }
        }
        // The last residue of the last limb of the last polynomial.
        bytes = s.encoded
        let last = s.bitOffset(header: 30, polynomial: 1, limb: 1, index: 1023)
        setBits(&bytes, offset: last, width: 50, value: q1)
        expectError("polynomial 1 limb 1 coefficient 1023 is \(q1), not below q1") { try decode(bytes) }
        // q₁ − 1 is a residue: accepted, and re-encodes to the same bytes.
        setBits(&bytes, offset: last, width: 50, value: q1 - 1)
        #expect(try Ciphertext.deserialize(bytes, context: context).serialized(context: context) == bytes)
    }

    @Test("a secret key's errors name the place of a bad residue, never its value")
    func secretErrorsCarryNoKeyMaterial() throws {
        let s = try SerializationFixture()
        var bytes: [UInt8] = s.f.secret.serializedSecret().withUnsafeBytes { Array($0) }
        defer { SecretBytes.wipe(&bytes) }
        let q0 = s.basis.moduli[0].value
        let value = q0 + 12_345
        setBits(&bytes, offset: s.bitOffset(header: 22, polynomial: 0, limb: 0, index: 3), width: 50, value: value)
        let message = expectError("polynomial 0 limb 0 coefficient 3 not below q0 = \(q0)") {
            _ = try SecretKey.deserializeSecret(SecretBytes(bytes), context: s.context)
        }
        #expect(!message.contains("\(value)"))
        expectError("truncated: 12,823 bytes expected, 100 present") {
            _ = try SecretKey.deserializeSecret(SecretBytes(bytes.prefix(100)), context: s.context)
        }
    }

    @Test("objects of other parameters are refused, on the way out and on the way in")
    func wrongParameters() throws {
        let s = try SerializationFixture()
        let other = BFVFixture(try BFVParameters.standard(degree: 1024, primeBits: [50, 49]))
        let foreign = try other.encryptor.encrypt(try other.encoder.encode([1, 2, 3]))
        let foreignBytes = try foreign.serialized(context: other.context)

        expectError("does not match \(s.context.parameters.name)", mismatch: true) {
            _ = try Ciphertext.deserialize(foreignBytes, context: s.context)
        }
        expectError("does not match \(other.context.parameters.name)", mismatch: true) {
            _ = try Ciphertext.deserialize(s.encoded, context: other.context)
        }
        let foreignKey = try other.publicKey.serialized(context: other.context)
        expectError("byte 7: parameters fingerprint", mismatch: true) {
            _ = try PublicKey.deserialize(foreignKey, context: s.context)
        }
        let secret = other.secret.serializedSecret()
        expectError("byte 7: parameters fingerprint", mismatch: true) {
            _ = try SecretKey.deserializeSecret(secret, context: s.context)
        }
        // Another degree: same refusal, no allocation from the foreign header.
        let small = BFVFixture(try BFVParameters.standard(degree: 16, primeBits: [30], plaintextModulus: 97))
        let smallBytes = try small.encryptor.encrypt(try small.encoder.encode([1])).serialized(context: small.context)
        expectError("parameters fingerprint", mismatch: true) {
            _ = try Ciphertext.deserialize(smallBytes, context: s.context)
        }

        // Serializing under the wrong context is a mismatch too.
        expectError("other parameters", mismatch: true) { _ = try foreign.serialized(context: s.context) }
        expectError(
            "cannot serialize a public key: polynomial 0 has limbs × N = 1 × 16 residues, n1024-q100 has 2 × 1024",
            mismatch: true
        ) {
            _ = try small.publicKey.serialized(context: s.context)
        }
        let zeroParties = PublicKey(b: s.f.publicKey.b, a: s.f.publicKey.a, parties: 0)
        expectError("cannot serialize a public key of 0 parties", mismatch: true) {
            _ = try zeroParties.serialized(context: s.context)
        }
        var noisy = s.ciphertext
        noisy.noiseBits = .nan
        expectError("noise estimate is not finite", mismatch: true) { _ = try noisy.serialized(context: s.context) }
        let lopsided = RelinearizationKeyShareRound1(h0: s.uniform(3), h1: s.uniform(1))
        expectError("cannot serialize a RKG round-1 share of 3 + 1 polynomials", mismatch: true) {
            _ = try lopsided.serialized(context: s.context)
        }
        var coefficientForm = s.f.publicKey.b
        coefficientForm.fromNTT(s.basis)
        expectError("polynomial 0 is not in NTT form", mismatch: true) {
            _ = try PublicKeyShare(polynomial: coefficientForm).serialized(context: s.context)
        }
    }

    @Test("bit packing round-trips every width and refuses non-zero padding")
    func bitPacking() {
        var random = SplitMix64(seed: 7)
        for width in 1...61 {
            for count in [1, 3, 7, 16, 33] {
                let modulus: UInt64 = width == 1 ? 2 : (1 << UInt64(width)) - UInt64(random.next() % 3)
                let values = (0..<count).map { _ in random.next() % modulus }
                let byteCount = (count * width + 7) / 8
                var bytes = [UInt8](repeating: 0xEE, count: byteCount + 2)
                let written = values.withUnsafeBufferPointer { source in
                    bytes.withUnsafeMutableBytes { BitPacking.pack(source, width: width, into: $0, at: 1) }
                }
                #expect(written == byteCount)
                #expect(bytes.first == 0xEE && bytes.last == 0xEE)
                var decoded = [UInt64](repeating: 0, count: count)
                var offset = 1
                let failure = bytes.withUnsafeBytes { raw in
                    decoded.withUnsafeMutableBufferPointer {
                        BitPacking.unpack(raw, at: &offset, width: width, below: modulus, into: $0)
                    }
                }
                #expect(failure == nil && decoded == values && offset == 1 + byteCount, "width \(width) × \(count)")
                if (count * width) % 8 != 0 {
                    bytes[byteCount] |= 0x80
                    var again = 1
                    let padding = bytes.withUnsafeBytes { raw in
                        decoded.withUnsafeMutableBufferPointer {
                            BitPacking.unpack(raw, at: &again, width: width, below: modulus, into: $0)
                        }
                    }
                    guard case .nonzeroPadding? = padding else {
                        Issue.record("width \(width) × \(count): padding accepted")
                        continue
                    }
                }
            }
        }
    }

    @Test("thousands of random mutations and truncations of a valid encoding throw or round-trip, never crash")
    func fuzz() throws {
        let s = try SerializationFixture()
        var random = SplitMix64(seed: 0xf022)
        var accepted = 0
        var refused = 0
        func attempt(_ bytes: [UInt8]) {
            do {
                let decoded = try Ciphertext.deserialize(bytes, context: s.context)
                // Canonical: whatever decodes re-encodes to the same bytes.
                #expect(try decoded.serialized(context: s.context) == bytes)
                accepted += 1
            } catch {
                refused += 1
            }
        }
        let header = FHEObjectKind.ciphertext.headerByteCount
        for _ in 0..<3000 {
            var bytes = s.encoded
            switch random.next() % 7 {
            case 0:  // a few bytes of the header and the first flags byte
                for _ in 0...(random.next() % 3) {
                    bytes[Int(random.next() % UInt64(header + 1))] ^= UInt8.random(in: 1...255, using: &random)
                }
            case 1:  // a few bytes anywhere
                for _ in 0...(random.next() % 8) {
                    bytes[Int(random.next() % UInt64(bytes.count))] = UInt8.random(in: 0...255, using: &random)
                }
            case 2:  // a truncation
                bytes.removeLast(1 + Int(random.next() % UInt64(bytes.count)))
            case 3:  // trailing bytes
                bytes += (0...(random.next() % 16)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 4:  // short random input, half of it starting with the magic
                let length = Int(random.next() % 64)
                bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
                if random.next() % 2 == 0 {
                    bytes = Array(s.encoded.prefix(min(length, 7))) + bytes.dropFirst(min(length, 7))
                }
            case 5:  // the valid header over a random body
                for index in header..<bytes.count { bytes[index] = UInt8.random(in: 0...255, using: &random) }
                bytes[header] = 1
                bytes[header + 12_801] = 1
            default:  // a random header field value
                let offset = [4, 6, 7, 15, 19, 20, 28][Int(random.next() % 7)]
                bytes[offset] = UInt8.random(in: 0...255, using: &random)
                bytes[offset + 1] = UInt8.random(in: 0...255, using: &random)
            }
            attempt(bytes)
        }
        #expect(accepted > 100)
        #expect(refused > 1000)
    }

    @Test("random mutations of every other kind throw or round-trip")
    func fuzzOtherKinds() throws {
        let s = try SerializationFixture()
        let limbs = s.basis.count
        var random = SplitMix64(seed: 0xf023)
        func mutate(_ valid: [UInt8]) -> [UInt8] {
            var bytes = valid
            switch random.next() % 3 {
            case 0: bytes[Int(random.next() % 40)] ^= UInt8.random(in: 1...255, using: &random)
            case 1: bytes.removeLast(1 + Int(random.next() % UInt64(bytes.count)))
            default: bytes[Int(random.next() % UInt64(bytes.count))] = 0xFF
            }
            return bytes
        }
        func run<T: FHESerializable>(_ value: T) throws {
            let valid = try value.serialized(context: s.context)
            for _ in 0..<200 {
                let bytes = mutate(valid)
                if let decoded = try? T.deserialize(bytes, context: s.context) {
                    #expect(try decoded.serialized(context: s.context) == bytes, "\(T.self)")
                }
            }
        }
        try run(s.f.publicKey)
        try run(BFVKeyGenerator(context: s.context).relinearizationKey(for: s.f.secret))
        try run(PublicKeyShare(polynomial: s.uniform(1)[0]))
        try run(RelinearizationKeyShareRound1(h0: s.uniform(limbs), h1: s.uniform(limbs)))
        try run(RelinearizationKeyShareRound2(h0: s.uniform(limbs), h1: s.uniform(limbs)))
        try run(KeySwitchShare(polynomial: s.uniform(1)[0]))
        try run(PublicKeySwitchShare(h0: s.uniform(1)[0], h1: s.uniform(1)[0]))
        try run(RefreshShare(h0: s.uniform(1)[0], h1: s.uniform(1)[0]))

        var secret: [UInt8] = s.f.secret.serializedSecret().withUnsafeBytes { Array($0) }
        defer { SecretBytes.wipe(&secret) }
        for _ in 0..<200 {
            let bytes = mutate(secret)
            if let key = try? SecretKey.deserializeSecret(SecretBytes(bytes), context: s.context) {
                #expect(key.serializedSecret().withUnsafeBytes { Array($0) } == bytes)
            }
        }
    }
}
