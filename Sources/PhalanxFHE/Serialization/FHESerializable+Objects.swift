// The public objects' encodings: the header field and the polynomial order of each kind (see FHESerialization).

extension FHESerializable {
    /// Decodes `bytes` as `kind`, with the offsets of a non-contiguous or sliced collection counted from its
    /// first element.
    static func decode(
        _ bytes: some Collection<UInt8>, as kind: FHEObjectKind, context: BFVContext
    ) throws(FHEError) -> (field: FHEHeaderField, polynomials: [RNSPolynomial]) {
        try FHEWire.withContiguousBytes(bytes) { (raw) throws(FHEError) in
            try FHEWire.decode(raw, as: kind, context: context)
        }
    }
}

extension Ciphertext: FHESerializable {
    public static var serializationKind: FHEObjectKind { .ciphertext }

    public func serialized(context: BFVContext) throws(FHEError) -> [UInt8] {
        try context.check(self)
        return try FHEWire.encode(.ciphertext, field: .noiseBits(noiseBits), polynomials: polynomials, context: context)
    }

    public static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self {
        let (field, polynomials) = try decode(bytes, as: .ciphertext, context: context)
        guard case .noiseBits(let noiseBits) = field else { preconditionFailure("a ciphertext header has noiseBits") }
        return Ciphertext(polynomials: polynomials, noiseBits: noiseBits, fingerprint: context.fingerprint)
    }
}

extension PublicKey: FHESerializable {
    public static var serializationKind: FHEObjectKind { .publicKey }

    public func serialized(context: BFVContext) throws(FHEError) -> [UInt8] {
        try FHEWire.encode(.publicKey, field: .parties(parties), polynomials: [b, a], context: context)
    }

    public static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self {
        let (field, polynomials) = try decode(bytes, as: .publicKey, context: context)
        guard case .parties(let parties) = field else { preconditionFailure("a key header has parties") }
        return PublicKey(b: polynomials[0], a: polynomials[1], parties: parties)
    }
}

extension RelinearizationKey: FHESerializable {
    public static var serializationKind: FHEObjectKind { .relinearizationKey }

    public func serialized(context: BFVContext) throws(FHEError) -> [UInt8] {
        try checkDigits(b.count, a.count, of: .relinearizationKey, context: context)
        return try FHEWire.encode(.relinearizationKey, field: .parties(parties), polynomials: b + a, context: context)
    }

    public static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self {
        let (field, polynomials) = try decode(bytes, as: .relinearizationKey, context: context)
        guard case .parties(let parties) = field else { preconditionFailure("a key header has parties") }
        let (b, a) = split(polynomials)
        return RelinearizationKey(b: b, a: a, parties: parties)
    }
}

extension PublicKeyShare: FHESerializable {
    public static var serializationKind: FHEObjectKind { .publicKeyShare }

    public func serialized(context: BFVContext) throws(FHEError) -> [UInt8] {
        try FHEWire.encode(.publicKeyShare, field: .none, polynomials: [polynomial], context: context)
    }

    public static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self {
        PublicKeyShare(polynomial: try decode(bytes, as: .publicKeyShare, context: context).polynomials[0])
    }
}

extension RelinearizationKeyShareRound1: FHESerializable {
    public static var serializationKind: FHEObjectKind { .relinearizationKeyShareRound1 }

    public func serialized(context: BFVContext) throws(FHEError) -> [UInt8] {
        try checkDigits(h0.count, h1.count, of: .relinearizationKeyShareRound1, context: context)
        return try FHEWire.encode(.relinearizationKeyShareRound1, field: .none, polynomials: h0 + h1, context: context)
    }

    public static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self {
        let (h0, h1) = split(try decode(bytes, as: .relinearizationKeyShareRound1, context: context).polynomials)
        return RelinearizationKeyShareRound1(h0: h0, h1: h1)
    }
}

extension RelinearizationKeyShareRound2: FHESerializable {
    public static var serializationKind: FHEObjectKind { .relinearizationKeyShareRound2 }

    public func serialized(context: BFVContext) throws(FHEError) -> [UInt8] {
        try checkDigits(h0.count, h1.count, of: .relinearizationKeyShareRound2, context: context)
        return try FHEWire.encode(.relinearizationKeyShareRound2, field: .none, polynomials: h0 + h1, context: context)
    }

    public static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self {
        let (h0, h1) = split(try decode(bytes, as: .relinearizationKeyShareRound2, context: context).polynomials)
        return RelinearizationKeyShareRound2(h0: h0, h1: h1)
    }
}

extension KeySwitchShare: FHESerializable {
    public static var serializationKind: FHEObjectKind { .keySwitchShare }

    public func serialized(context: BFVContext) throws(FHEError) -> [UInt8] {
        try FHEWire.encode(.keySwitchShare, field: .none, polynomials: [polynomial], context: context)
    }

    public static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self {
        KeySwitchShare(polynomial: try decode(bytes, as: .keySwitchShare, context: context).polynomials[0])
    }
}

extension PublicKeySwitchShare: FHESerializable {
    public static var serializationKind: FHEObjectKind { .publicKeySwitchShare }

    public func serialized(context: BFVContext) throws(FHEError) -> [UInt8] {
        try FHEWire.encode(.publicKeySwitchShare, field: .none, polynomials: [h0, h1], context: context)
    }

    public static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self {
        let polynomials = try decode(bytes, as: .publicKeySwitchShare, context: context).polynomials
        return PublicKeySwitchShare(h0: polynomials[0], h1: polynomials[1])
    }
}

extension RefreshShare: FHESerializable {
    public static var serializationKind: FHEObjectKind { .refreshShare }

    public func serialized(context: BFVContext) throws(FHEError) -> [UInt8] {
        try FHEWire.encode(.refreshShare, field: .none, polynomials: [h0, h1], context: context)
    }

    public static func deserialize(_ bytes: some Collection<UInt8>, context: BFVContext) throws(FHEError) -> Self {
        let polynomials = try decode(bytes, as: .refreshShare, context: context).polynomials
        return RefreshShare(h0: polynomials[0], h1: polynomials[1])
    }
}

/// An object with one polynomial per RNS digit in each of two halves must have L in each.
private func checkDigits(_ first: Int, _ second: Int, of kind: FHEObjectKind, context: BFVContext) throws(FHEError) {
    let limbs = context.basisQ.count
    guard first == limbs, second == limbs else {
        throw .mismatch(
            "cannot serialize \(kind) of \(first) + \(second) polynomials: \(context.parameters.name) has \(limbs) digits"
        )
    }
}

/// The two halves of a decoded per-digit object (the decoder checked the count is even).
private func split(_ polynomials: [RNSPolynomial]) -> ([RNSPolynomial], [RNSPolynomial]) {
    let half = polynomials.count / 2
    return (Array(polynomials[..<half]), Array(polynomials[half...]))
}
