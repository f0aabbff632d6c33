import Foundation
import PhalanxCore
import Yams

/// Parses `guardrails.yaml` into a ``GuardrailPolicy``. The format is documented in `docs/guardrails.md`.
public enum GuardrailPolicyLoader {
    /// The keys a predicate entry may have.
    static let predicateKeys: Set<String> = [
        "id", "description", "expr", "severity", "command", "for", "keep_firing_for",
    ]
    static let topLevelKeys: Set<String> = [
        "version", "parameters", "forecast", "escalation", "overrides", "predicates",
    ]

    /// Parses `bytes`; `file` is the name errors report.
    public static func load(_ bytes: [UInt8], file: String) throws(GuardrailPolicyError) -> GuardrailPolicy {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GuardrailPolicyError(file: file, line: nil, column: nil, message: "the file is not UTF-8 text")
        }
        try rejectAnchorsAndAliases(text, file: file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw GuardrailPolicyError(
                    file: file, line: nil, column: nil,
                    message: "the file is empty; expected version, parameters and predicates")
            }
            root = node
        } catch let error as GuardrailPolicyError {
            throw error
        } catch let error as YamlError {
            throw GuardrailPolicyError(yaml: error, file: file)
        } catch {
            throw GuardrailPolicyError(file: file, line: nil, column: nil, message: "cannot parse YAML: \(error)")
        }
        let context = Context(file: file, text: text)
        let top = try context.mapping(root, what: "the top level")
        try context.rejectUnknownKeys(top, allowed: topLevelKeys, what: "the top level")

        guard let versionNode = top.value(for: "version") else {
            throw context.error(root, "missing \"version\" (a string naming this policy version)")
        }
        let version = try context.string(versionNode, what: "version")
        guard !version.isEmpty, version.utf8.count <= 64 else {
            throw context.error(versionNode, "version must be 1–64 characters")
        }

        var parameters: [String: Double] = [:]
        if let paramsNode = top.value(for: "parameters") {
            let params = try context.mapping(paramsNode, what: "parameters")
            for (keyNode, valueNode) in params.pairs {
                let name = try context.string(keyNode, what: "a parameter name")
                guard MetricKey.isValid(name) else {
                    throw context.error(
                        keyNode, "parameter name \"\(name)\" must be letters, digits and '_', not starting with a digit"
                    )
                }
                parameters[name] = try context.number(valueNode, what: "parameter \(name)")
            }
        }

        var predicates: [PredicateRule] = []
        guard let predicatesNode = top.value(for: "predicates") else {
            throw context.error(root, "missing \"predicates\" (a list of guard-rail predicates)")
        }
        guard case .sequence(let sequence) = predicatesNode else {
            throw context.error(predicatesNode, "\"predicates\" must be a list")
        }
        var ids: [String: Int] = [:]
        for item in sequence {
            let rule = try context.predicate(item, parameters: parameters)
            if let first = ids[rule.id] {
                throw context.error(item, "predicate id \"\(rule.id)\" is already used on line \(first)")
            }
            ids[rule.id] = rule.line
            predicates.append(rule)
        }
        let forecast = try top.value(for: "forecast").map { (n: Node) throws(GuardrailPolicyError) in
            try context.forecast(n)
        }
        let escalation = try top.value(for: "escalation").map { (n: Node) throws(GuardrailPolicyError) in
            try context.escalation(n)
        }
        let overrides = try top.value(for: "overrides").map { (n: Node) throws(GuardrailPolicyError) in
            try context.overrides(n, parameters: parameters)
        }
        return GuardrailPolicy(
            version: version, digest: SHA256Digest.of(bytes), parameters: parameters, predicates: predicates,
            forecast: forecast ?? .default, escalation: escalation ?? .default, overrides: overrides ?? .default)
    }

    /// Refuses YAML anchors (`&NAME`) and aliases (`*NAME`) before the document is built.
    ///
    /// An alias lets a few hundred bytes stand for an exponentially large or arbitrarily deep tree, and Yams
    /// hashes every mapping key recursively while composing, so an alias used as a key hangs the loader or
    /// overflows its stack (found by `phalanx fuzz guardrails`, see `docs/fuzzing.md`). guardrails.yaml has
    /// no use for them. To find them without building such a tree, the text is composed once with every
    /// `&` turned into `*`: libyaml scans anchors and aliases alike and treats both characters alike
    /// everywhere else (in scalars, comments and tag URIs), so the copy has the same tokens with every anchor
    /// turned into an alias, and no anchors for an alias to expand. Composing it fails at the first
    /// anchor or alias of the file as an undefined alias; when it fails elsewhere, the file has a syntax
    /// error there, which composing the file itself reports before it reaches any anchor.
    private static func rejectAnchorsAndAliases(_ text: String, file: String) throws(GuardrailPolicyError) {
        let ampersand = UInt8(ascii: "&")
        let asterisk = UInt8(ascii: "*")
        guard text.utf8.contains(where: { $0 == ampersand || $0 == asterisk }) else { return }
        let probe = String(decoding: text.utf8.map { $0 == ampersand ? asterisk : $0 }, as: UTF8.self)
        do {
            _ = try Yams.compose(yaml: probe)
        } catch YamlError.composer(_, "found undefined alias", let mark, _) {
            throw GuardrailPolicyError(
                file: file, line: mark.line, column: mark.column,
                message: "YAML anchors and aliases (&NAME, *NAME) are not supported in guardrails.yaml; "
                    + "write the value out in full where it is used")
        } catch {
            // A syntax error: composing the file itself reports it.
        }
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(GuardrailPolicyError) -> GuardrailPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GuardrailPolicyError(
                file: path, line: nil, column: nil, message: "cannot read the file (does it exist?)")
        }
        return try load([UInt8](data), file: path)
    }

    private struct Context {
        let file: String
        let text: String

        func error(_ node: Node, _ message: String) -> GuardrailPolicyError {
            GuardrailPolicyError(file: file, line: node.mark?.line, column: node.mark?.column, message: message)
        }

        func mapping(_ node: Node, what: String) throws(GuardrailPolicyError) -> Node.Mapping {
            guard case .mapping(let m) = node else { throw error(node, "\(what) must be a mapping of keys to values") }
            var seen: [String: Node] = [:]
            for (key, _) in m.pairs {
                if let k = key.string, seen.updateValue(key, forKey: k) != nil {
                    throw error(key, "key \"\(k)\" appears twice")
                }
            }
            return m
        }

        func rejectUnknownKeys(_ m: Node.Mapping, allowed: Set<String>, what: String) throws(GuardrailPolicyError) {
            for (key, _) in m.pairs {
                let name = key.string ?? ""
                guard allowed.contains(name) else {
                    let list = allowed.sorted().joined(separator: ", ")
                    throw error(key, "unknown key \"\(name)\" in \(what); expected one of: \(list)")
                }
            }
        }

        func string(_ node: Node, what: String) throws(GuardrailPolicyError) -> String {
            guard case .scalar(let s) = node else { throw error(node, "\(what) must be a string") }
            return s.string
        }

        func number(_ node: Node, what: String) throws(GuardrailPolicyError) -> Double {
            guard case .scalar(let s) = node, s.style == .plain, let value = Double(s.string), value.isFinite else {
                throw error(node, "\(what) must be a finite number")
            }
            return value
        }

        func predicate(_ node: Node, parameters: [String: Double]) throws(GuardrailPolicyError) -> PredicateRule {
            let m = try mapping(node, what: "a predicate")
            try rejectUnknownKeys(m, allowed: predicateKeys, what: "a predicate")
            func required(_ key: String) throws(GuardrailPolicyError) -> Node {
                guard let v = m.value(for: key) else { throw error(node, "this predicate has no \"\(key)\"") }
                return v
            }
            let idNode = try required("id")
            let id = try string(idNode, what: "id")
            guard PredicateRule.isValidID(id) else {
                throw error(
                    idNode, "predicate id \"\(id)\" must be 1–64 characters of a-z, 0-9 and '-', starting with a letter"
                )
            }
            let exprNode = try required("expr")
            guard case .scalar(let exprScalar) = exprNode else { throw error(exprNode, "expr must be a string") }
            let expression: GuardrailExpression
            do {
                expression = try GuardrailExpression(parsing: exprScalar.string, origin: origin(of: exprScalar))
            } catch {
                throw GuardrailPolicyError(file: file, expression: error)
            }
            for name in expression.parameterNames.sorted() where parameters[name] == nil {
                throw error(exprNode, "predicate \(id) uses params.\(name), which is not defined under \"parameters\"")
            }
            // The control plane derives these metrics each tick; nothing forecasts them, so a predicate on their
            // forecast would never hold — a guard-rail that silently never fires.
            for key in expression.syntax.references.forecast.sorted() where MetricKey.controlDerived.contains(key) {
                throw error(
                    exprNode,
                    "predicate \(id) reads forecast.\(key), but \(key) is derived by the control plane and has no forecast; use \(key) itself"
                )
            }
            let commandNode = try required("command")
            let commandName = try string(commandNode, what: "command")
            guard let command = CommandKind(rawValue: commandName) else {
                let list = CommandKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw error(commandNode, "unknown command \"\(commandName)\"; expected one of: \(list)")
            }
            guard !PredicateRule.operatorOnlyCommands.contains(command) else {
                throw error(
                    commandNode,
                    "\(commandName) is a human override; only an operator can sign it, a predicate cannot issue it")
            }
            var severity = Severity.warning
            if let severityNode = m.value(for: "severity") {
                let name = try string(severityNode, what: "severity")
                guard let parsed = Severity(rawValue: name) else {
                    throw error(severityNode, "unknown severity \"\(name)\"; expected info, warning or critical")
                }
                severity = parsed
            }
            let description = try m.value(for: "description").map { (n: Node) throws(GuardrailPolicyError) in
                try string(n, what: "description")
            }
            let pendingFor = try m.value(for: "for").map { (n: Node) throws(GuardrailPolicyError) in
                try duration(n, what: "for")
            }
            let keepFiringFor = try m.value(for: "keep_firing_for").map { (n: Node) throws(GuardrailPolicyError) in
                try duration(n, what: "keep_firing_for")
            }
            return PredicateRule(
                id: id,
                description: description ?? "",
                expression: expression,
                severity: severity,
                command: command,
                pendingFor: pendingFor ?? .zero,
                keepFiringFor: keepFiringFor ?? .zero,
                line: node.mark?.line ?? 0
            )
        }

        func duration(_ node: Node, what: String) throws(GuardrailPolicyError) -> GuardrailDuration {
            let text = try string(node, what: what)
            switch GuardrailDuration.parse(text) {
            case .success(let duration): return duration
            case .failure(let problem): throw error(node, "\(what): \(problem.message)")
            }
        }

        func integer(_ node: Node, what: String, in range: ClosedRange<Int>) throws(GuardrailPolicyError) -> Int {
            guard case .scalar(let s) = node, s.style == .plain, let value = Int(s.string), range.contains(value) else {
                throw error(node, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }

        func forecast(_ node: Node) throws(GuardrailPolicyError) -> ForecastSettings {
            let m = try mapping(node, what: "forecast")
            try rejectUnknownKeys(m, allowed: ["method", "alpha", "beta", "history"], what: "forecast")
            let history = try m.value(for: "history").map { (n: Node) throws(GuardrailPolicyError) in
                try integer(n, what: "forecast.history", in: 2...1_000)
            }
            var method = ForecastMethod.linear
            let name = try m.value(for: "method").map { (n: Node) throws(GuardrailPolicyError) in
                try string(n, what: "forecast.method")
            }
            func factor(_ key: String) throws(GuardrailPolicyError) -> Double? {
                guard let n = m.value(for: key) else { return nil }
                let value = try number(n, what: "forecast.\(key)")
                guard value > 0, value <= 1 else { throw error(n, "forecast.\(key) must be in (0, 1], got \(value)") }
                return value
            }
            switch name ?? "linear" {
            case "linear":
                if let extra = ["alpha", "beta"].first(where: { m.value(for: $0) != nil }) {
                    throw error(m.value(for: extra)!, "forecast.\(extra) applies to method holt only")
                }
            case "holt":
                guard let alpha = try factor("alpha"), let beta = try factor("beta") else {
                    throw error(node, "forecast method holt needs alpha and beta, each in (0, 1]")
                }
                method = .holt(alpha: alpha, beta: beta)
            default:
                throw error(m.value(for: "method")!, "unknown forecast method \"\(name!)\"; expected linear or holt")
            }
            return ForecastSettings(method: method, history: history ?? ForecastSettings.default.history)
        }

        func escalation(_ node: Node) throws(GuardrailPolicyError) -> EscalationPolicy {
            let m = try mapping(node, what: "escalation")
            try rejectUnknownKeys(m, allowed: ["ack_retries", "then"], what: "escalation")
            var policy = EscalationPolicy.default
            if let n = m.value(for: "ack_retries") {
                policy.ackRetries = try integer(n, what: "escalation.ack_retries", in: 0...10)
            }
            if let n = m.value(for: "then") {
                let name = try string(n, what: "escalation.then")
                guard let kind = CommandKind(rawValue: name), EscalationPolicy.allowedCommands.contains(kind) else {
                    throw error(n, "escalation.then must be A-ISOLATE_PARTY or A-ABORT_JOB, got \"\(name)\"")
                }
                policy.then = kind
            }
            return policy
        }

        func overrides(_ node: Node, parameters: [String: Double]) throws(GuardrailPolicyError) -> OverridePolicy {
            let m = try mapping(node, what: "overrides")
            try rejectUnknownKeys(m, allowed: ["two_person", "parameters"], what: "overrides")
            var policy = OverridePolicy.default
            if let n = m.value(for: "two_person") {
                guard case .sequence(let items) = n else {
                    throw error(n, "overrides.two_person must be a list of command kinds")
                }
                var kinds: Set<CommandKind> = []
                for item in items {
                    let name = try string(item, what: "a two-person command")
                    guard let kind = CommandKind(rawValue: name), OverridePolicy.allowedKinds.contains(kind) else {
                        let list = OverridePolicy.allowedKinds.map(\.rawValue).joined(separator: ", ")
                        throw error(item, "\"\(name)\" is not an override; expected one of: \(list)")
                    }
                    kinds.insert(kind)
                }
                policy.twoPerson = kinds
            }
            if let n = m.value(for: "parameters") {
                for (keyNode, valueNode) in try mapping(n, what: "overrides.parameters").pairs {
                    let name = try string(keyNode, what: "a parameter name")
                    guard let current = parameters[name] else {
                        throw error(
                            keyNode, "overrides.parameters names \"\(name)\", which is not under \"parameters\"")
                    }
                    let range = try mapping(valueNode, what: "the range of \(name)")
                    try rejectUnknownKeys(range, allowed: ["min", "max", "two_person"], what: "the range of \(name)")
                    guard let minNode = range.value(for: "min"), let maxNode = range.value(for: "max") else {
                        throw error(valueNode, "the range of \(name) needs min and max")
                    }
                    let low = try number(minNode, what: "\(name).min")
                    let high = try number(maxNode, what: "\(name).max")
                    guard low <= high else { throw error(valueNode, "\(name): min \(low) is above max \(high)") }
                    guard low <= current, current <= high else {
                        throw error(
                            valueNode, "\(name) is \(current), outside its own override range [\(low), \(high)]")
                    }
                    var twoPerson = false
                    if let t = range.value(for: "two_person") {
                        guard case .scalar(let flag) = t, ["true", "false"].contains(flag.string) else {
                            throw error(t, "\(name).two_person must be true or false")
                        }
                        twoPerson = flag.string == "true"
                    }
                    policy.parameters[name] = .init(minimum: low, maximum: high, twoPerson: twoPerson)
                }
            }
            return policy
        }

        /// Where the expression text starts in the file, so expression errors point into the YAML.
        func origin(of scalar: Node.Scalar) -> SourceOrigin {
            guard let mark = scalar.mark else { return SourceOrigin(line: 1, column: 1) }
            switch scalar.style {
            case .singleQuoted, .doubleQuoted:
                return SourceOrigin(line: mark.line, column: mark.column + 1)
            case .literal, .folded:
                // The text starts on the next line, after its indentation.
                // Split on every line break, CRLF included ("\r\n" is one Character, so splitting on "\n" would miss it).
                let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                let next = mark.line < lines.count ? lines[mark.line] : ""
                let indent = next.prefix(while: { $0 == " " }).count
                return SourceOrigin(line: mark.line + 1, column: indent + 1)
            default:
                return SourceOrigin(line: mark.line, column: mark.column)
            }
        }
    }
}

extension Node.Mapping {
    fileprivate func value(for key: String) -> Node? {
        pairs.first { $0.key.string == key }?.value
    }

    fileprivate var pairs: [(key: Node, value: Node)] { map { ($0.key, $0.value) } }
}

extension PredicateRule {
    /// Lowercase letters, digits and `-`, starting with a letter, at most 64 characters.
    public static func isValidID(_ id: String) -> Bool {
        guard let first = id.utf8.first, (0x61...0x7A).contains(first), id.utf8.count <= 64 else { return false }
        return id.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }
}

/// A `guardrails.yaml` that cannot be used. The description reads `FILE:LINE:COLUMN: message`.
public struct GuardrailPolicyError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?
    public let message: String

    public init(file: String, line: Int?, column: Int?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    init(file: String, expression: ExpressionError) {
        // The expression's description starts with its own "line:column: "; the file prefix replaces it.
        var text = expression.description
        let position = "\(expression.line):\(expression.column): "
        if text.hasPrefix(position) { text.removeFirst(position.count) }
        self.init(file: file, line: expression.line, column: expression.column, message: text)
    }

    init(yaml: YamlError, file: String) {
        switch yaml {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            self.init(
                file: file, line: mark.line, column: mark.column,
                message:
                    "invalid YAML: \(problem); check the indentation and the ':' after each key on this line and the one before"
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            self.init(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "key \(keys) appears more than once in this mapping; remove the repeats"
            )
        default:
            self.init(file: file, line: nil, column: nil, message: "invalid YAML: \(yaml)")
        }
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(message)"
    }
}
