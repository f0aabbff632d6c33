import Testing

@testable import PhalanxDSL

@Suite("Parsing plug-ins")
struct ParserTests {
    // MARK: - The shipped plug-ins

    @Test("every shipped plug-in parses", arguments: ShippedPlugins.names)
    func shippedPluginParses(_ name: String) throws {
        let plugin = try ShippedPlugins.parse(name)
        #expect(plugin.name.value == name)
        #expect(!plugin.node.statements.isEmpty && !plugin.aggregator.statements.isEmpty)
    }

    @Test("kaplan-meier: header, schema, statements, where inside a call, precedence, labels")
    func kaplanMeier() throws {
        let text = try ShippedPlugins.text("kaplan-meier")
        let source = SourceFile(name: "Plugins/kaplan-meier.phx", text: text)
        let plugin = try Parser.parse(source)
        #expect(plugin.version.value == "1.0.0")
        #expect(source.text(plugin.name.span) == "\"kaplan-meier\"")

        let survival = try #require(plugin.inputs.first)
        #expect(plugin.inputs.count == 1 && survival.name.name == "survival")
        #expect(source.text(survival.span).hasPrefix("input survival {") && source.text(survival.span).hasSuffix("}"))
        #expect(survival.columns.map(\.name.name) == ["time", "event", "group"])
        guard case .integer(let time) = survival.columns[0].kind else { throw ExpectationFailed("time") }
        #expect(time.lower.integer == 0 && time.upper.integer == 80 && time.inclusive)
        #expect(source.text(survival.columns[0].span) == "time:  int in 0..=80")
        guard case .integer(let event) = survival.columns[1].kind else { throw ExpectationFailed("event") }
        #expect(render(event) == "0..=1")
        guard case .category(let groups) = survival.columns[2].kind else { throw ExpectationFailed("group") }
        #expect(groups.map(\.value) == ["miR-137", "control"])

        #expect(source.text(plugin.node.keyword) == "node")
        #expect(source.text(plugin.node.span).hasPrefix("node {") && source.text(plugin.node.span).hasSuffix("}"))
        let node = plugin.node.statements
        #expect(node.map { source.text($0.keyword) } == ["let", "let", "secure_sum", "secure_sum"])
        guard case .binding(let deaths, let histogram) = node[0].kind else { throw ExpectationFailed("deaths") }
        #expect(deaths.name == "deaths")
        #expect(render(histogram) == "histogram((survival.time where (survival.event == 1)))")
        #expect(source.text(node[0].span) == "let deaths = histogram(survival.time where survival.event == 1)")
        guard case .secureSum(let value, let channel) = node[2].kind, case .call(let clip, let arguments) = value.kind
        else { throw ExpectationFailed("secure_sum") }
        #expect(clip.name.hasPrefix("clip_") && arguments.count == 2 && render(arguments[0].value) == "deaths")
        #expect(channel.name == "deaths")
        let statement = source.text(node[2].span)
        #expect(statement.hasPrefix("secure_sum clip_") && statement.hasSuffix(") as deaths"))

        let aggregator = plugin.aggregator.statements
        guard case .binding(_, let factor) = aggregator[1].kind else { throw ExpectationFailed("factor") }
        #expect(render(factor) == "clamp((1 - (deaths / max(at_risk, 1))), 0, 1)")
        guard case .release(let curve, let name, let labels) = aggregator[2].kind else {
            throw ExpectationFailed("release")
        }
        #expect(render(curve) == "cumprod(factor)" && name.value == "survival")
        guard case .range(let days) = labels else { throw ExpectationFailed("labels") }
        #expect(render(days) == "0..=80")
        #expect(source.text(aggregator[2].span) == "release cumprod(factor) as \"survival\" labels 0..=80")
    }

    @Test("fedavg-round: real column with negative bounds, labelled arguments, indexing, exclusive labels")
    func fedavgRound() throws {
        let plugin = try ShippedPlugins.parse("fedavg-round")
        #expect(plugin.inputs.map(\.name.name) == ["model_update", "training"])
        guard case .real(let range?) = plugin.inputs[0].columns[0].kind else { throw ExpectationFailed("value") }
        #expect(range.lower.text == "-1000.0" && range.lower.value == -1000 && range.lower.integer == nil)
        #expect(range.upper.value == 1000 && range.inclusive)
        guard case .integer(let examples) = plugin.inputs[1].columns[0].kind else { throw ExpectationFailed("ex") }
        #expect(examples.upper.integer == 100_000)

        guard case .binding(_, let weighted) = plugin.node.statements[1].kind else { throw ExpectationFailed("w") }
        #expect(render(weighted) == "clip_l2((clip_l2(vector(model_update.value, length: 16), 1.0) * weight), 1000.0)")
        guard case .call(_, let arguments) = weighted.kind,
            case .binary(.multiply, let clipped, _, _) = arguments[0].value.kind,
            case .call(_, let inner) = clipped.kind
        else { throw ExpectationFailed("call") }
        #expect(inner[0].label == nil)
        guard case .call(_, let vectorArguments) = inner[0].value.kind else { throw ExpectationFailed("vector") }
        #expect(vectorArguments[1].label?.name == "length")

        guard case .binding(let mean, let value) = plugin.aggregator.statements[0].kind else {
            throw ExpectationFailed("mean")
        }
        #expect(mean.name == "mean")
        #expect(render(value) == "(dequantize(weighted_update, scale: 4096) / max(total_weight[0], 1))")
        guard case .release(_, let name, .range(let labels)?) = plugin.aggregator.statements[1].kind else {
            throw ExpectationFailed("release")
        }
        #expect(name.value == "mean_update" && !labels.inclusive && render(labels) == "0..<16")
    }

    @Test("safety-event-count: a filtered table, keyword column names, threshold_release with column labels")
    func safetyEventCount() throws {
        let plugin = try ShippedPlugins.parse("safety-event-count")
        #expect(plugin.version.value == "2.0.0")
        let columns = plugin.inputs[0].columns
        #expect(columns.map(\.name.name) == ["day", "category", "action"])
        guard case .category(let categories) = columns[1].kind else { throw ExpectationFailed("category") }
        #expect(categories.count == 5 && categories.last?.value == "toxicity")

        guard case .binding(_, let window) = plugin.node.statements[0].kind else { throw ExpectationFailed("w") }
        #expect(
            render(window)
                == "(safety_events where ((safety_events.day > (round - 7)) and (safety_events.day <= round)))")
        guard case .binding(_, let blocked) = plugin.node.statements[1].kind else { throw ExpectationFailed("b") }
        #expect(render(blocked) == "count_by((window.category where (window.action == \"blocked\")))")

        guard case .binding(_, let noisy) = plugin.aggregator.statements[0].kind else { throw ExpectationFailed("n") }
        #expect(render(noisy) == "noise(blocked, mechanism: laplace)")
        guard
            case .thresholdRelease(let value, let threshold, let name, let labels) = plugin.aggregator.statements[1]
                .kind,
            case .column(let table, let column)? = labels
        else { throw ExpectationFailed("threshold_release") }
        #expect(render(value) == "noisy" && render(threshold) == "20" && name.value == "blocked_by_category")
        #expect(table.name == "safety_events" && column.name == "category")
    }

    // MARK: - Expressions

    @Test(
        "precedence and associativity",
        arguments: [
            ("1 - a / b", "(1 - (a / b))"),
            ("not a == b and c", "((not (a == b)) and c)"),
            ("a or b and c", "(a or (b and c))"),
            ("a and b or c and d", "((a and b) or (c and d))"),
            ("not not a", "(not (not a))"),
            ("a - b - c", "((a - b) - c)"),
            ("a / b * c", "((a / b) * c)"),
            ("a + b * c - d", "((a + (b * c)) - d)"),
            ("(a + b) * c", "((a + b) * c)"),
            ("-a[0] * 2", "((-a[0]) * 2)"),
            ("- -1", "(-(-1))"),
            ("1 - -1", "(1 - (-1))"),
            ("a + b < c * d", "((a + b) < (c * d))"),
            ("(a < b) == (c < d)", "((a < b) == (c < d))"),
            ("t where a or b", "(t where (a or b))"),
            ("t where t.x > round - 7 and t.x <= round", "(t where ((t.x > (round - 7)) and (t.x <= round)))"),
            ("histogram(t.c where t.e == 1)", "histogram((t.c where (t.e == 1)))"),
            ("histogram(t.c, bins: 0..=9)", "histogram(t.c, bins: 0..=9)"),
            ("histogram(t.c, bins: -5..<5)", "histogram(t.c, bins: -5..<5)"),
            ("x - -1..<2", "(x - -1..<2)"),
            ("- 1..=5", "-1..=5"),
            ("-1..=5[0] * 2", "(-1..=5[0] * 2)"),
            ("--1..=5", "(--1..=5)"),
            ("v[i][j + 1]", "v[i][(j + 1)]"),
            ("[1, 2.5, \"s\", true, false, round]", "[1, 2.5, \"s\", true, false, round]"),
            ("[]", "[]"),
            ("f()", "f()"),
            ("noise(c, mechanism: laplace)", "noise(c, mechanism: laplace)"),
            ("a != b", "(a != b)"),
            ("a >= 1e-3", "(a >= 1e-3)"),
        ])
    func precedence(_ source: String, _ expected: String) throws {
        #expect(render(try parseExpression(source)) == expected)
    }

    @Test("spans cover the text, parentheses included")
    func spans() throws {
        let text = pluginBinding("((a + b)) * f(c, d: [1])[0]")
        let source = SourceFile(name: "t.phx", text: text)
        let plugin = try Parser.parse(source)
        guard case .binding(let name, let value) = plugin.node.statements[0].kind else { throw ExpectationFailed("") }
        #expect(source.text(name.span) == "x")
        #expect(source.text(value.span) == "((a + b)) * f(c, d: [1])[0]")
        guard case .binary(.multiply, let lhs, let rhs, let op) = value.kind else { throw ExpectationFailed("*") }
        #expect(source.text(lhs.span) == "((a + b))" && source.text(op) == "*")
        #expect(source.text(rhs.span) == "f(c, d: [1])[0]")
        guard case .index(let call, let position) = rhs.kind else { throw ExpectationFailed("[]") }
        #expect(source.text(call.span) == "f(c, d: [1])" && source.text(position.span) == "0")
        guard case .call(_, let arguments) = call.kind else { throw ExpectationFailed("call") }
        #expect(source.text(arguments[1].label?.span ?? SourceSpan(0, 0)) == "d")
        #expect(source.text(arguments[1].value.span) == "[1]")

        let range = try parseExpression("-3..=5")
        guard case .range(let bounds) = range.kind else { throw ExpectationFailed("range") }
        #expect(bounds.lower.integer == -3 && bounds.lower.value == -3 && bounds.lower.text == "-3")
        #expect(bounds.upper.integer == 5 && bounds.inclusive)
        let filter = try parseExpression("t where not t.a")
        guard case .filter(_, let condition, let whereSpan) = filter.kind,
            case .unary(.not, _, let notSpan) = condition.kind
        else { throw ExpectationFailed("filter") }
        #expect(whereSpan.upperBound - whereSpan.lowerBound == 5 && notSpan.upperBound - notSpan.lowerBound == 3)
    }

    // MARK: - Declarations and statements

    @Test("columns: int ranges with negative bounds, real with and without a range, category lists")
    func columns() throws {
        let plugin = try parse(
            """
            plugin "c" version "0.1"
            input t {
                a: int in -10..<-2
                b: int in - 3..=3
                c: real
                d: real in -1e3..=2.5e2
                e: category in { "x", "y", }
                int: real in 0..=1
            }
            input u { }
            node { }
            aggregator { }
            """)
        #expect(plugin.inputs.map(\.name.name) == ["t", "u"] && plugin.inputs[1].columns.isEmpty)
        let columns = plugin.inputs[0].columns
        guard case .integer(let a) = columns[0].kind, case .integer(let b) = columns[1].kind,
            case .real(nil) = columns[2].kind, case .real(let d?) = columns[3].kind,
            case .category(let e) = columns[4].kind, case .real = columns[5].kind
        else { throw ExpectationFailed("kinds") }
        #expect(a.lower.integer == -10 && a.upper.integer == -2 && !a.inclusive && a.upper.text == "-2")
        #expect(b.lower.integer == -3 && b.lower.text == "-3" && b.inclusive)
        #expect(d.lower.value == -1000 && d.upper.value == 250 && d.lower.integer == nil)
        #expect(e.map(\.value) == ["x", "y"])
        #expect(columns[5].name.name == "int")
    }

    @Test("both blocks accept every statement kind; labels take a range, strings or a column")
    func statements() throws {
        let text = """
            plugin "s" version "1"
            node {
                release a as "a"
                let b = 1 threshold_release b at 2 as "b" labels { "x", "y" }
            }
            aggregator {
                secure_sum c as c
                release d as "d" labels -2..=2
                release e as "e" labels t.category
                threshold_release f at g + 1 as "f"
            }
            """
        let source = SourceFile(name: "s.phx", text: text)
        let plugin = try Parser.parse(source)
        #expect(plugin.node.statements.count == 3 && plugin.aggregator.statements.count == 4)
        guard case .release(_, _, nil) = plugin.node.statements[0].kind,
            case .thresholdRelease(_, _, _, .strings(let strings, let stringsSpan)?) = plugin.node.statements[2].kind,
            case .secureSum = plugin.aggregator.statements[0].kind,
            case .release(_, _, .range(let range)?) = plugin.aggregator.statements[1].kind,
            case .release(_, _, .column(let table, let column)?) = plugin.aggregator.statements[2].kind,
            case .thresholdRelease(_, let threshold, _, nil) = plugin.aggregator.statements[3].kind
        else { throw ExpectationFailed("statement kinds") }
        #expect(strings.map(\.value) == ["x", "y"] && source.text(stringsSpan) == "{ \"x\", \"y\" }")
        #expect(render(range) == "-2..=2")
        #expect(table.name == "t" && column.name == "category")
        #expect(render(threshold) == "(g + 1)")
        #expect(
            source.text(plugin.node.statements[2].span) == "threshold_release b at 2 as \"b\" labels { \"x\", \"y\" }")
        #expect(source.text(plugin.aggregator.statements[2].span) == "release e as \"e\" labels t.category")
    }

    @Test("comments, CRLF, tabs, a BOM and unicode in strings and comments")
    func layout() throws {
        let text =
            "\u{FEFF}// Überblick — 生存曲線 🚀\r\nplugin \"Überlebens-Kurve 🚀\"\tversion \"1\" // ✓ \u{0}\r\n"
            + "node {\r\n\tlet s = \"tab\\there \\\"q\\\" \\\\ \\n é\"\r\n}\raggregator{}// end"
        let plugin = try parse(text)
        #expect(plugin.name.value == "Überlebens-Kurve 🚀")
        guard case .binding(_, let value) = plugin.node.statements[0].kind, case .string(let string) = value.kind else {
            throw ExpectationFailed("string")
        }
        #expect(string.value == "tab\there \"q\" \\ \n é")
    }

    @Test("largest and smallest numbers")
    func numbers() throws {
        guard case .number(let max) = try parseExpression("9223372036854775807").kind else {
            throw ExpectationFailed("")
        }
        #expect(max.integer == Int64.max && max.value == 9.223372036854775807e18)
        guard case .number(let tiny) = try parseExpression("1e-999").kind else { throw ExpectationFailed("") }
        #expect(tiny.value == 0 && tiny.integer == nil)
        guard case .number(let big) = try parseExpression("1.7976931348623157e308").kind else {
            throw ExpectationFailed("")
        }
        #expect(big.value == .greatestFiniteMagnitude)
        guard case .number(let zeros) = try parseExpression("007").kind else { throw ExpectationFailed("") }
        #expect(zeros.integer == 7 && zeros.text == "007")
    }

    // MARK: - The lexer

    @Test("the lexer splits ranges, columns and operators")
    func tokens() {
        let source = SourceFile(name: "t", text: "\u{FEFF}0..=80 t.c 1.5..<2 a<=b==c!=d // x\n-1e+2 \"s\"")
        let kinds = Lexer.tokenize(source).map(\.kind)
        func number(_ text: String, _ value: Double, _ integer: Int64?, _ from: Int) -> Token.Kind {
            .number(
                NumberLiteral(text: text, value: value, integer: integer, span: SourceSpan(from, from + text.count)))
        }
        #expect(
            kinds == [
                number("0", 0, 0, 1), .symbol(.inclusiveRange), number("80", 80, 80, 5),
                .identifier("t"), .symbol(.dot), .identifier("c"),
                number("1.5", 1.5, nil, 12), .symbol(.exclusiveRange), number("2", 2, 2, 18),
                .identifier("a"), .symbol(.lessOrEqual), .identifier("b"), .symbol(.equal), .identifier("c"),
                .symbol(.notEqual), .identifier("d"),
                .symbol(.minus), number("1e+2", 100, nil, 37), .string("s"), .end,
            ])
    }

    @Test("the end-of-file token sits after the last token, not after trailing comments")
    func endOfFile() {
        let tokens = Lexer.tokenize(SourceFile(name: "t", text: "a  // c\n\n"))
        #expect(tokens.last?.kind == .end && tokens.last?.span == SourceSpan(1, 1))
    }
}
