import PhalanxDSL

/// Fuzzes the plug-in language's lexer and parser (`Parser.parse`).
///
/// The input's bytes are read as UTF-8, invalid sequences becoming U+FFFD as when `phalanx plugin` reads a file.
/// Parsing must either give a syntax tree or throw a ``Diagnostic`` (the only error type `Parser.parse` may throw,
/// which its typed `throws` guarantees) whose line and column lie within the text and whose description renders
/// with that place, the line and a caret. A tree's spans must nest (each statement inside its block, the node block
/// before the aggregator block, every name's span spelling the name), and the tree written back with every
/// expression fully parenthesized must parse to the same tree, or be refused only for the depth the parentheses add.
struct PluginFuzzTarget: FuzzTarget {
    let name = "plugins"
    let isTextual = true
    let maximumInputSize = 16 * 1_024
    static let file = "fuzz.phx"

    var seeds: [[UInt8]] { Self.plugins.map { Array($0.utf8) } }

    /// The shipped plug-ins (`Plugins/*.phx`, kept equal to the files by a test), the example of `docs/dsl.md` and
    /// one plug-in that uses every construct of the grammar, with a byte order mark, CRLF line ends and tabs.
    static let plugins = [
        fedavgRound, kaplanMeier, safetyEventCount, benchSecureSum100k, documentationExample,
        "\u{FEFF}plugin \"every-construct\" version \"0.0.1-\\\"q\\\"\\\\\\t\\n\"\r\n"
            + "input t {\r\n\ta: int in -5..<5\r\n\tb: real\r\n\tc: real in -1.5e3..=2.5\r\n"
            + "\tcategory: category in { \"x\", \"é 🚀\", }\r\n}\r\ninput u { }\r\n"
            + "node {\r\n\tlet w = t where not (t.a < 0 or t.b >= 1e-3) and t.category != \"x\" and round > 0\r\n"
            + "\tlet h = histogram(w.a, bins: -5..<5) + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] * -2 / 1.5 - h[0]\r\n"
            + "\tsecure_sum clip_l1(h, 10) as h // a comment\r\n\trelease x as \"misplaced\"\r\n}\r\n"
            + "aggregator {\r\n\tlet s = noise(h, mechanism: laplace)\r\n\tsecure_sum s as misplaced\r\n"
            + "\trelease s as \"s\" labels 0..<10\r\n\trelease s[0] == true as \"t\" labels { \"only\" }\r\n"
            + "\tthreshold_release s at contributors(h) * 2 as \"c\" labels t.category\r\n}\r\n",
    ]

    let dictionary: [[UInt8]] = [
        "plugin", "version", "input", "int", "real", "category", "in", "node", "aggregator", "let", "secure_sum",
        "as", "release", "threshold_release", "at", "labels", "where", "and", "or", "not", "true", "false", "round",
        "plugin \"p\" version \"1\"\n", "input t { a: int in 0..=9 }", "node {", "aggregator {", "let x = ",
        "secure_sum clip_linf(x, 1) as x", "release x as \"x\"", "threshold_release x at 1 as \"x\"", " labels 0..=9",
        " labels { \"a\" }", " labels t.a", "histogram(", "clip_linf(", "count_by(", "noise(", "t.a", "x", "_",
        "bins: ", "scale: ", "0", "1", "-1", "2.5", "1e-3", "1e999", "1e", "9223372036854775807",
        "9223372036854775808", "0..=80", "-5..<5", "..=", "..<", "..", ".", "==", "!=", "<", "<=", ">", ">=", "=",
        "+", "-", "*", "/", "(", ")", "{", "}", "[", "]", ",", ":", "\"", "\"s\"", "\\\"", "\\\\", "\\n", "\\t", "\\q",
        "//", "// é\n", "\n", "\r\n", "\r", "\t", " ", "\u{FEFF}", "\u{00A0}", "\u{200B}", "é", "🚀", "\u{301}",
        "\u{0}", "!", "&&", "||", "%", ";", "#", "'",
    ].map { Array($0.utf8) }

    let nesting = [
        FuzzNesting("(", ")"), FuzzNesting("[", "]"), FuzzNesting("-"), FuzzNesting("not "), FuzzNesting("f(", ")"),
        FuzzNesting("f(a: ", ")"), FuzzNesting("", "[0]"), FuzzNesting("", " + 1"), FuzzNesting("{", "}"),
        FuzzNesting("\"", "\""),
    ]

    func run(_ input: [UInt8]) throws -> FuzzOutcome {
        let text = String(decoding: input, as: UTF8.self)
        let source = SourceFile(name: Self.file, text: text)
        let plugin: PluginSyntax
        do {
            plugin = try Parser.parse(source)
        } catch {
            try Self.checkLocated(error, in: text)
            // An apostrophe ("the plug-in's name") is not a quote: keep it from swallowing the rest of the reason.
            let message = error.message.replacing("'s ", with: "’s ")
            return .rejected("\(error.code): \(FuzzReason.normalize(message))")
        }
        try Self.checkSpans(plugin, in: source)
        let canonical = Self.canonical(plugin)
        let reparsed: PluginSyntax
        do {
            reparsed = try Parser.parse(SourceFile(name: Self.file, text: canonical))
        } catch {
            guard error.code == .nestedTooDeeply else {
                throw FuzzInvariantViolation("the parenthesized form does not parse back: \(error)\n\(canonical)")
            }
            return .accepted("parsed; too deep once parenthesized")
        }
        guard Self.canonical(reparsed) == canonical else {
            throw FuzzInvariantViolation(
                "the parenthesized form reads back as another tree:\n\(canonical)\n\(Self.canonical(reparsed))")
        }
        let statements = plugin.node.statements.count + plugin.aggregator.statements.count
        return .accepted(statements == 0 ? "parsed; no statements" : "parsed")
    }

    // MARK: - Invariants

    /// A diagnostic points inside the text (a line it has, a column on that line or just after its end) and
    /// renders as `FILE:LINE:COLUMN: error: MESSAGE`, the line, and a caret.
    static func checkLocated(_ error: Diagnostic, in text: String) throws {
        let lengths = lineLengths(text)
        guard error.file == file, error.line >= 1, error.line <= lengths.count, error.column >= 1,
            error.column <= lengths[error.line - 1] + 1, error.length >= 1,
            error.sourceLine.unicodeScalars.count == lengths[error.line - 1], !error.message.isEmpty
        else {
            throw FuzzInvariantViolation(
                "\(error.code) at \(error.line):\(error.column) (length \(error.length)) lies outside the text "
                    + "(\(lengths.count) lines)")
        }
        let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, lines[0] == "\(file):\(error.line):\(error.column): error: \(error.message)",
            lines[2].hasSuffix("^" + String(repeating: "~", count: error.length - 1))
        else {
            throw FuzzInvariantViolation("the diagnostic does not render: \(error.description.prefix(300))")
        }
    }

    /// The number of Unicode scalars on each line, lines ending at `\n`, `\r\n` or `\r`.
    static func lineLengths(_ text: String) -> [Int] {
        var lengths = [0]
        var previousWasReturn = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", previousWasReturn {
                previousWasReturn = false
                continue
            }
            previousWasReturn = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lengths.append(0)
            } else {
                lengths[lengths.count - 1] += 1
            }
        }
        return lengths
    }

    /// Statements lie inside their blocks, the blocks in order, and every name's span spells the name.
    static func checkSpans(_ plugin: PluginSyntax, in source: SourceFile) throws {
        func inside(_ inner: SourceSpan, _ outer: SourceSpan) -> Bool {
            outer.lowerBound <= inner.lowerBound && inner.upperBound <= outer.upperBound
        }
        func spells(_ identifier: Identifier) throws {
            guard source.text(identifier.span) == identifier.name else {
                throw FuzzInvariantViolation(
                    "the span of '\(identifier.name)' covers '\(source.text(identifier.span))'")
            }
        }
        func check(_ expression: ExpressionSyntax, within outer: SourceSpan) throws {
            guard inside(expression.span, outer) else {
                throw FuzzInvariantViolation("an expression's span \(expression.span) lies outside \(outer)")
            }
            let span = expression.span
            switch expression.kind {
            case .number(let literal):
                guard source.text(literal.span) == literal.text else {
                    throw FuzzInvariantViolation("the span of number \(literal.text) covers '\(source.text(span))'")
                }
            case .string, .boolean, .round, .range: break
            case .name(let name): try spells(name)
            case .column(let table, let column):
                try spells(table)
                try spells(column)
            case .call(let function, let arguments):
                try spells(function)
                for argument in arguments {
                    if let label = argument.label { try spells(label) }
                    try check(argument.value, within: span)
                }
            case .vector(let elements):
                for element in elements { try check(element, within: span) }
            case .unary(_, let operand, _): try check(operand, within: span)
            case .binary(_, let lhs, let rhs, _):
                try check(lhs, within: span)
                try check(rhs, within: span)
            case .filter(let value, let condition, _):
                try check(value, within: span)
                try check(condition, within: span)
            case .index(let value, let position):
                try check(value, within: span)
                try check(position, within: span)
            }
        }
        guard plugin.name.span.upperBound <= plugin.version.span.lowerBound,
            plugin.inputs.allSatisfy({ $0.span.upperBound <= plugin.node.span.lowerBound }),
            plugin.node.span.upperBound <= plugin.aggregator.span.lowerBound,
            plugin.aggregator.span.upperBound <= source.count
        else {
            throw FuzzInvariantViolation("the parts of the plug-in are out of order or outside the text")
        }
        for input in plugin.inputs {
            try spells(input.name)
            for column in input.columns where !inside(column.span, input.span) {
                throw FuzzInvariantViolation("column \(column.name.name) lies outside its input")
            }
        }
        for block in [plugin.node, plugin.aggregator] {
            for statement in block.statements {
                guard inside(statement.span, block.span), inside(statement.keyword, statement.span) else {
                    throw FuzzInvariantViolation("a statement lies outside its block")
                }
                switch statement.kind {
                case .binding(let name, let value):
                    try spells(name)
                    try check(value, within: statement.span)
                case .secureSum(let value, let channel):
                    try spells(channel)
                    try check(value, within: statement.span)
                case .release(let value, _, _): try check(value, within: statement.span)
                case .thresholdRelease(let value, let threshold, _, _):
                    try check(value, within: statement.span)
                    try check(threshold, within: statement.span)
                }
            }
        }
    }

    // MARK: - Writing a tree back

    /// The plug-in as source, with every expression fully parenthesized.
    static func canonical(_ plugin: PluginSyntax) -> String {
        var lines = ["plugin \(quoted(plugin.name.value)) version \(quoted(plugin.version.value))"]
        for input in plugin.inputs {
            lines.append("input \(input.name.name) {")
            for column in input.columns {
                switch column.kind {
                case .integer(let range): lines.append("    \(column.name.name): int in \(canonical(range))")
                case .real(nil): lines.append("    \(column.name.name): real")
                case .real(let range?): lines.append("    \(column.name.name): real in \(canonical(range))")
                case .category(let values):
                    lines.append(
                        "    \(column.name.name): category in { "
                            + values.map(\.value).map(quoted).joined(separator: ", ") + " }"
                    )
                }
            }
            lines.append("}")
        }
        for (keyword, block) in [("node", plugin.node), ("aggregator", plugin.aggregator)] {
            lines.append("\(keyword) {")
            for statement in block.statements {
                switch statement.kind {
                case .binding(let name, let value):
                    lines.append("    let \(name.name) = \(canonical(value))")
                case .secureSum(let value, let channel):
                    lines.append("    secure_sum \(canonical(value)) as \(channel.name)")
                case .release(let value, let name, let labels):
                    lines.append("    release \(canonical(value)) as \(quoted(name.value))\(canonical(labels))")
                case .thresholdRelease(let value, let threshold, let name, let labels):
                    lines.append(
                        "    threshold_release \(canonical(value)) at \(canonical(threshold)) as \(quoted(name.value))"
                            + canonical(labels))
                }
            }
            lines.append("}")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func canonical(_ range: RangeSyntax) -> String {
        "\(range.lower.text)\(range.inclusive ? "..=" : "..<")\(range.upper.text)"
    }

    static func canonical(_ labels: LabelsSyntax?) -> String {
        switch labels {
        case nil: ""
        case .range(let range)?: " labels \(canonical(range))"
        case .strings(let values, _)?: " labels { \(values.map(\.value).map(quoted).joined(separator: ", ")) }"
        case .column(let table, let column)?: " labels \(table.name).\(column.name)"
        }
    }

    static func canonical(_ expression: ExpressionSyntax) -> String {
        switch expression.kind {
        case .number(let literal): literal.text
        case .string(let literal): quoted(literal.value)
        case .boolean(let value): "\(value)"
        case .round: "round"
        case .name(let name): name.name
        case .column(let table, let column): "\(table.name).\(column.name)"
        case .call(let function, let arguments):
            "\(function.name)("
                + arguments.map { ($0.label.map { "\($0.name): " } ?? "") + canonical($0.value) }
                .joined(separator: ", ") + ")"
        case .vector(let elements): "[\(elements.map(canonical).joined(separator: ", "))]"
        case .unary(.negate, let operand, _): "(-\(canonical(operand)))"
        case .unary(.not, let operand, _): "(not \(canonical(operand)))"
        case .binary(let op, let lhs, let rhs, _): "(\(canonical(lhs)) \(op.rawValue) \(canonical(rhs)))"
        case .filter(let value, let condition, _): "(\(canonical(value)) where \(canonical(condition)))"
        case .index(let value, let position): "\(canonical(value))[\(canonical(position))]"
        case .range(let range): canonical(range)
        }
    }

    /// A string literal for `value`, with the language's four escapes.
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

// MARK: - The shipped plug-ins

extension PluginFuzzTarget {
    /// `Plugins/fedavg-round.phx`.
    static let fedavgRound = """
        // One round of federated averaging (McMahan et al. 2017) of a model update, with each organization's update
        // clipped to L2 norm 1 (the bound that differential privacy and robust aggregation rely on).
        //
        // Each node holds the update its local training produced (one value per model parameter, in order) and its number
        // of training examples. It clips the update, weights it by its example count (capped), quantizes it to integers
        // and hands it to the provider with the weight; the aggregator releases the weighted mean update.
        plugin "fedavg-round" version "1.0.0"

        input model_update {
            value: real in -1000.0..=1000.0                // one model parameter's update
        }

        input training {
            examples: int in 0..=100000                    // this round's local training examples (one row)
        }

        node {
            let weight = min(sum(training.examples), 1000)
            // Clip the update to norm 1, then weight it; the outer clip states the bound (1 × 1000) that secure_sum needs.
            let weighted = clip_l2(clip_l2(vector(model_update.value, length: 16), 1.0) * weight, 1000.0)
            // Fixed point with 4096 steps per unit: every sum stays exact, and within the secure sum's 32-bit range.
            secure_sum quantize(weighted, scale: 4096) as weighted_update
            secure_sum clip_linf(weight, 1000) as total_weight
        }

        aggregator {
            let mean = dequantize(weighted_update, scale: 4096) / max(total_weight[0], 1)
            release mean as "mean_update" labels 0..<16
        }

        """

    /// `Plugins/kaplan-meier.phx`.
    static let kaplanMeier = """
        // Federated Kaplan–Meier survival curve (seed 003; Veeraragavan et al. 2024).
        //
        // Each organization holds its own patients' follow-up: the day of the event or of censoring, and whether the
        // event was observed. Per day, every node counts its events and the subjects whose follow-up ends that day; the
        // execution provider sums those counts across organizations, and the aggregator computes the product-limit
        // estimate S(t) = Π_{s ≤ t} (1 − d_s / n_s) from the sums alone, where n_s (at risk on day s) is the number of
        // subjects followed until day s or later. No row, and no organization's own counts, leave a node.
        plugin "kaplan-meier" version "1.0.0"

        input survival {
            time:  int in 0..=80                           // day of the event or of censoring
            event: int in 0..=1                            // 1: the event was observed; 0: censored
            group: category in { "miR-137", "control" }
        }

        node {
            // Per day 0…80: events observed, and subjects leaving follow-up (by event or censoring).
            let deaths = histogram(survival.time where survival.event == 1)
            let exits = histogram(survival.time)
            // What one organization can add: at most 200 subjects (over all days). It fixes the sensitivity the DP
            // providers calibrate their noise to and keeps the secure sum from wrapping; a larger cohort is scaled down,
            // so raise it for studies with more subjects per organization.
            secure_sum clip_l1(deaths, 200) as deaths
            secure_sum clip_l1(exits, 200) as exits
        }

        aggregator {
            // Subjects still followed on day t: everyone who leaves on day t or later.
            let at_risk = reverse_cumsum(exits)
            // Nobody at risk means no event either: the factor is 1 (max keeps 0 / 0 out). Under DP noise the clamp
            // keeps every factor a probability.
            let factor = clamp(1 - deaths / max(at_risk, 1), 0, 1)
            release cumprod(factor) as "survival" labels 0..=80
            release at_risk as "at_risk" labels 0..=80
        }

        """

    /// `Plugins/safety-event-count.phx`.
    static let safetyEventCount = """
        // Safety-event counts (seed 001, TraceFed): how many prompts each organization's local safety agent blocked in
        // the last seven days, per category, released with differential privacy and only where the count is large
        // enough to say something.
        //
        // One round per day. Each node counts its blocked events of the sliding window [day − 6, day] per category,
        // bounds its contribution, and hands the vector to the provider; the aggregator asks for Laplace noise on the sum
        // and publishes only the categories whose noisy count reaches the threshold.
        plugin "safety-event-count" version "2.0.0"

        input safety_events {
            day:      int in 0..=365
            category: category in { "prompt_injection", "jailbreak", "secret_exfiltration", "pii_exfiltration", "toxicity" }
            action:   category in { "blocked", "escalated", "allowed" }
        }

        node {
            let window = safety_events where safety_events.day > round - 7 and safety_events.day <= round
            let blocked = count_by(window.category where window.action == "blocked")
            // One organization adds at most 250 events over all categories to a window's counts.
            secure_sum clip_l1(blocked, 250) as blocked
        }

        aggregator {
            let noisy = noise(blocked, mechanism: laplace)
            threshold_release noisy at 20 as "blocked_by_category" labels safety_events.category
        }

        """

    /// `Plugins/bench-secure-sum-100k.phx`.
    static let benchSecureSum100k = """
        // Secure sum of a 100,000-component vector (issue 8's network benchmark, `phalanx bench network`): the shape of a
        // model update or a large histogram, and the cost the secure-aggregation stages scale with.
        //
        // Each node holds one row per component, in order; `vector` reads the column as a vector of 100,000 integers,
        // `clip_linf` states the per-component bound that secure_sum needs (the sum stays exact up to 2^31 / 1000 nodes),
        // and the aggregator releases the whole sum. A node whose table does not have exactly 100,000 rows fails the round.
        //
        // Under `plain` every node's contribution has an L1 norm of up to 100,000 × 1,000 = 10^8, far above the default
        // guard-rail policy's maxContributionL1 (250, the counting plug-in's bound): the benchmark runs it with that
        // parameter raised to 10^8, as a deployment running this plug-in would.
        plugin "bench-secure-sum-100k" version "1.0.0"

        input bench_vector {
            value: int in 0..=1000              // one component of the node's vector
        }

        node {
            secure_sum clip_linf(vector(bench_vector.value, length: 100000), 1000) as total
        }

        aggregator {
            release total as "sum" labels 0..<100000
        }

        """

    /// The first example of `docs/dsl.md` (a copy; it may drift from the page, and need not match it).
    static let documentationExample = """
        // Kaplan–Meier survival curve (seed 003): events and subjects at risk per day are summed across the
        // organizations; only the aggregator's product-limit estimate is released.
        plugin "kaplan-meier" version "1.0.0"

        input survival {
            time:  int in 0..=80            // days until the event or censoring
            event: int in 0..=1             // 1: the event was observed, 0: censored
            group: category in { "miR-137", "control" }
        }

        node {
            let deaths = histogram(survival.time where survival.event == 1)   // per day 0…80
            let exits  = histogram(survival.time)
            secure_sum clip_l1(deaths, 200) as deaths      // one organization adds at most 200 subjects
            secure_sum clip_l1(exits, 200) as exits
        }

        aggregator {
            let at_risk = reverse_cumsum(exits)               // subjects still followed on each day
            let hazard  = deaths / max(at_risk, 1)
            release cumprod(clamp(1 - hazard, 0, 1)) as "survival" labels 0..=80
        }

        """
}
