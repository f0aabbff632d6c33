import Foundation
import Hummingbird

/// A request the agent's HTTP API refuses: the status, a stable machine-readable code, and a message naming the field
/// or the problem.
///
/// Rendered as `{"error": {"code": …, "message": …}}`. A message never quotes the scanned text, a feedback text or a
/// signature: only field names (cleaned by ``StrictJSON/printable(_:)``), byte offsets, limits and identifiers.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The codes a client can act on; `docs/agent-api.md` lists them with their statuses.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        case bodyTooLarge = "body_too_large"
        case invalidUTF8 = "invalid_utf8"
        case invalidJSON = "invalid_json"
        case tooDeep = "too_deep"
        case unknownField = "unknown_field"
        case missingField = "missing_field"
        case wrongType = "wrong_type"
        case invalidValue = "invalid_value"
        case notFound = "not_found"
        case methodNotAllowed = "method_not_allowed"
        case digestMismatch = "digest_mismatch"
        case conflict = "conflict"
        case signatureRejected = "signature_rejected"
        case unavailable = "unavailable"
        case `internal` = "internal"

        /// The HTTP status code that goes with the code.
        public var statusCode: Int { status.code }

        var status: HTTPResponse.Status {
            switch self {
            case .bodyTooLarge: .contentTooLarge
            case .invalidUTF8, .invalidJSON, .tooDeep, .unknownField, .missingField, .wrongType, .invalidValue:
                .badRequest
            case .notFound: .notFound
            case .methodNotAllowed: .methodNotAllowed
            case .digestMismatch, .conflict: .conflict
            case .signatureRejected: .forbidden
            case .unavailable: .serviceUnavailable
            case .internal: .internalServerError
            }
        }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The HTTP status code of the response.
    public var statusCode: Int { code.statusCode }
    var status: HTTPResponse.Status { code.status }
    public var description: String { "\(code.rawValue): \(message)" }

    /// The JSON body of the error response.
    public var body: [UInt8] {
        struct Envelope: Encodable {
            struct Inner: Encodable {
                let code: String
                let message: String
            }
            let error: Inner
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Two strings always encode.
        return Array((try? encoder.encode(Envelope(error: .init(code: code.rawValue, message: message)))) ?? Data())
    }

    init(_ error: StrictJSONError) {
        switch error.kind {
        case .invalidUTF8: self.init(.invalidUTF8, error.description)
        case .syntax: self.init(.invalidJSON, "the body is not valid JSON: \(error.description)")
        case .tooDeep: self.init(.tooDeep, error.description)
        }
    }
}

/// Responses with a JSON body.
enum JSONResponse {
    static func bytes(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Encodes `value` with sorted keys; a value that cannot be encoded is an internal error.
    static func encode(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws(APIError) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return bytes(Array(try encoder.encode(value)), status: status)
        } catch {
            throw APIError(.internal, "the response could not be encoded")
        }
    }
}
