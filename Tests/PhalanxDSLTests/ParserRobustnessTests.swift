import Testing
import _TestSupport

@testable import PhalanxDSL

/// The parser never crashes: every input either parses or fails with a diagnostic placed within the text.
@Suite("Parser robustness")
struct ParserRobustnessTests {
    @Test("every byte prefix of a shipped plug-in parses or fails within the text", arguments: ShippedPlugins.names)
    func prefixes(_ name: String) throws {
        let bytes = Array(try ShippedPlugins.text(name).utf8)
        var parsed = 0
        for length in 0...bytes.count {
            // A prefix may end inside a multi-byte character, which decodes as U+FFFD.
            if parsesOrFailsWithinText(String(decoding: bytes[..<length], as: UTF8.self)) { parsed += 1 }
        }
        // Only the whole text, and the whole text without its trailing comments and line breaks, parse.
        #expect(parsed >= 1 && parsed < 200)
    }

    @Test(
        "deleting any one token of a shipped plug-in gives a tree or a located error", arguments: ShippedPlugins.names)
    func tokenDeletions(_ name: String) throws {
        let text = try ShippedPlugins.text(name)
        let source = SourceFile(name: name, text: text)
        let tokens = Lexer.tokenize(source).dropLast()
        for token in tokens {
            let before = source.text(SourceSpan(0, token.span.lowerBound))
            let after = source.text(SourceSpan(token.span.upperBound, source.count))
            parsesOrFailsWithinText(before + after)
            parsesOrFailsWithinText(before + " " + source.text(token.span) + source.text(token.span) + after)
        }
    }

    /// Fragments of the language, valid and not, that token soups are made of.
    static let vocabulary = [
        "plugin", "version", "input", "int", "real", "category", "in", "node", "aggregator", "let", "secure_sum",
        "as", "release", "threshold_release", "at", "labels", "where", "and", "or", "not", "true", "false", "round",
        "t", "x", "t.c", "histogram(", "clip_linf(", "f", "bins:", "\"s\"", "\"é\\n\"", "\"", "\\", "\\q", "0", "1",
        "-1", "2.5", "1e999", "1e", "9223372036854775808", "..=", "..<", "..", ".", "==", "!=", "<", "<=", ">", ">=",
        "=", "+", "-", "*", "/", "(", ")", "{", "}", "[", "]", ",", ":", "//", "\n", "\r\n", "\r", "\t", " ",
        "\u{FEFF}",
        "\u{00A0}", "é", "🚀", "\u{0}", "!", "&", "%", "plugin \"p\" version \"1\"", "node {", "aggregator {",
        "input t {", "a: int in 0..=9", "b: category in { \"u\", \"v\" }",
    ]

    @Test("random token soups parse or fail within the text")
    func tokenSoups() {
        var rng = SplitMix64(seed: 0x50_48_58)
        let header = "plugin \"p\" version \"1\"\n"
        let starts = ["", header, header + "input t {", header + "node {", header + "node { }\naggregator {"]
        var codes: Set<Diagnostic.Code> = []
        for _ in 0..<3_000 {
            var text = starts.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...60, using: &rng) {
                text += Self.vocabulary.randomElement(using: &rng)!
                if Bool.random(using: &rng) { text += " " }
            }
            if !parsesOrFailsWithinText(text), let error = parseError(text) {
                codes.insert(error.code)
            }
        }
        // The soups reach every lexical and syntactic problem but the size limit.
        let expected: Set<Diagnostic.Code> = [
            .unexpectedCharacter, .invalidNumber, .unterminatedString, .invalidEscape, .unexpectedToken,
            .unterminatedBlock, .reservedWord,
        ]
        #expect(expected.isSubset(of: codes), "\(expected.subtracting(codes))")
    }

    @Test("random bytes parse or fail within the text")
    func randomBytes() {
        var rng = SplitMix64(seed: 7)
        for index in 0..<3_000 {
            let count = Int.random(in: 0...(index % 10 == 0 ? 2_000 : 100), using: &rng)
            let ascii = index % 2 == 0
            let bytes = (0..<count).map { _ in
                ascii ? UInt8.random(in: 0x09...0x7E, using: &rng) : UInt8.random(in: 0...255, using: &rng)
            }
            parsesOrFailsWithinText(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("random edits of the shipped plug-ins parse or fail within the text")
    func randomEdits() throws {
        var rng = SplitMix64(seed: 11)
        let texts = try ShippedPlugins.names.map { Array(try ShippedPlugins.text($0).unicodeScalars) }
        var parsed = 0
        for _ in 0..<2_000 {
            var scalars = texts.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<scalars.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: scalars.remove(at: at)
                case 1: scalars.insert(Self.vocabulary.randomElement(using: &rng)!.unicodeScalars.first ?? " ", at: at)
                default: scalars[at] = scalars[Int.random(in: 0..<scalars.count, using: &rng)]
                }
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            if parsesOrFailsWithinText(String(text)) { parsed += 1 }
        }
        #expect(parsed > 20, "some edits (in comments, names or numbers) keep the plug-in valid")
    }

    @Test("deep nesting of every kind stops at the limit without exhausting the stack")
    func deepNesting() {
        for (open, close) in [("(", ")"), ("[", "]"), ("-", ""), ("not ", ""), ("f(", ")"), ("", "[0]"), ("", "+1")] {
            let expression = String(repeating: open, count: 20_000) + "a" + String(repeating: close, count: 20_000)
            let error = parseError(pluginBinding(expression))
            #expect(error?.code == .nestedTooDeeply, "\(open)…\(close)")
        }
        // Unclosed brackets by the hundred thousand, in an input block and at the top level.
        #expect(parseError(String(repeating: "{", count: 100_000))?.code == .unexpectedToken)
        #expect(parseError(pluginBinding(String(repeating: "[", count: 100_000)))?.code == .nestedTooDeeply)
    }

    @Test("a large plug-in near the size limit parses: many statements, long vectors and lists")
    func largeInput() throws {
        var text = "plugin \"big\" version \"1\"\ninput t { c: category in { "
        text += (0..<10_000).map { "\"v\($0)\"" }.joined(separator: ", ") + " } }\nnode {\n"
        for index in 0..<20_000 { text += "    let x\(index) = a\(index) + 1 * t.c\n" }
        text +=
            "    let v = [" + Array(repeating: "1", count: 100_000).joined(separator: ", ") + "]\n}\naggregator { }\n"
        #expect(text.utf8.count < Parser.maximumSize)
        let plugin = try parse(text)
        #expect(plugin.node.statements.count == 20_001)
        guard case .category(let values) = plugin.inputs[0].columns[0].kind else { throw ExpectationFailed("") }
        #expect(values.count == 10_000)
    }
}
