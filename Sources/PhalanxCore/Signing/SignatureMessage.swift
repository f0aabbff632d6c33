/// The exact bytes Phalanx signs: the canonical encoding of `["phalanx-sig-v1", payloadType, payload]`.
///
/// `payload` is the canonical (deterministic CBOR) encoding of the object and enters as a byte string,
/// so the message is unambiguous for any payload, and the type tag separates domains (as DSSE's PAE does).
/// See `docs/canonical-encoding.md`.
public enum SignatureMessage {
    /// The version tag at the start of every signed message.
    public static let context = "phalanx-sig-v1"

    public static func bytes(payloadType: String, payload: [UInt8]) throws -> [UInt8] {
        try CanonicalValue.array([.text(context), .text(payloadType), .bytes(payload)]).encoded()
    }
}
