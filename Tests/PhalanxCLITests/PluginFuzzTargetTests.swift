import Foundation
import PhalanxDSL
import Testing

@testable import PhalanxCLI

@Suite("phalanx fuzz plugins")
struct PluginFuzzTargetTests {
    static let plugins = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Plugins")

    @Test(
        "the embedded seeds equal the shipped plug-ins",
        arguments: [
            ("fedavg-round", PluginFuzzTarget.fedavgRound), ("kaplan-meier", PluginFuzzTarget.kaplanMeier),
            ("safety-event-count", PluginFuzzTarget.safetyEventCount),
            ("bench-secure-sum-100k", PluginFuzzTarget.benchSecureSum100k),
        ])
    func seedsEqualFiles(_ name: String, _ embedded: String) throws {
        let file = try String(contentsOf: Self.plugins.appending(path: "\(name).phx"), encoding: .utf8)
        #expect(embedded == file, "update PluginFuzzTarget.swift from Plugins/\(name).phx")
    }

    @Test("every shipped plug-in is a seed")
    func everyPluginIsASeed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.plugins.path(percentEncoded: false))
            .filter { $0.hasSuffix(".phx") }
        #expect(files.count == 4)
        let seeds = Set(PluginFuzzTarget().seeds)
        for file in files {
            let text = try String(contentsOf: Self.plugins.appending(path: file), encoding: .utf8)
            let isSeed = seeds.contains(Array(text.utf8))
            #expect(isSeed, "\(file) is not among the fuzz target's seeds")
        }
    }

    @Test("a parse error is a rejection with its code; broken promises are findings")
    func outcomes() throws {
        let target = PluginFuzzTarget()
        guard case .rejected(let reason) = try target.run(Array("plugin 5".utf8)) else {
            Issue.record("a parse error must be a rejection")
            return
        }
        #expect(reason.hasPrefix("unexpected-token: expected a string after"))
        #expect(
            try target.run(Array("plugin \"p\" version \"1\" node { } aggregator { }".utf8))
                == .accepted("parsed; no statements"))
        let deep =
            "plugin \"p\" version \"1\" node { let x = " + String(repeating: "-", count: 40) + "1 } aggregator { }"
        #expect(try target.run(Array(deep.utf8)) == .accepted("parsed; too deep once parenthesized"))
        // A diagnostic placed after the end of the text, or one that does not render, is a finding.
        let text = "plugin"
        let outside = Diagnostic(
            .unexpectedToken, "m", at: SourceSpan(2, 3), in: SourceFile(name: "fuzz.phx", text: "a\nb"))
        #expect(throws: FuzzInvariantViolation.self) { try PluginFuzzTarget.checkLocated(outside, in: text) }
        let otherFile = Diagnostic(
            .unexpectedToken, "m", at: SourceSpan(0, 1), in: SourceFile(name: "x.phx", text: text))
        #expect(throws: FuzzInvariantViolation.self) { try PluginFuzzTarget.checkLocated(otherFile, in: text) }
    }

    @Test("the canonical form is fully parenthesized and reads back as itself")
    func canonicalForm() throws {
        let plugin = try Parser.parse(SourceFile(name: "k", text: PluginFuzzTarget.kaplanMeier))
        let canonical = PluginFuzzTarget.canonical(plugin)
        #expect(canonical.contains("    let factor = clamp((1 - (deaths / max(at_risk, 1))), 0, 1)\n"))
        #expect(canonical.contains("    release cumprod(factor) as \"survival\" labels 0..=80\n"))
        let reparsed = try Parser.parse(SourceFile(name: "k", text: canonical))
        #expect(PluginFuzzTarget.canonical(reparsed) == canonical)
        #expect(PluginFuzzTarget.quoted("a\"b\\c\nd\te") == "\"a\\\"b\\\\c\\nd\\te\"")
        #expect(PluginFuzzTarget.lineLengths("ab\r\nc\rd\n\n") == [2, 1, 1, 0, 0])
    }
}
