import Foundation
import PhalanxCore
import PhalanxWire

/// Converts federation messages to and from their protobuf framing (Protos/phalanx/federation/v1).
///
/// The framing adds nothing that is trusted: a `SignedEnvelope` carries exactly the four fields of `Signed<T>`,
/// and the receiver verifies the signature as it would in one process. Decoding checks only the framing (the
/// kind matches the payload type, the signer is a valid id); it names the field that is wrong.
public enum WireCodec {
    public static func envelope(_ message: FederationMessage) -> Phalanx_Federation_V1_FederationEnvelope {
        var envelope = Phalanx_Federation_V1_FederationEnvelope()
        switch message {
        case .announcement(let s): envelope.kind = .announcement; envelope.signed = signed(s)
        case .contribution(let s): envelope.kind = .contribution; envelope.signed = signed(s)
        case .providerReply(let s): envelope.kind = .providerReply; envelope.signed = signed(s)
        case .incident(let s): envelope.kind = .incident; envelope.signed = signed(s)
        case .frame(let s): envelope.kind = .frame; envelope.signed = signed(s)
        case .command(let s): envelope.kind = .command; envelope.signed = signed(s)
        case .ack(let s): envelope.kind = .ack; envelope.signed = signed(s)
        case .aggregationStep(let s): envelope.kind = .aggregationStep; envelope.signed = signed(s)
        case .clearance(let s): envelope.kind = .clearance; envelope.signed = signed(s)
        case .result(let s): envelope.kind = .result; envelope.signed = signed(s)
        case .override(let request):
            envelope.kind = .override
            envelope.overrideCommand = signed(request.command)
            envelope.overrideApprovals = request.approvals.map(signed)
        }
        return envelope
    }

    public static func message(
        _ envelope: Phalanx_Federation_V1_FederationEnvelope
    ) throws(WireError)
        -> FederationMessage
    {
        switch envelope.kind {
        case .announcement: .announcement(try typed(envelope))
        case .contribution: .contribution(try typed(envelope))
        case .providerReply: .providerReply(try typed(envelope))
        case .incident: .incident(try typed(envelope))
        case .frame: .frame(try typed(envelope))
        case .command: .command(try typed(envelope))
        case .ack: .ack(try typed(envelope))
        case .aggregationStep: .aggregationStep(try typed(envelope))
        case .clearance: .clearance(try typed(envelope))
        case .result: .result(try typed(envelope))
        case .override:
            .override(
                OverrideRequest(
                    command: try typed(envelope.overrideCommand, field: "override_command"),
                    approvals: try envelope.overrideApprovals.enumerated().map { index, approval throws(WireError) in
                        try typed(approval, field: "override_approvals[\(index)]")
                    }
                ))
        case .unspecified, .UNRECOGNIZED:
            throw WireError("FederationEnvelope.kind: \(envelope.kind) is not a message kind of protocol v1")
        }
    }

    /// The participant whose key signed the message (for an override: the operator who signed the command).
    public static func signer(of message: FederationMessage) -> ParticipantID {
        switch message {
        case .announcement(let s): s.signer
        case .contribution(let s): s.signer
        case .providerReply(let s): s.signer
        case .incident(let s): s.signer
        case .frame(let s): s.signer
        case .command(let s): s.signer
        case .ack(let s): s.signer
        case .aggregationStep(let s): s.signer
        case .clearance(let s): s.signer
        case .result(let s): s.signer
        case .override(let request): request.command.signer
        }
    }

    public static func signed<T>(_ value: Signed<T>) -> Phalanx_Federation_V1_SignedEnvelope {
        var envelope = Phalanx_Federation_V1_SignedEnvelope()
        envelope.payloadType = value.payloadType
        envelope.payload = value.payload
        envelope.signer = value.signer.description
        envelope.signature = value.signature
        return envelope
    }

    public static func typed<T>(
        _ envelope: Phalanx_Federation_V1_SignedEnvelope, field: String = "signed"
    )
        throws(WireError) -> Signed<T>
    {
        guard envelope.payloadType == T.payloadType else {
            throw WireError(
                "FederationEnvelope.\(field).payload_type: expected \"\(T.payloadType)\", got \"\(envelope.payloadType)\""
            )
        }
        guard let signer = try? ParticipantID(envelope.signer) else {
            throw WireError("FederationEnvelope.\(field).signer: \"\(envelope.signer)\" is not a participant id")
        }
        guard envelope.signature.count == 64 else {
            throw WireError(
                "FederationEnvelope.\(field).signature: an Ed25519 signature has 64 bytes, got \(envelope.signature.count)"
            )
        }
        return Signed(
            payloadType: envelope.payloadType, payload: envelope.payload, signer: signer,
            signature: envelope.signature)
    }

    private static func typed<T>(_ envelope: Phalanx_Federation_V1_FederationEnvelope) throws(WireError) -> Signed<T> {
        try typed(envelope.signed, field: "signed")
    }
}

/// A protobuf message did not have the shape protocol v1 requires.
public struct WireError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
