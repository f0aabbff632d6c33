import Foundation
import PhalanxCore
import Testing

@testable import PhalanxPKI

/// The certificates are standard X.509: OpenSSL, an independent implementation, verifies the chain, reads
/// the extensions and agrees that the TLS key belongs to the certificate. Skipped when `openssl` is not on
/// PATH.
@Suite("OpenSSL interoperability", .enabled(if: OpenSSL.path != nil, "openssl is not on PATH"))
struct OpenSSLInteropTests {
    let scratch = ScratchDirectory()

    @Test("openssl verifies the chain strictly and reads the Phalanx profile")
    func opensslVerify() throws {
        let directory = PKIDirectory(path: scratch.path)
        try directory.initialize(name: "acme-federation")
        let issued = try directory.issue(id: participant("org-a"), role: .node, dnsNames: ["org-a.internal"])
        let ca = directory.caCertificatePath
        let certificate = scratch.file("private", "org-a", "cert.pem")

        let verify = try OpenSSL.run(["verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", ca, certificate])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("OK"))
        let client = try OpenSSL.run(["verify", "-purpose", "sslclient", "-CAfile", ca, certificate])
        #expect(client.status == 0, "\(client.output)")

        let text = try OpenSSL.run(["x509", "-in", certificate, "-noout", "-text"])
        #expect(text.status == 0)
        #expect(text.output.contains("Subject: CN=org-a") || text.output.contains("Subject: CN = org-a"))
        #expect(text.output.contains("URI:phalanx://node/org-a"))
        #expect(text.output.contains("DNS:org-a.internal"))
        #expect(text.output.contains("IP Address:127.0.0.1"))
        #expect(text.output.contains("TLS Web Server Authentication, TLS Web Client Authentication"))
        #expect(text.output.contains(PhalanxIdentityExtension.oid.description))
        #expect(text.output.contains("CA:FALSE"))

        let serial = try OpenSSL.run(["x509", "-in", certificate, "-noout", "-serial"])
        #expect(serial.output.lowercased().contains("serial=\(issued.serial)"))

        let caText = try OpenSSL.run(["x509", "-in", ca, "-noout", "-text"])
        #expect(caText.output.contains("CA:TRUE"))
        #expect(caText.output.contains("Certificate Sign, CRL Sign"))

        // The TLS key is the certificate's key.
        let fromKey = try OpenSSL.run(["pkey", "-in", scratch.file("private", "org-a", "tls.key"), "-pubout"])
        let fromCertificate = try OpenSSL.run(["x509", "-in", certificate, "-noout", "-pubkey"])
        #expect(fromKey.status == 0 && fromKey.output == fromCertificate.output)
        // The signing key file is readable by OpenSSL too.
        let signing = try OpenSSL.run(["pkey", "-in", scratch.file("private", "org-a", "signing.key"), "-noout"])
        #expect(signing.status == 0, "\(signing.output)")
    }

    @Test("openssl refuses a certificate from another CA")
    func opensslRefusesForeign() throws {
        let directory = PKIDirectory(path: scratch.path)
        try directory.initialize(name: "acme-federation")
        let other = PKIDirectory(path: scratch.file("other"))
        try other.initialize(name: "acme-federation")
        try other.issue(id: participant("mallory"), role: .node)
        let result = try OpenSSL.run([
            "verify", "-CAfile", directory.caCertificatePath, scratch.file("other", "private", "mallory", "cert.pem"),
        ])
        #expect(result.status != 0)
    }
}

enum OpenSSL {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        return directories.map { "\($0)/openssl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs openssl with `arguments`; returns its exit status and its stdout and stderr together.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(path))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
