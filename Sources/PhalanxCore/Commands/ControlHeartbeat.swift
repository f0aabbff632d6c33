/// A signed "still here" to a local safety agent, so that silence can be told from calm: from the control plane, or
/// from the organization's own node, which sends one every tick it hears from the control plane. When they stop for
/// the federation's `fallbackAfterTicks`, the agent falls back to its conservative mode.
public struct ControlHeartbeat: SignedPayload, Hashable {
    public static let payloadType = "phalanx.agent-heartbeat.v1"

    public var issuer: ParticipantID
    public var tick: UInt64
    public var issuedAtMs: Int64

    public init(issuer: ParticipantID, tick: UInt64, issuedAtMs: Int64) {
        self.issuer = issuer
        self.tick = tick
        self.issuedAtMs = issuedAtMs
    }

    public var author: ParticipantID { issuer }
}
