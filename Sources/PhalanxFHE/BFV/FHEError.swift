/// What went wrong in the `fhe` layer. Messages never carry key material or plaintexts.
public enum FHEError: Error, Hashable, Sendable, CustomStringConvertible {
    case invalidParameters(String)
    /// Operands from different parameter sets, keys from another session, wrong ciphertext size.
    case mismatch(String)
    /// A value does not fit the plaintext space.
    case plaintextOutOfRange(String)
    /// The ciphertext's noise is too large for the operation (decryption would be wrong, or smudging cannot hide
    /// it); refresh it first.
    case noiseBudgetExhausted(String)
    /// A serialized object is malformed: the message names the field and the offset.
    case malformed(String)
    /// A multiparty protocol step is missing shares or got them twice.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .invalidParameters(let message): "invalid FHE parameters: \(message)"
        case .mismatch(let message): "FHE operands do not match: \(message)"
        case .plaintextOutOfRange(let message): "plaintext out of range: \(message)"
        case .noiseBudgetExhausted(let message): "noise budget exhausted: \(message)"
        case .malformed(let message): "malformed FHE object: \(message)"
        case .protocolViolation(let message): "multiparty protocol: \(message)"
        }
    }
}
