/// The kind-specific header field of an encoding (bytes 20… of the header).
enum FHEHeaderField: Equatable {
    case none
    /// A ciphertext's noise estimate.
    case noiseBits(Double)
    /// How many parties' shares a key sums.
    case parties(Int)
}

/// The encoder and the validating decoder of the format documented on ``FHESerialization``, shared by every kind.
enum FHEWire {
    // MARK: Encoding

    /// The encoding of an object of `kind`. Throws `.mismatch` when the object does not have the shape of
    /// `context`'s parameters or does not fit the format, so that whatever is written decodes.
    static func encode(
        _ kind: FHEObjectKind, field: FHEHeaderField, polynomials: [RNSPolynomial], context: BFVContext
    ) throws(FHEError) -> [UInt8] {
        let basis = context.basisQ
        let name = context.parameters.name
        guard kind.polynomialCounts(limbs: basis.count).contains(polynomials.count) else {
            throw .mismatch(
                "cannot serialize \(kind) of \(polynomials.count) polynomials: under \(name) it has "
                    + describe(kind.polynomialCounts(limbs: basis.count)))
        }
        for (index, polynomial) in polynomials.enumerated() {
            guard polynomial.degree == basis.degree, polynomial.limbs == basis.count else {
                throw .mismatch(
                    "cannot serialize \(kind): polynomial \(index) has limbs × N = \(polynomial.limbs) × "
                        + "\(polynomial.degree) residues, \(name) has \(basis.count) × \(basis.degree)")
            }
            guard polynomial.isNTT else {
                throw .mismatch("cannot serialize \(kind): polynomial \(index) is not in NTT form")
            }
        }
        switch field {
        case .none:
            precondition(kind.extraFieldByteCount == 0)
        case .noiseBits(let bits):
            precondition(kind == .ciphertext)
            guard bits.isFinite else { throw .mismatch("cannot serialize \(kind): its noise estimate is not finite") }
        case .parties(let parties):
            precondition(kind.extraFieldByteCount == 2)
            guard (1...Int(UInt16.max)).contains(parties) else {
                throw .mismatch("cannot serialize \(kind) of \(parties) parties: the format holds 1…65535")
            }
        }
        guard basis.degree <= UInt32.max, basis.count <= UInt8.max else {
            throw .mismatch("cannot serialize \(kind): \(name) does not fit the header")
        }

        let total = FHESerialization.byteCount(
            kind: kind, polynomials: polynomials.count, parameters: context.parameters)
        var bytes = [UInt8](repeating: 0, count: total)
        bytes.withUnsafeMutableBytes { out in
            for (index, byte) in FHESerialization.magic.enumerated() { out[index] = byte }
            out.storeBytes(of: FHESerialization.formatVersion.littleEndian, toByteOffset: 4, as: UInt16.self)
            out[6] = kind.rawValue
            out.storeBytes(of: context.fingerprint.littleEndian, toByteOffset: 7, as: UInt64.self)
            out.storeBytes(of: UInt32(basis.degree).littleEndian, toByteOffset: 15, as: UInt32.self)
            out[19] = UInt8(basis.count)
            var offset = FHESerialization.fixedHeaderByteCount
            switch field {
            case .none:
                break
            case .noiseBits(let bits):
                out.storeBytes(of: bits.bitPattern.littleEndian, toByteOffset: offset, as: UInt64.self)
                offset += 8
            case .parties(let parties):
                out.storeBytes(of: UInt16(parties).littleEndian, toByteOffset: offset, as: UInt16.self)
                offset += 2
            }
            out.storeBytes(of: UInt16(polynomials.count).littleEndian, toByteOffset: offset, as: UInt16.self)
            offset += 2
            let n = basis.degree
            for polynomial in polynomials {
                out[offset] = polynomial.isNTT ? 1 : 0
                offset += 1
                polynomial.data.withUnsafeBufferPointer { data in
                    for (limb, modulus) in basis.moduli.enumerated() {
                        let row = UnsafeBufferPointer(rebasing: data[(limb * n)..<((limb + 1) * n)])
                        offset += BitPacking.pack(row, width: modulus.bitWidth, into: out, at: offset)
                    }
                }
            }
            precondition(offset == total)
        }
        return bytes
    }

    // MARK: Decoding

    /// Runs `body` on the bytes of `bytes` as one contiguous buffer whose offsets start at 0 (copying them only
    /// when the collection is not contiguous).
    static func withContiguousBytes<R>(
        _ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) throws(FHEError) -> R
    ) throws(FHEError) -> R {
        let contiguous: Result<R, FHEError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(FHEError) -> R in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let contiguous { return try contiguous.get() }
        let copy = Array(bytes)
        let result = copy.withUnsafeBytes { buffer in
            Result { () throws(FHEError) -> R in try body(buffer) }
        }
        return try result.get()
    }

    /// The kind at byte 6, after the magic and the version; needs no more than 7 bytes.
    static func readKind(_ bytes: UnsafeRawBufferPointer) throws(FHEError) -> FHEObjectKind {
        for index in 0..<min(4, bytes.count) where bytes[index] != FHESerialization.magic[index] {
            throw .malformed("byte 0: magic is not PHXF")
        }
        guard bytes.count >= 7 else {
            throw .malformed("truncated: the header needs 7 bytes to name its kind, \(bytes.count) present")
        }
        let version = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self))
        guard version == FHESerialization.formatVersion else {
            throw .malformed(
                "byte 4: version \(version) is not supported (this build reads \(FHESerialization.formatVersion))")
        }
        guard let kind = FHEObjectKind(rawValue: bytes[6]) else {
            throw .malformed("byte 6: kind \(bytes[6]) is not a known object kind")
        }
        return kind
    }

    /// Decodes an object of `kind` made under `context`, checking every field; see ``FHESerialization``.
    static func decode(
        _ bytes: UnsafeRawBufferPointer, as kind: FHEObjectKind, context: BFVContext
    ) throws(FHEError) -> (field: FHEHeaderField, polynomials: [RNSPolynomial]) {
        let found = try readKind(bytes)
        guard found == kind else {
            throw .malformed("byte 6: kind \(found.rawValue) is \(found), expected \(kind)")
        }
        guard bytes.count >= kind.headerByteCount else {
            throw .malformed(
                "truncated: the header of \(kind) is \(kind.headerByteCount) bytes, \(bytes.count) present")
        }
        let basis = context.basisQ
        let name = context.parameters.name
        let fingerprint = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 7, as: UInt64.self))
        guard fingerprint == context.fingerprint else {
            throw .mismatch(
                "byte 7: parameters fingerprint \(FHESerialization.hex(fingerprint)) does not match \(name) "
                    + "(\(FHESerialization.hex(context.fingerprint)))")
        }
        let degree = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 15, as: UInt32.self))
        guard degree == basis.degree else {
            throw .malformed("byte 15: ring degree \(degree) does not match \(name) (N = \(basis.degree))")
        }
        let limbs = bytes[19]
        guard limbs == basis.count else {
            throw .malformed("byte 19: limb count \(limbs) does not match \(name) (\(basis.count) primes)")
        }
        var offset = FHESerialization.fixedHeaderByteCount
        var field = FHEHeaderField.none
        switch kind {
        case .ciphertext:
            let bits = Double(
                bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            guard bits.isFinite else {
                throw .malformed("byte \(offset): noise estimate \(bits) is not finite")
            }
            field = .noiseBits(bits)
            offset += 8
        case .publicKey, .relinearizationKey:
            let parties = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            guard parties >= 1 else {
                throw .malformed("byte \(offset): parties 0: \(kind) sums the shares of at least one party")
            }
            field = .parties(Int(parties))
            offset += 2
        default:
            break
        }
        let count = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
        let allowed = kind.polynomialCounts(limbs: basis.count)
        guard allowed.contains(count) else {
            throw .malformed("byte \(offset): polynomial count \(count) is not \(describe(allowed)) for \(kind)")
        }
        offset += 2

        // Degree, limb count and polynomial count are now those of `context`, so the total is small and exact:
        // check it against the input before allocating anything.
        let expected = FHESerialization.byteCount(kind: kind, polynomials: count, parameters: context.parameters)
        guard bytes.count >= expected else {
            throw .malformed(
                "truncated: \(FHESerialization.grouped(expected)) bytes expected, "
                    + "\(FHESerialization.grouped(bytes.count)) present")
        }
        guard bytes.count == expected else {
            throw .malformed(
                "trailing bytes: \(FHESerialization.grouped(expected)) bytes expected, "
                    + "\(FHESerialization.grouped(bytes.count)) present")
        }

        let secret = kind == .secretKey
        var polynomials: [RNSPolynomial] = []
        polynomials.reserveCapacity(count)
        do {
            for index in 0..<count {
                polynomials.append(try decodePolynomial(bytes, at: &offset, index: index, kind: kind, basis: basis))
            }
        } catch {
            if secret {
                for index in polynomials.indices { polynomials[index].wipe() }
            }
            throw error
        }
        precondition(offset == expected)
        return (field, polynomials)
    }

    /// One polynomial at `offset` (advanced past it); the caller has checked that the input holds it.
    private static func decodePolynomial(
        _ bytes: UnsafeRawBufferPointer, at offset: inout Int, index: Int, kind: FHEObjectKind, basis: RNSBasis
    ) throws(FHEError) -> RNSPolynomial {
        let flags = bytes[offset]
        guard flags & ~1 == 0 else {
            throw .malformed(
                "byte \(offset): polynomial \(index) flags 0x\(String(flags, radix: 16)) have unknown bits set")
        }
        guard flags & 1 == 1 else {
            throw .malformed(
                "byte \(offset): polynomial \(index) is in coefficient form; the polynomials of \(kind) are in NTT form"
            )
        }
        offset += 1
        let n = basis.degree
        var data = [UInt64](repeating: 0, count: basis.count * n)
        let secret = kind == .secretKey
        var failure: (limb: Int, problem: BitPacking.Failure)?
        data.withUnsafeMutableBufferPointer { out in
            for (limb, modulus) in basis.moduli.enumerated() {
                let row = UnsafeMutableBufferPointer(rebasing: out[(limb * n)..<((limb + 1) * n)])
                let start = offset
                switch BitPacking.unpack(bytes, at: &offset, width: modulus.bitWidth, below: modulus.value, into: row) {
                case .none: continue
                case .some(let problem):
                    failure = (limb, problem)
                    offset = start
                    return
                }
            }
        }
        guard let failure else { return RNSPolynomial(degree: n, limbs: basis.count, isNTT: true, data: data) }
        if secret { SecretWipe.array(&data) }
        let width = basis.moduli[failure.limb].bitWidth
        let limbStart = offset
        switch failure.problem {
        case .coefficientOutOfRange(let position, let value):
            let at = limbStart + position * width / 8
            let prime = "q\(failure.limb) = \(basis.moduli[failure.limb].value)"
            // The value of a secret key's residue is key material (even an invalid one): name only its place.
            let shown = secret ? "" : " is \(value),"
            throw .malformed(
                "byte \(at): polynomial \(index) limb \(failure.limb) coefficient \(position)\(shown) not below \(prime)"
            )
        case .nonzeroPadding:
            let at = limbStart + (n * width) / 8
            throw .malformed("byte \(at): polynomial \(index) limb \(failure.limb) padding bits are not zero")
        }
    }

    private static func describe(_ counts: ClosedRange<Int>) -> String {
        counts.count == 1 ? "\(counts.lowerBound)" : "\(counts.lowerBound) or \(counts.upperBound)"
    }
}

/// Residues bit-packed least significant bit first, `width` bits each, a limb padded to a whole byte.
enum BitPacking {
    enum Failure {
        case coefficientOutOfRange(position: Int, value: UInt64)
        case nonzeroPadding
    }

    /// Writes `values` (each below 2^width) at byte `start` of `out`; returns the number of bytes written,
    /// ⌈count·width/8⌉.
    static func pack(
        _ values: UnsafeBufferPointer<UInt64>, width: Int, into out: UnsafeMutableRawBufferPointer, at start: Int
    ) -> Int {
        precondition((1...64).contains(width))
        let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
        var accumulator: UInt128 = 0
        var bits = 0
        var position = start
        for value in values {
            assert(value <= mask, "residue wider than its modulus")
            accumulator |= UInt128(value & mask) << bits
            bits += width
            if bits >= 64 {
                out.storeBytes(
                    of: UInt64(truncatingIfNeeded: accumulator).littleEndian, toByteOffset: position, as: UInt64.self)
                position += 8
                accumulator >>= 64
                bits -= 64
            }
        }
        while bits > 0 {
            out[position] = UInt8(truncatingIfNeeded: accumulator)
            accumulator >>= 8
            bits -= min(bits, 8)
            position += 1
        }
        return position - start
    }

    /// Reads `out.count` residues of `width` bits at byte `offset` of `bytes` (advanced past the limb), each
    /// checked below `modulus`, and the limb's padding checked zero; the caller has checked that the input holds
    /// ⌈count·width/8⌉ bytes there. Returns the first problem, if any (`offset` is then unspecified).
    static func unpack(
        _ bytes: UnsafeRawBufferPointer, at offset: inout Int, width: Int, below modulus: UInt64,
        into out: UnsafeMutableBufferPointer<UInt64>
    ) -> Failure? {
        precondition((1...64).contains(width))
        let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
        let end = offset + (out.count * width + 7) / 8
        precondition(end <= bytes.count)
        var accumulator: UInt128 = 0
        var bits = 0
        var position = offset
        for index in 0..<out.count {
            if bits < width {
                if end - position >= 8 {
                    let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
                    accumulator |= UInt128(word) << bits
                    bits += 64
                    position += 8
                } else {
                    while bits < width {
                        accumulator |= UInt128(bytes[position]) << bits
                        bits += 8
                        position += 1
                    }
                }
            }
            let value = UInt64(truncatingIfNeeded: accumulator) & mask
            accumulator >>= width
            bits -= width
            guard value < modulus else { return .coefficientOutOfRange(position: index, value: value) }
            out[index] = value
        }
        guard accumulator == 0 else { return .nonzeroPadding }
        offset = position
        return nil
    }
}
