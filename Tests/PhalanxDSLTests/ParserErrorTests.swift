import Testing

@testable import PhalanxDSL

/// A header that parses, so that cases can start on line 2.
private let header = "plugin \"p\" version \"1\"\n"

@Suite("Parse errors")
struct ParserErrorTests {
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var source: String
        var code: Diagnostic.Code
        var line: Int
        var column: Int
        /// A part of the message, when the case is about what it says.
        var message = ""
        var testDescription: String {
            let shown = source.unicodeScalars.count > 100 ? String(source.unicodeScalars.prefix(100)) + "…" : source
            return shown.debugDescription
        }
    }

    @Test(arguments: [
        // Lexical problems.
        ErrorCase(
            source: header + "node { let x = 1 % 2 }", code: .unexpectedCharacter, line: 2, column: 18,
            message: "unexpected character '%'"),
        ErrorCase(
            source: "plugin\u{00A0}\"p\"", code: .unexpectedCharacter, line: 1, column: 7,
            message: "unexpected character U+00A0"),
        ErrorCase(
            source: header + "node { let x = 1 \u{200B}}", code: .unexpectedCharacter, line: 2, column: 18,
            message: "U+200B"),
        ErrorCase(
            source: header + "node { let café = 1 }", code: .unexpectedCharacter, line: 2, column: 15,
            message: "unexpected character 'é' (U+00E9)"),
        ErrorCase(source: header + "node { let x = !a }", code: .unexpectedCharacter, line: 2, column: 16),
        ErrorCase(source: header + "node { let x = a && b }", code: .unexpectedCharacter, line: 2, column: 18),
        ErrorCase(
            source: header + "\u{FEFF}node { }", code: .unexpectedCharacter, line: 2, column: 1,
            message: "byte order mark"),
        ErrorCase(source: "plugin \"p\" \u{7}", code: .unexpectedCharacter, line: 1, column: 12, message: "U+0007"),
        ErrorCase(
            source: header + "node { let x = 9223372036854775808 }", code: .invalidNumber, line: 2, column: 16,
            message: "does not fit in 64 bits"),
        ErrorCase(
            source: header + "node { let x = 1e999 }", code: .invalidNumber, line: 2, column: 16,
            message: "too large"),
        ErrorCase(source: header + "node { let x = 1e }", code: .invalidNumber, line: 2, column: 16),
        ErrorCase(source: header + "node { let x = 2.5e+ }", code: .invalidNumber, line: 2, column: 16),
        ErrorCase(source: header + "node { let x = 12abc }", code: .invalidNumber, line: 2, column: 16),
        ErrorCase(source: header + "node { let x = 1.2.3 }", code: .invalidNumber, line: 2, column: 16),
        ErrorCase(source: header + "node { let x = .5 }", code: .invalidNumber, line: 2, column: 16),
        ErrorCase(
            source: header + "input t { a: int in 0..9 }", code: .unexpectedToken, line: 2, column: 22,
            message: "'..' is not an operator"),
        ErrorCase(
            source: header + "node { release x as \"abc\n}", code: .unterminatedString, line: 2, column: 21,
            message: "not closed on its line"),
        ErrorCase(
            source: "plugin \"abc", code: .unterminatedString, line: 1, column: 8,
            message: "the file ends inside a string"),
        ErrorCase(source: "plugin \"abc\\", code: .unterminatedString, line: 1, column: 8),
        ErrorCase(
            source: "plugin \"a\\qb\"", code: .invalidEscape, line: 1, column: 10, message: "'\\' followed by 'q'"),
        ErrorCase(source: "plugin \"\\u0041\"", code: .invalidEscape, line: 1, column: 9),
        // The header and the order of the parts.
        ErrorCase(source: "", code: .unexpectedToken, line: 1, column: 1, message: "expected 'plugin'"),
        ErrorCase(source: "// only a comment\n", code: .unexpectedToken, line: 1, column: 1),
        ErrorCase(source: "node { }", code: .unexpectedToken, line: 1, column: 1),
        ErrorCase(
            source: "plugin p version \"1\"", code: .unexpectedToken, line: 1, column: 8,
            message: "expected a string after 'plugin' (the plug-in's name, e.g. \"kaplan-meier\")"),
        ErrorCase(
            source: "plugin \"p\" \"1\"", code: .unexpectedToken, line: 1, column: 12,
            message: "expected 'version' and the plug-in's version after its name"),
        ErrorCase(
            source: "plugin \"p\" version 1", code: .unexpectedToken, line: 1, column: 20,
            message: "expected a string after 'version' (the plug-in's version, e.g. \"1.0.0\")"),
        ErrorCase(
            source: "plugin \"p\" version \"1\"", code: .unexpectedToken, line: 1, column: 23,
            message: "expected the node block ('node { … }') after the header"),
        ErrorCase(
            source: header + "node { }", code: .unexpectedToken, line: 2, column: 9,
            message: "expected the aggregator block ('aggregator { … }') after the node block"),
        ErrorCase(
            source: header + "aggregator { }\nnode { }", code: .unexpectedToken, line: 2, column: 1,
            message: "expected the node block before the aggregator block"),
        ErrorCase(source: header + "node { }\ninput t { }\naggregator { }", code: .unexpectedToken, line: 3, column: 1),
        ErrorCase(
            source: header + "node { }\naggregator { }\nlet x = 1", code: .unexpectedToken, line: 4, column: 1,
            message: "unexpected keyword 'let' after the aggregator block"),
        ErrorCase(source: header + "node { }\naggregator { } }", code: .unexpectedToken, line: 3, column: 16),
        ErrorCase(
            source: header + "node { }\naggregator { }\naggregator { }", code: .unexpectedToken, line: 4, column: 1),
        // Blocks.
        ErrorCase(
            source: header + "node {\n let x = 1\n", code: .unterminatedBlock, line: 3, column: 11,
            message: "expected '}' to close the node block opened at 2:1"),
        ErrorCase(source: header + "node {\n let x = 1\naggregator { }", code: .unterminatedBlock, line: 4, column: 1),
        ErrorCase(
            source: header + "input t {\n a: int in 0..=1\nnode { }", code: .unterminatedBlock, line: 4, column: 1,
            message: "expected '}' to close the input block of 't' opened at 2:1"),
        ErrorCase(source: header + "node { }\naggregator {", code: .unterminatedBlock, line: 3, column: 13),
        ErrorCase(source: header + "node { 5 }", code: .unexpectedToken, line: 2, column: 8),
        ErrorCase(source: header + "node { x = 1 }", code: .unexpectedToken, line: 2, column: 8),
        ErrorCase(source: header + "node { let x = a b }", code: .unexpectedToken, line: 2, column: 18),
        // Keywords where a name is expected.
        ErrorCase(
            source: header + "input in { }", code: .reservedWord, line: 2, column: 7,
            message: "'in' is a keyword and cannot be the input's name"),
        ErrorCase(source: header + "node { let labels = 1 }", code: .reservedWord, line: 2, column: 12),
        ErrorCase(source: header + "node { secure_sum x as round }", code: .reservedWord, line: 2, column: 24),
        ErrorCase(source: header + "node { let x = round(y) }", code: .reservedWord, line: 2, column: 16),
        ErrorCase(source: header + "node { let x = node.a }", code: .reservedWord, line: 2, column: 16),
        ErrorCase(source: header + "node { let x = f(in: 1) }", code: .reservedWord, line: 2, column: 18),
        // Inputs.
        ErrorCase(source: header + "input t { a int in 0..=1 }", code: .unexpectedToken, line: 2, column: 13),
        ErrorCase(source: header + "input t { a: integer }", code: .unexpectedToken, line: 2, column: 14),
        ErrorCase(source: header + "input t { a: int 0..=1 }", code: .unexpectedToken, line: 2, column: 18),
        ErrorCase(
            source: header + "input t { a: int in 0.5..=1 }", code: .unexpectedToken, line: 2, column: 21,
            message: "integers"),
        ErrorCase(
            source: header + "input t { a: real in 0..<1 }", code: .unexpectedToken, line: 2, column: 23,
            message: "inclusive"),
        ErrorCase(source: header + "input t { a: int in 0 }", code: .unexpectedToken, line: 2, column: 23),
        ErrorCase(source: header + "input t { a: int in -x..=1 }", code: .unexpectedToken, line: 2, column: 22),
        ErrorCase(source: header + "input t { a: category in { } }", code: .unexpectedToken, line: 2, column: 28),
        ErrorCase(
            source: header + "input t { a: category in { \"x\" \"y\" } }", code: .unexpectedToken, line: 2, column: 32),
        // Statements.
        ErrorCase(source: header + "node { let x == 1 }", code: .unexpectedToken, line: 2, column: 14),
        ErrorCase(
            source: header + "node { secure_sum x y }", code: .unexpectedToken, line: 2, column: 21,
            message: "expected 'as' and a channel name after the value of secure_sum"),
        ErrorCase(source: header + "node { release x as y }", code: .unexpectedToken, line: 2, column: 21),
        ErrorCase(
            source: header + "node { threshold_release x as \"y\" }", code: .unexpectedToken, line: 2, column: 28),
        ErrorCase(source: header + "node { release x as \"y\" labels }", code: .unexpectedToken, line: 2, column: 32),
        ErrorCase(source: header + "node { release x as \"y\" labels t }", code: .unexpectedToken, line: 2, column: 34),
        ErrorCase(
            source: header + "node { release x as \"y\" labels 0.5..=1 }", code: .unexpectedToken, line: 2, column: 32),
        // Expressions.
        ErrorCase(
            source: header + "node { let x = a < b < c }", code: .chainedComparison, line: 2, column: 22,
            message: "comparisons do not chain"),
        ErrorCase(source: header + "node { let x = a == b != c }", code: .chainedComparison, line: 2, column: 23),
        ErrorCase(source: header + "node { let x = not a < b >= c }", code: .chainedComparison, line: 2, column: 26),
        ErrorCase(source: header + "node { let x = t where a where b }", code: .unexpectedToken, line: 2, column: 26),
        ErrorCase(source: header + "node { let x = 1 + not a }", code: .unexpectedToken, line: 2, column: 20),
        ErrorCase(source: header + "node { let x = }", code: .unexpectedToken, line: 2, column: 16),
        ErrorCase(source: header + "node { let x = (a + b }", code: .unexpectedToken, line: 2, column: 23),
        ErrorCase(source: header + "node { let x = f(a b) }", code: .unexpectedToken, line: 2, column: 20),
        ErrorCase(source: header + "node { let x = f(a, ) }", code: .unexpectedToken, line: 2, column: 21),
        ErrorCase(source: header + "node { let x = [1, 2 }", code: .unexpectedToken, line: 2, column: 22),
        ErrorCase(source: header + "node { let x = v[1 }", code: .unexpectedToken, line: 2, column: 20),
        ErrorCase(source: header + "node { let x = t. }", code: .unexpectedToken, line: 2, column: 19),
        ErrorCase(source: header + "node { let x = 0..=1.5 }", code: .unexpectedToken, line: 2, column: 20),
        // Limits.
        ErrorCase(
            source: header + "node { let x = " + String(repeating: "(", count: 70) + "1"
                + String(repeating: ")", count: 70) + " }",
            code: .nestedTooDeeply, line: 2, column: 79, message: "more than 64 levels"),
        ErrorCase(
            source: header + "node { let x = 1" + String(repeating: " + 1", count: 80) + " }", code: .nestedTooDeeply,
            line: 2, column: 270),
        ErrorCase(
            source: header + "node { let x = " + String(repeating: "-", count: 100) + "1 }", code: .nestedTooDeeply,
            line: 2, column: 79),
        ErrorCase(
            source: header + String(repeating: " ", count: Parser.maximumSize), code: .tooLarge, line: 1, column: 1,
            message: "the limit is 1 MiB"),
        // Line breaks and tabs.
        ErrorCase(
            source: "plugin \"p\" version \"1\"\r\nnode {\r\n  let x = 1 +\r\n}\r\naggregator { }",
            code: .unexpectedToken, line: 4, column: 1, message: "expected an expression after '+', found '}'"),
        ErrorCase(source: "plugin \"p\"\rversion \"1\"\rnode {\r}\r\r}", code: .unexpectedToken, line: 6, column: 1),
        ErrorCase(source: header + "node {\n\tlet\tx = 1 %\n}", code: .unexpectedCharacter, line: 3, column: 12),
        // A byte order mark is skipped, and counts as the first column of line 1.
        ErrorCase(source: "\u{FEFF}plugin 5", code: .unexpectedToken, line: 1, column: 9),
        // Unicode in strings and comments is fine; the error is after it.
        ErrorCase(
            source: "// Überblick — 生存曲線 🚀\nplugin \"Überlebens-Kurve 🚀\" version \"1\" // ✓\nnode { let x = }",
            code: .unexpectedToken, line: 3, column: 16),
        ErrorCase(source: "plugin \"🚀\" version \"1\" ✓", code: .unexpectedCharacter, line: 1, column: 24),
    ])
    func reportsProblem(_ testCase: ErrorCase) throws {
        let error = try #require(parseError(testCase.source))
        #expect(error.code == testCase.code, "\(error)")
        #expect(error.line == testCase.line && error.column == testCase.column, "\(error)")
        #expect(testCase.message.isEmpty || error.message.contains(testCase.message), "\(error)")
        #expect(!error.hint.isEmpty, "\(error)")
        #expect(error.file == "test.phx")
    }

    @Test("a diagnostic renders with its place, the line, a caret under the whole token and the hint")
    func rendering() throws {
        let text = """
            plugin "kaplan-meier" version "1.0.0"
            node {
                secure_sum clip_linf(deaths, 10) deaths
            }
            """
        let error = try #require(
            #expect(throws: Diagnostic.self) { try Parser.parse(SourceFile(name: "Plugins/broken.phx", text: text)) })
        #expect(
            error.description == """
                Plugins/broken.phx:3:38: error: expected 'as' and a channel name after the value of secure_sum, \
                found 'deaths'
                        secure_sum clip_linf(deaths, 10) deaths
                                                         ^~~~~~
                  hint: e.g. secure_sum clip_linf(counts, 100) as counts
                """)
    }

    @Test("a tab before the problem stays a tab under it, so the caret lines up")
    func renderingWithTabs() throws {
        let error = try #require(parseError(header + "node {\n\tlet\tx = 1 %\n}"))
        #expect(error.description.contains("\n    \tlet\tx = 1 %\n    \t   \t      ^\n"))
    }

    @Test("a byte order mark takes no room under the line, so the caret still lines up")
    func renderingWithByteOrderMark() throws {
        let error = try #require(parseError("\u{FEFF}plugin 5"))
        #expect(error.description.contains("\n    \u{FEFF}plugin 5\n           ^\n"))
    }

    @Test("the size limit: 1 MiB parses, one byte more is refused at 1:1")
    func sizeLimit() throws {
        let plugin = header + "node { }\naggregator { }\n// "
        let padding = Parser.maximumSize - plugin.utf8.count
        let largest = plugin + String(repeating: "é", count: padding / 2) + String(repeating: "x", count: padding % 2)
        #expect(largest.utf8.count == Parser.maximumSize)
        _ = try parse(largest)
        let error = try #require(parseError(largest + "x"))
        #expect(error.code == .tooLarge && error.line == 1 && error.column == 1)
        #expect(error.message.contains("1048577 bytes"))
    }

    @Test(
        "depth limit: 64 levels parse, 65 do not",
        arguments: [
            ("(", ")"), ("-", ""), ("not ", ""), ("[", "]"), ("f(", ")"), ("f(a: ", ")"), ("", "[0]"), ("", " + 1"),
            ("1 * ", ""),
        ])
    func depthLimit(_ open: String, _ close: String) throws {
        // The leaf is one level; each wrapper adds one.
        func nested(_ levels: Int) -> String {
            String(repeating: open, count: levels - 1) + "a" + String(repeating: close, count: levels - 1)
        }
        _ = try parseExpression(nested(Parser.maximumDepth))
        let error = try #require(parseError(pluginBinding(nested(Parser.maximumDepth + 1))))
        #expect(error.code == .nestedTooDeeply, "\(error)")
    }
}
