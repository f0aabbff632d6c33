import Foundation
import Testing

@testable import PhalanxDSL

/// The shipped plug-ins, read from `Plugins/` next to `Tests/`.
enum ShippedPlugins {
    static let directory = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appending(path: "Plugins")

    static let names = ["fedavg-round", "kaplan-meier", "safety-event-count"]

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appending(path: "\(name).phx"), encoding: .utf8)
    }

    static func parse(_ name: String) throws -> PluginSyntax {
        try Parser.parse(SourceFile(name: "Plugins/\(name).phx", text: text(name)))
    }
}

/// Parses `text` as `test.phx`.
func parse(_ text: String) throws(Diagnostic) -> PluginSyntax {
    try Parser.parse(SourceFile(name: "test.phx", text: text))
}

/// The problem parsing `text` reports, or `nil` when it parses.
func parseError(_ text: String) -> Diagnostic? {
    do {
        _ = try parse(text)
        return nil
    } catch {
        return error
    }
}

/// A plug-in whose node block binds `x` to `expression`, for expression tests.
func pluginBinding(_ expression: String) -> String {
    "plugin \"p\" version \"1\"\nnode { let x = \(expression) }\naggregator { }\n"
}

/// The expression bound to `x` by ``pluginBinding(_:)``.
func parseExpression(_ expression: String) throws -> ExpressionSyntax {
    let plugin = try parse(pluginBinding(expression))
    guard case .binding(_, let value) = try #require(plugin.node.statements.first).kind else {
        throw ExpectationFailed("not a binding")
    }
    return value
}

struct ExpectationFailed: Error {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The fully parenthesized form of an expression: `(1 - (a / b))`.
func render(_ expression: ExpressionSyntax) -> String {
    switch expression.kind {
    case .number(let literal): return literal.text
    case .string(let literal): return "\"\(literal.value)\""
    case .boolean(let value): return "\(value)"
    case .round: return "round"
    case .name(let name): return name.name
    case .column(let table, let column): return "\(table.name).\(column.name)"
    case .call(let function, let arguments):
        let rendered = arguments.map { argument in
            (argument.label.map { "\($0.name): " } ?? "") + render(argument.value)
        }
        return "\(function.name)(\(rendered.joined(separator: ", ")))"
    case .vector(let elements): return "[\(elements.map(render).joined(separator: ", "))]"
    case .unary(let op, let operand, _): return "(\(op == .not ? "not " : "-")\(render(operand)))"
    case .binary(let op, let lhs, let rhs, _): return "(\(render(lhs)) \(op.rawValue) \(render(rhs)))"
    case .filter(let value, let condition, _): return "(\(render(value)) where \(render(condition)))"
    case .index(let value, let position): return "\(render(value))[\(render(position))]"
    case .range(let range): return render(range)
    }
}

func render(_ range: RangeSyntax) -> String {
    "\(range.lower.text)\(range.inclusive ? "..=" : "..<")\(range.upper.text)"
}

/// The lines of `text` split at `\n`, `\r\n` and `\r`, computed independently of `SourceFile`.
func lines(of text: String) -> [[Unicode.Scalar]] {
    var result: [[Unicode.Scalar]] = [[]]
    var scalars = Array(text.unicodeScalars)[...]
    while let scalar = scalars.popFirst() {
        if scalar == "\r", scalars.first == "\n" { scalars.removeFirst() }
        if scalar == "\n" || scalar == "\r" {
            result.append([])
        } else {
            result[result.count - 1].append(scalar)
        }
    }
    return result
}

/// Parses `text`; it must either parse or throw a diagnostic located within the text that renders.
/// Returns whether it parsed.
@discardableResult
func parsesOrFailsWithinText(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    do {
        _ = try Parser.parse(SourceFile(name: "input.phx", text: text))
        return true
    } catch {
        let lines = lines(of: text)
        let located =
            error.line >= 1 && error.line <= lines.count && error.column >= 1
            && error.column <= lines[error.line - 1].count + 1 && error.length >= 1
            && error.sourceLine.unicodeScalars.elementsEqual(lines[error.line - 1])
        #expect(
            located, "\(error.code) at \(error.line):\(error.column) in \(text.debugDescription)",
            sourceLocation: sourceLocation)
        #expect(
            error.description.hasPrefix("input.phx:\(error.line):\(error.column): error: \(error.message)\n"),
            sourceLocation: sourceLocation)
        return false
    }
}
