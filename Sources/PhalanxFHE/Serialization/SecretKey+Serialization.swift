import PhalanxCore

extension SecretKey {
    /// The encoding of this secret key (kind 4 of the format documented on ``FHESerialization``), in a
    /// zero-on-free buffer.
    ///
    /// For a party persisting **its own** key share sᵢ, encrypted at rest by the caller: never send it to another
    /// party, log it or keep it in a plain `[UInt8]`. The one temporary array is wiped before this returns.
    public func serializedSecret() -> SecretBytes {
        // The key's own context, so the shape always fits and encoding cannot fail.
        // One variable holds the only reference to the array, so the wipe zeroes it in place instead of copying.
        var encoded: [UInt8]
        do {
            encoded = try FHEWire.encode(.secretKey, field: .none, polynomials: [polynomial], context: context)
        } catch {
            preconditionFailure("a secret key always has the shape of its own parameters: \(error)")
        }
        let secret = SecretBytes(encoded)
        SecretBytes.wipe(&encoded)
        return secret
    }

    /// Decodes a secret key made by ``serializedSecret()`` under `context`'s parameters, checking every field.
    /// Error messages name the offset and the problem, never a residue's value.
    public static func deserializeSecret(_ bytes: SecretBytes, context: BFVContext) throws(FHEError) -> SecretKey {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(FHEError) -> SecretKey in try deserializeSecret(raw, context: context) }
        }
        return try result.get()
    }

    /// Decodes a secret key from a buffer the caller owns and wipes (see ``serializedSecret()``).
    public static func deserializeSecret(
        _ bytes: UnsafeRawBufferPointer, context: BFVContext
    ) throws(FHEError) -> SecretKey {
        // The decoded residues move into the key (no copy is made), which wipes them when freed.
        SecretKey(context: context, ntt: try FHEWire.decode(bytes, as: .secretKey, context: context).polynomials[0])
    }
}
