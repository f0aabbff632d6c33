import Foundation
import PhalanxCore
import X509

/// Serial numbers of the certificates this CA issues, and their text form.
enum CertificateSerial {
    /// A fresh serial: 16 bytes from the system CSPRNG, read as a positive 126-bit integer.
    ///
    /// RFC 5280 §4.1.2.2 requires a positive INTEGER of at most 20 bytes; the CA/Browser Forum asks for at
    /// least 64 bits of CSPRNG output so that serials cannot be predicted. The top bit is cleared (positive, no
    /// leading zero byte needed) and the next one set (no leading zero byte to drop), so every serial is
    /// exactly 16 bytes and 32 hex characters.
    static func random() -> Certificate.SerialNumber {
        var generator = SystemRandomNumberGenerator()  // getrandom(2) on Linux, arc4random on Darwin
        var bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes[0] = (bytes[0] & 0x7F) | 0x40
        return Certificate.SerialNumber(bytes: bytes)
    }

    /// The lowercase hex of the serial's big-endian bytes, as shown by `openssl x509 -serial`.
    static func hex(_ serial: Certificate.SerialNumber) -> String {
        Hex.encode(serial.bytes)
    }

    /// Normalizes user input ("3F:2A…", "0x3f2a…") to the form of ``hex(_:)``; `nil` when it is not hex.
    static func normalize(_ text: String) -> String? {
        var cleaned = text.lowercased().replacingOccurrences(of: ":", with: "")
        if cleaned.hasPrefix("0x") { cleaned.removeFirst(2) }
        guard !cleaned.isEmpty, Hex.decode(cleaned) != nil else { return nil }
        return cleaned
    }
}
