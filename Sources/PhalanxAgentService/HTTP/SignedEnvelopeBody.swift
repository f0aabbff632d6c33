import Foundation
import PhalanxCore

/// A signed object in a request body, as `JSONEncoder` writes `Signed<T>`:
/// `{"payloadType", "payload": base64, "signer", "signature": base64}`.
///
/// Only the envelope is read here; nothing in it is trusted until the agent verifies the signature.
enum SignedEnvelopeBody {
    static let fields: Set<String> = ["payloadType", "payload", "signer", "signature"]

    static func parse<Payload: SignedPayload>(_ value: JSONValue, as: Payload.Type) throws(APIError) -> Signed<Payload>
    {
        let body = try JSONFields(value, allowed: fields)
        let payloadType = try body.requiredString("payloadType", maximumBytes: 128)
        guard payloadType == Payload.payloadType else {
            throw APIError(.invalidValue, "\"payloadType\" must be \(Payload.payloadType)")
        }
        guard let payload = Data(base64Encoded: try body.requiredString("payload")) else {
            throw APIError(.invalidValue, "\"payload\" must be base64")
        }
        let signerText = try body.requiredString("signer", maximumBytes: 64)
        let signer: ParticipantID
        do { signer = try ParticipantID(signerText) } catch {
            throw APIError(.invalidValue, "\"signer\" is not a participant id: \(error.problem)")
        }
        guard let signature = Data(base64Encoded: try body.requiredString("signature", maximumBytes: 128)),
            signature.count == 64
        else {
            throw APIError(.invalidValue, "\"signature\" must be a base64 Ed25519 signature (64 bytes)")
        }
        return Signed(payloadType: payloadType, payload: payload, signer: signer, signature: signature)
    }
}
