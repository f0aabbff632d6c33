import PhalanxControl
import Testing

/// Inputs that `phalanx fuzz guardrails` found, or that stand for what it found (docs/fuzzing.md).
@Suite("guardrails.yaml: inputs found by fuzzing")
struct GuardrailFuzzRegressionTests {
    /// `&aN` holds `depth` nested lists around `*aN-1`: each alias adds `depth` levels, so the last anchor is
    /// `anchors × depth` deep while the file stays small.
    static func aliasChain(anchors: Int, depth: Int) -> String {
        var lines = ["a0: &a0 " + String(repeating: "[", count: depth) + "x" + String(repeating: "]", count: depth)]
        for index in 1..<anchors {
            lines.append(
                "a\(index): &a\(index) " + String(repeating: "[", count: depth) + "*a\(index - 1)"
                    + String(repeating: "]", count: depth))
        }
        return lines.joined(separator: "\n")
    }

    /// Nine lists of nine aliases of the one before: `*i` stands for 9⁹ (387 million) scalars.
    static let billionLaughs = """
        a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
        f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
        g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
        h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
        i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
        """

    static let anchorMessage = "YAML anchors and aliases (&NAME, *NAME) are not supported in guardrails.yaml"

    static let refused: [(name: String, yaml: String, line: Int, column: Int)] = [
        // Before the fix: Yams hashed the 30,000-level key recursively and overflowed the stack (SIGSEGV).
        (
            "an alias of a 30,000-level list used as a key", aliasChain(anchors: 60, depth: 500) + "\n? *a59\n: 1\n", 1,
            5
        ),
        // Before the fix: Yams hashed 387 million scalars to check the key for duplicates (minutes of CPU).
        ("an alias of a billion laughs used as a key", billionLaughs + "\n? *i\n: 1\n", 1, 4),
        (
            "a deep alias chain as a value", aliasChain(anchors: 60, depth: 500) + "\nversion: \"1\"\npredicates: []\n",
            1, 5
        ),
        (
            "an anchored predicate repeated by an alias",
            "version: \"1\"\npredicates:\n  - &p {id: a, expr: \"any(x > 1)\", command: A-OBSERVE}\n  - *p\n", 3, 5
        ),
        ("an alias without an anchor", "version: \"1\"\npredicates:\n  - *nothing\n", 3, 5),
        ("an anchor without an alias", "version: &v \"1\"\npredicates: []\n", 1, 10),
        ("an anchor in a flow list", "version: \"1\"\npredicates: [&a {id: a}]\n", 2, 14),
    ]

    @Test(
        "anchors and aliases are refused before any tree is built, at the first of them",
        arguments: refused.indices)
    func anchorsAndAliasesAreRefused(_ index: Int) {
        let (name, yaml, line, column) = Self.refused[index]
        let error = Fixtures.loadError(yaml)
        #expect(error?.message.hasPrefix(Self.anchorMessage) == true, "\(name): \(String(describing: error))")
        #expect(error?.line == line, "\(name)")
        #expect(error?.column == column, "\(name)")
    }

    @Test("'&' and '*' in expressions, descriptions, comments and quoted text are not anchors or aliases")
    func ampersandsAndAsterisksInText() throws {
        let policy = try Fixtures.policy(
            """
            version: "a&b*c"   # &comment *comment
            parameters:
              limit: 2
            predicates:
              - id: plain
                description: this is *really* & truly bad
                expr: max(a) *2 > params.limit && any(b * 2 > 1)
                command: A-OBSERVE
              - id: quoted
                description: '&not an anchor'
                expr: "count(a > 1 && b < 2) * 2 >= 2"
                command: A-OBSERVE
              - id: block
                expr: |
                  any(a > 1)
                    && max(b) *3 > 1
                command: A-OBSERVE
            """)
        #expect(policy.version == "a&b*c")
        #expect(policy.predicates.map(\.id) == ["plain", "quoted", "block"])
        #expect(policy.predicates[0].description == "this is *really* & truly bad")
        #expect(policy.predicates[1].description == "&not an anchor")
    }

    @Test("a syntax error in a file with '&' or '*' is still reported where it is")
    func syntaxErrorsStillLocated() {
        let error = Fixtures.loadError("version: \"1\"\npredicates:\n  - id: a\n    expr: max(a) * 2 > 1\n  bad: [\n")
        #expect(error?.message.hasPrefix("invalid YAML") == true, "\(String(describing: error))")
        #expect(error?.line == 5)
        #expect(Fixtures.loadError("version: \"1\" &a\npredicates: []\n")?.message.hasPrefix("invalid YAML") == true)
    }

    @Test("an error in a block expression points at the same line and column with CRLF line breaks as with LF")
    func crlfColumns() throws {
        let lf = "version: \"1\"\npredicates:\n  - id: a\n    command: A-OBSERVE\n    expr: |\n      any(x > 1) = 2\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = try #require(Fixtures.loadError(lf))
        let b = try #require(Fixtures.loadError(crlf))
        #expect(a.line == 6 && a.column == 18, "\(a)")
        #expect(b.line == a.line && b.column == a.column, "\(b)")
    }
}
