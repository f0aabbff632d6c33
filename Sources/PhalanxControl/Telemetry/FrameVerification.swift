import Crypto
import Foundation
import PhalanxCore

/// A frame whose signature, canonical encoding and author were checked, with what the collector's later,
/// stateless checks need: the envelope's audit hash and whether the metric keys and values are acceptable.
///
/// Only ``FrameVerification/verify(_:by:metricKeys:)`` makes one: it is the collector's counterpart of
/// `Verified<TelemetryFrame>`, for the same checks done with the signer's key parsed once.
struct VerifiedFrame: Sendable {
    let frame: TelemetryFrame
    /// SHA-256 of the signed envelope (``Signed/digest``), the hash the sealed batch records.
    let digest: PhalanxCore.SHA256Digest
    /// Whether `metrics` has exactly the manifest's keys.
    let keysMatch: Bool
    /// Whether every metric value is finite and both latencies are finite and non-negative.
    let valuesValid: Bool

    fileprivate init(frame: TelemetryFrame, digest: PhalanxCore.SHA256Digest, keysMatch: Bool, valuesValid: Bool) {
        self.frame = frame
        self.digest = digest
        self.keysMatch = keysMatch
        self.valuesValid = valuesValid
    }
}

/// A roster member as the collector checks its frames: its identity, its Ed25519 key parsed once, and whether it
/// reports on the job.
struct FrameSigner: Sendable {
    let identity: PublicIdentity
    let key: Curve25519.Signing.PublicKey
    let isReporter: Bool

    init(_ identity: PublicIdentity, isReporter: Bool) {
        self.identity = identity
        // A PublicIdentity holds a key that parsed when it was made.
        self.key = try! Curve25519.Signing.PublicKey(rawRepresentation: identity.publicKey)
        self.isReporter = isReporter
    }
}

/// A frame checked ahead of the collector's stateful checks: the expensive, stateless part of ``TelemetryCollector``'s
/// verification (Ed25519, canonical decode, the audit hash), which a batch spreads over every core.
///
/// The check remembers the identity it verified against; the collector uses it only when its roster still maps
/// the signer to that same identity, and verifies again otherwise, so a check can never stand in for another roster.
struct PreverifiedFrame: Sendable {
    let envelope: Signed<TelemetryFrame>
    /// `nil` when nothing was verified: the signer was unknown, not a reporter or isolated, which the collector
    /// refuses before looking at the signature.
    let check: (identity: PublicIdentity, result: Result<VerifiedFrame, FrameRejection>)?

    /// The result of the check made against `identity`, if one was.
    func result(for identity: PublicIdentity) -> Result<VerifiedFrame, FrameRejection>? {
        guard let check, check.identity == identity else { return nil }
        return check.result
    }
}

/// The stateless checks of a telemetry frame, one at a time or for a batch on every core.
enum FrameVerification {
    /// What ``SignatureMessage/bytes(payloadType:payload:)`` puts before a frame's payload bytes: the array head, the
    /// context and the payload type. Taken from it, by signing an empty payload, whose byte-string head is `0x40`.
    static let messagePrefix: [UInt8] = {
        let empty = try! SignatureMessage.bytes(payloadType: TelemetryFrame.payloadType, payload: [])
        precondition(empty.last == 0x40, "a signature message ends with its payload as a byte string")
        return Array(empty.dropLast())
    }()

    /// The signed message of a frame payload: ``messagePrefix``, then the payload as a CBOR byte string (its head,
    /// RFC 8949 §3.1 in the shortest form, then the bytes). Equals ``SignatureMessage/bytes(payloadType:payload:)``
    /// without building the value tree or copying the payload twice.
    static func message(for payload: Data) -> [UInt8] {
        var message = messagePrefix
        message.reserveCapacity(messagePrefix.count + 9 + payload.count)
        appendHead(major: 2, length: payload.count, to: &message)
        message.append(contentsOf: payload)
        return message
    }

    /// Appends the head of a CBOR item of major type `major` (2: byte string, 3: text) and `length`, in the shortest
    /// form (RFC 8949 §3.1, as deterministic encoding requires): the length in the initial byte below 24, else in the
    /// 1, 2, 4 or 8 big-endian bytes that follow additional information 24, 25, 26 or 27.
    private static func appendHead(major: UInt8, length: Int, to bytes: inout [UInt8]) {
        let length = UInt64(length)
        guard length >= 24 else { return bytes.append(major << 5 | UInt8(length)) }
        let width = length < 0x100 ? 1 : length < 0x1_0000 ? 2 : length < 0x1_0000_0000 ? 4 : 8
        bytes.append(major << 5 | UInt8(24 + width.trailingZeroBitCount))
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: length >> UInt64(shift)))
        }
    }

    /// Checks `envelope` as ``Signed/verify(with:)`` does, in the same order and with the same outcomes, then hashes
    /// it: the payload type, the signer, the Ed25519 signature over the signed message, the canonical decode
    /// (``decode(_:)``), and the author.
    static func verify(
        _ envelope: Signed<TelemetryFrame>, by signer: FrameSigner, metricKeys: Set<String>
    ) -> Result<VerifiedFrame, FrameRejection> {
        guard envelope.payloadType == TelemetryFrame.payloadType else { return .failure(.malformed) }
        guard signer.identity.id == envelope.signer, envelope.signature.count == 64,
            signer.key.isValidSignature(envelope.signature, for: message(for: envelope.payload))
        else { return .failure(.badSignature) }
        guard let frame = decode(envelope.payload) else { return .failure(.malformed) }
        guard frame.author == envelope.signer else { return .failure(.badSignature) }
        // The keys of a dictionary are distinct, so equal counts and inclusion mean the same set, without building one.
        let keysMatch = frame.metrics.count == metricKeys.count && frame.metrics.keys.allSatisfy(metricKeys.contains)
        let valuesValid =
            frame.metrics.values.allSatisfy(\.isFinite) && frame.lagMs.isFinite && frame.lagMs >= 0
            && frame.opLatencyMs.isFinite && frame.opLatencyMs >= 0
        return .success(
            VerifiedFrame(frame: frame, digest: digest(of: envelope), keysMatch: keysMatch, valuesValid: valuesValid))
    }

    /// The frame a payload holds, or `nil` when the payload is not exactly the canonical encoding of a frame.
    ///
    /// Read straight from the bytes (``TelemetryFrame/init(canonicalBytes:)``: Core's canonical reader, no value
    /// tree); anything that path declines goes through the general decoder, which decides. As in `Signed.verify`,
    /// the payload must be exactly the canonical form of the frame it decodes to (no explicit nulls, no unknown
    /// keys), so one frame has one signed form.
    static func decode(_ payload: Data) -> TelemetryFrame? {
        if let frame = TelemetryFrame(canonicalBytes: [UInt8](payload)) { return frame }
        guard let tree = try? CanonicalValue(decoding: payload),
            let decoded = try? CanonicalEncoding.decode(TelemetryFrame.self, fromValue: tree),
            (try? CanonicalEncoding.value(of: decoded)) == tree
        else { return nil }
        return decoded
    }

    /// The envelope's audit hash, ``Signed/digest``: SHA-256 of the canonical encoding of its four fields, written
    /// straight into one buffer rather than through `Codable`, which takes three times as long.
    static func digest(of envelope: Signed<TelemetryFrame>) -> PhalanxCore.SHA256Digest {
        guard directDigestAgrees else { return envelope.digest }
        return SHA256Digest.of(encoded(envelope))
    }

    /// The canonical encoding of an envelope: a map of its four fields, the keys in canonical order (shorter first,
    /// then bytewise: `signer`, `payload`, `signature`, `payloadType`).
    private static func encoded(_ envelope: Signed<TelemetryFrame>) -> [UInt8] {
        let signer = envelope.signer.rawValue.utf8, type = envelope.payloadType.utf8
        var bytes: [UInt8] = [0xA4]
        bytes.reserveCapacity(64 + signer.count + type.count + envelope.payload.count + envelope.signature.count)
        func text(_ utf8: String.UTF8View) {
            appendHead(major: 3, length: utf8.count, to: &bytes)
            bytes.append(contentsOf: utf8)
        }
        func data(_ data: Data) {
            appendHead(major: 2, length: data.count, to: &bytes)
            bytes.append(contentsOf: data)
        }
        text("signer".utf8)
        text(signer)
        text("payload".utf8)
        data(envelope.payload)
        text("signature".utf8)
        data(envelope.signature)
        text("payloadType".utf8)
        text(type)
        return bytes
    }

    /// Whether ``encoded(_:)`` gives the bytes ``Signed/digest`` hashes, checked once on a sample envelope: should
    /// `Signed` ever encode differently (another field, another name), the collector uses ``Signed/digest`` itself.
    static let directDigestAgrees: Bool = {
        let sample = Signed<TelemetryFrame>(
            payloadType: TelemetryFrame.payloadType, payload: Data((0..<300).map { UInt8(truncatingIfNeeded: $0) }),
            signer: try! ParticipantID("node-1"), signature: Data(repeating: 0xA5, count: 64))
        return SHA256Digest.of(encoded(sample)) == sample.digest
    }()
}
