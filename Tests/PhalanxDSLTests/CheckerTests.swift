import PhalanxCore
import Testing

@testable import PhalanxDSL

/// The checker: the language's rules (docs/dsl.md), each broken once, with the diagnostic's code and place; and what
/// the shipped plug-ins compile to.
@Suite("Plug-in checker")
struct CheckerTests {
    /// A plug-in with one input `t` and the given node and aggregator parts.
    static func program(node: String, aggregator: String) -> String {
        """
        plugin "p" version "1.0.0"
        input t {
            a: int in 0..=9
            c: category in { "x", "y" }
            r: real in -1.0..=1.0
        }
        node {
        \(node)
        }
        aggregator {
        \(aggregator)
        }
        """
    }

    static func compileError(_ text: String) -> Diagnostic? {
        do {
            _ = try PluginCompiler.compile(text: text, name: "test.phx")
            return nil
        } catch {
            return error
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let what: String
        let node: String
        let aggregator: String
        let code: Diagnostic.Code
        /// The text the error must point at (its line and column are found in the program).
        let at: String
        let message: String
        var testDescription: String { what }
    }

    static let ok = "    secure_sum clip_linf(histogram(t.a), 5) as h"
    static let release = "    release h as \"h\""

    @Test(arguments: [
        Case(
            what: "a node-private value used on the aggregator", node: "    let n = histogram(t.a)\n" + ok,
            aggregator: "    release n as \"n\"", code: .privateDataLeaves, at: "n as",
            message: "'n' is node-private and does not exist on the aggregator"),
        Case(
            what: "an input read on the aggregator", node: ok, aggregator: "    release count(t) as \"rows\"",
            code: .unknownFunction, at: "count", message: "count runs in the node part, not in the aggregator part"),
        Case(
            what: "an input named on the aggregator", node: ok, aggregator: "    let rows = t\n" + release,
            code: .privateDataLeaves, at: "t\n",
            message: "input 't' exists only on the nodes: its rows never leave them"),
        Case(
            what: "release in the node part", node: ok + "\n    release histogram(t.a) as \"raw\"", aggregator: release,
            code: .privateDataLeaves, at: "release histogram",
            message: "the node part cannot release: node-private data leaves a node only through secure_sum"),
        Case(
            what: "secure_sum of a table", node: "    secure_sum t as rows", aggregator: "    release rows as \"r\"",
            code: .privateDataLeaves, at: "t as rows", message: "secure_sum sums numbers; 't' is a table of raw rows"),
        Case(
            what: "secure_sum of a column", node: "    secure_sum t.a as rows", aggregator: "    release rows as \"r\"",
            code: .privateDataLeaves, at: "t.a as",
            message: "secure_sum sums numbers; 't.a' is a column of raw values"),
        Case(
            what: "secure_sum of an unclipped vector", node: "    secure_sum histogram(t.a) as h", aggregator: release,
            code: .unboundedContribution, at: "histogram(t.a) as",
            message: "secure_sum needs a bounded vector: nothing limits how much one node adds to this sum"),
        Case(
            what: "secure_sum of reals", node: "    secure_sum clip_l2(vector(t.r, length: 3), 1.0) as h",
            aggregator: release, code: .typeMismatch, at: "clip_l2(",
            message: "secure_sum sums integers; this is a vector of reals"),
        Case(
            what: "arithmetic after the clip loses the bound",
            node: "    secure_sum clip_linf(histogram(t.a), 5) * 2 as h",
            aggregator: release, code: .unboundedContribution, at: "clip_linf(histogram(t.a), 5) * 2",
            message: "secure_sum needs a bounded vector: nothing limits how much one node adds to this sum"),
        Case(
            what: "secure_sum on the aggregator", node: ok, aggregator: "    secure_sum h as again\n" + release,
            code: .misplacedStatement, at: "secure_sum h",
            message: "secure_sum belongs in the node part: it is where a node's data enters the provider"),
        Case(
            what: "noise on a computed value", node: ok,
            aggregator: "    release noise(h * 2, mechanism: laplace) as \"n\"", code: .noiseNotOnSum, at: "h * 2",
            message: "noise applies to a sum as the nodes sent it: a channel name"),
        Case(
            what: "a sum read with and without noise", node: ok,
            aggregator: "    release noise(h, mechanism: laplace) as \"n\"\n    release h as \"raw\"",
            code: .noiseNotOnSum, at: "h as \"raw\"",
            message: "channel 'h' is read both with and without noise (first at 11:19)"),
        Case(
            what: "an unknown mechanism", node: ok, aggregator: "    release noise(h, mechanism: cauchy) as \"n\"",
            code: .wrongArguments, at: "cauchy", message: "mechanism is laplace or gaussian"),
        Case(
            what: "a channel the aggregator never reads", node: ok + "\n    secure_sum clip_l1(count_by(t.c), 3) as k",
            aggregator: release, code: .unknownName, at: "k\n",
            message: "channel 'k' is summed by the nodes but the aggregator never reads it"),
        Case(
            what: "nothing released", node: ok, aggregator: "    let s = cumsum(h)", code: .nothingReleased,
            at: "aggregator", message: "the aggregator part releases nothing"),
        Case(
            what: "nothing sent", node: "    let n = histogram(t.a)", aggregator: release, code: .nothingReleased,
            at: "node", message: "the node part never calls secure_sum, so nothing leaves the nodes"),
        Case(
            what: "histogram of a category", node: "    secure_sum clip_linf(histogram(t.c), 5) as h",
            aggregator: release, code: .wrongArguments, at: "histogram(t.c)",
            message: "histogram counts an integer column; c holds category values"),
        Case(
            what: "count_by of an integer", node: "    secure_sum clip_linf(count_by(t.a), 5) as h",
            aggregator: release,
            code: .wrongArguments, at: "count_by(t.a)",
            message: "count_by groups by a category column; a holds integer values"),
        Case(
            what: "a where on another table", node: "    let u = t\n    let v = histogram(u.a where t.a > 1)\n" + ok,
            aggregator: release, code: .unknownName, at: "t.a > 1",
            message: "this condition filters 'u'; 't' is another table"),
        Case(
            what: "a category compared with a value outside its domain",
            node: "    secure_sum clip_linf(histogram(t.a where t.c == \"z\"), 5) as h", aggregator: release,
            code: .invalidDomain, at: "\"z\"", message: "\"z\" is not a value of 'c'"),
        Case(
            what: "a comparison outside where", node: "    let b = histogram(t.a) > 2\n" + ok, aggregator: release,
            code: .typeMismatch, at: ">", message: "'>' gives a condition, which is only used after 'where'"),
        Case(
            what: "round outside where", node: "    let b = round\n" + ok, aggregator: release, code: .typeMismatch,
            at: "round\n", message: "round is only used in where conditions (e.g. t.day <= round)"),
        Case(
            what: "vectors of different lengths", node: "    let b = histogram(t.a) + count_by(t.c)\n" + ok,
            aggregator: release, code: .lengthMismatch, at: "histogram(t.a) + count_by(t.c)",
            message: "vectors of 10 and 2 values do not combine"),
        Case(
            what: "labels of the wrong count", node: ok, aggregator: "    release h as \"h\" labels 0..=3",
            code: .lengthMismatch, at: "0..=3", message: "4 labels for a vector of 10 values"),
        Case(
            what: "an output released twice", node: ok, aggregator: release + "\n" + release, code: .duplicateName,
            at: "\"h\"\n}", message: "output \"h\" is released twice"),
        Case(
            what: "a name defined twice", node: "    let n = count(t)\n    let n = count(t)\n" + ok,
            aggregator: release, code: .duplicateName, at: "n = count(t)\n" + ok,
            message: "'n' is already defined (at 8:9)"),
        Case(
            what: "an unknown function", node: "    let n = median(t.a)\n" + ok, aggregator: release,
            code: .unknownFunction, at: "median", message: "there is no function 'median'"),
        Case(
            what: "a clip bound that is not a number in the plug-in",
            node: "    secure_sum clip_linf(histogram(t.a), count(t)) as h",
            aggregator: release, code: .typeMismatch, at: "count(t)",
            message: "the bound of clip_linf must be a number written in the plug-in"),
        Case(
            what: "an index outside the vector", node: ok, aggregator: "    release h[10] as \"h\"",
            code: .lengthMismatch, at: "10]", message: "index 10.0 is outside a vector of 10 values (0…9)"),
    ])
    func refuses(_ testCase: Case) throws {
        let text = Self.program(node: testCase.node, aggregator: testCase.aggregator)
        let error = try #require(Self.compileError(text), "\(testCase.what) compiled")
        #expect(error.code == testCase.code, "\(error)")
        #expect(error.message == testCase.message, "\(error)")
        // The diagnostic points at the first occurrence of the expected text after the input block.
        let source = SourceFile(name: "test.phx", text: text)
        let body = text.range(of: "node {")!
        let found = try #require(text.range(of: testCase.at, range: body.lowerBound..<text.endIndex))
        let offset = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: found.lowerBound)
        let expected = source.position(of: offset)
        #expect((error.line, error.column) == (expected.line, expected.column), "\(error)")
    }

    @Test("the smallest valid plug-in lowers to load, histogram, clip, secure_sum; receive, release")
    func lowering() throws {
        let compiled = try PluginCompiler.compile(
            text: Self.program(node: Self.ok, aggregator: Self.release), name: "test.phx")
        #expect(compiled.ir.node.map(\.opcode) == [.load, .histogram, .clipLinf, .secureSum])
        #expect(compiled.ir.aggregator.map(\.opcode) == [.secureSum, .release])
        #expect(compiled.analysis.channels.map(\.length) == [10])
        #expect(
            compiled.analysis.channels[0].bounds
                == PluginAnalysis.Bounds(linf: 5, l1: 50, l2: (10.0.squareRoot() * 5).nextUp))
        #expect(compiled.ir.inputSchema.tables[0].columns.map(\.kind) == [.integer, .category, .real])
        #expect(compiled.ir.inputSchema.tables[0].columns[0].maximum == 9)
    }

    @Test("a where condition lowers to a row condition; round - k and a mirrored comparison")
    func conditions() throws {
        let compiled = try PluginCompiler.compile(
            text: Self.program(
                node: "    secure_sum clip_l1(count_by(t.c where round - 2 < t.a and not (t.c == \"y\")), 4) as h",
                aggregator: Self.release.replacingOccurrences(of: "h as", with: "h as")),
            name: "test.phx")
        guard case .select(_, _, let condition) = compiled.ir.node[1] else {
            Issue.record("expected a select, got \(compiled.ir.node[1])")
            return
        }
        #expect(
            condition
                == .and(
                    .compare(column: "a", op: .greater, value: .roundPlus(-2)),
                    .not(.compare(column: "c", op: .equal, value: .text("y")))))
    }

    @Test("the shipped plug-ins compile; their channels, bounds, noise and outputs", arguments: ShippedPlugins.names)
    func shipped(_ name: String) throws {
        let compiled = try PluginCompiler.compile(text: try ShippedPlugins.text(name), name: "Plugins/\(name).phx")
        try compiled.ir.validate()
        switch name {
        case "kaplan-meier":
            #expect(compiled.analysis.channels.map(\.name) == ["deaths", "exits"])
            #expect(compiled.analysis.channels.allSatisfy { $0.length == 81 && $0.bounds.l1 == 200 })
            #expect(compiled.analysis.outputs.map(\.element) == [.real, .integer])
        case "safety-event-count":
            #expect(compiled.analysis.noise == ["blocked": .laplace])
            #expect(compiled.analysis.outputs.map(\.thresholded) == [true])
        default:
            #expect(compiled.analysis.channels.map(\.length) == [16, 1])
            #expect(compiled.analysis.channels[0].bounds.linf == 4_096_000)
        }
    }
}
