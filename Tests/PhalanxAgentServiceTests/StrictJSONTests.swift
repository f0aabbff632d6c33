import Foundation
import Testing

@testable import PhalanxAgentService

/// The request-body parser: what it accepts, what it refuses, and that no input makes it trap.
@Suite("Strict JSON parser")
struct StrictJSONTests {
    @Test("parses RFC 8259 values, escapes and surrogate pairs")
    func parses() throws {
        let value = try StrictJSON.parse(
            Array(#" {"a": [1, -2.5e3, true, false, null], "b": "x\u00e9\ud83d\ude00\n"} "#.utf8))
        #expect(
            value
                == .object([
                    "a": .array([
                        .number(1, literal: "1"), .number(-2500, literal: "-2.5e3"), .bool(true), .bool(false), .null,
                    ]),
                    "b": .string("xé😀\n"),
                ]))
    }

    @Test(
        "refuses malformed JSON with the problem and its offset",
        arguments: [
            ("{\"a\": 01}", "expected ',' or '}'"), ("{\"a\": 1,}", "member name"), ("[1 2]", "expected ',' or ']'"),
            ("\"\\ud800\"", "low surrogate"), ("\"\\udc00\"", "lone low surrogate"),
            ("\"a\u{01}\"", "control character"),
            ("{\"a\": 1e999}", "out of range"), ("tru", "expected a value"), ("{} {}", "after the JSON value"),
            ("\"\\x\"", "invalid escape"),
        ])
    func refuses(text: String, problem: String) {
        #expect {
            try StrictJSON.parse(Array(text.utf8))
        } throws: { error in
            (error as? StrictJSONError)?.problem.contains(problem) == true
        }
    }

    @Test("nesting is bounded at 32 levels")
    func depth() throws {
        let ok = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        _ = try StrictJSON.parse(Array(ok.utf8))
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: StrictJSONError.self) { try StrictJSON.parse(Array(deep.utf8)) }
        #expect(
            throws: StrictJSONError(kind: .tooDeep, offset: 32, problem: "the JSON is nested more than 32 levels deep")
        ) {
            try StrictJSON.parse(Array(("[" + ok + "]").utf8))
        }
    }

    @Test("every proper prefix of a body is refused, never trapped on (byte by byte)")
    func prefixes() {
        let body = Array(#"{"text": "héllo \u00e9 😀", "context": {"source": "tool", "action": "db.read"}}"#.utf8)
        for length in 0..<body.count {
            #expect(throws: StrictJSONError.self) { try StrictJSON.parse(Array(body[0..<length])) }
        }
    }

    @Test("random bytes and mutated bodies never trap")
    func random() {
        var generator = SystemRandomNumberGenerator()
        let seed = Array(#"{"text": "a\"b\\c", "direction": "output", "n": [1.5, -0, {"k": null}]}"#.utf8)
        for round in 0..<2_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            } else {
                bytes = seed
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
            }
            _ = try? StrictJSON.parse(bytes)
        }
    }
}
