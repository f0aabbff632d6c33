/// A value that participants sign and exchange.
///
/// Each kind has a versioned `payloadType` that is part of the signed message, so a signature over a
/// telemetry frame can never be replayed as a signature over a command with the same bytes.
public protocol SignedPayload: Codable, Sendable {
    /// The domain-separation tag of this kind of object, e.g. `phalanx.telemetry-frame.v1`.
    static var payloadType: String { get }
    /// The participant that must have signed the object (the frame's node, the command's issuer…).
    var author: ParticipantID { get }
}
