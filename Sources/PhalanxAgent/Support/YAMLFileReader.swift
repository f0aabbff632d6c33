import PhalanxCore
import Yams

/// A policy file that cannot be used.
public typealias AgentPolicyError = ConfigError

/// Typed reads from a composed YAML document, each failure naming the file and the line — for the agent's policy
/// files and its service configuration alike.
package struct YAMLFileReader {
    package let file: String
    package let root: Node

    /// Parses `bytes`; `emptyMessage` says what an empty file should have held.
    package init(bytes: [UInt8], file: String, emptyMessage: String) throws(ConfigError) {
        self.file = file
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: file, line: nil, message: "the file is not UTF-8 text")
        }
        try Self.rejectAliases(text, file: file)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: nil, message: "the file is empty; \(emptyMessage)")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
    }

    /// Anchors and aliases are refused: an alias repeats a subtree, and nested ones make a small file stand for an
    /// enormous one. (Composing with every `&` turned into `*` makes the first anchor an undefined alias, which Yams
    /// reports with its position.)
    static func rejectAliases(_ text: String, file: String) throws(ConfigError) {
        let ampersand = UInt8(ascii: "&"), asterisk = UInt8(ascii: "*")
        guard text.utf8.contains(where: { $0 == ampersand || $0 == asterisk }) else { return }
        let probe = String(decoding: text.utf8.map { $0 == ampersand ? asterisk : $0 }, as: UTF8.self)
        do {
            _ = try Yams.compose(yaml: probe)
        } catch YamlError.composer(_, "found undefined alias", let mark, _) {
            throw ConfigError(
                file: file, line: mark.line,
                message: "YAML anchors and aliases (&NAME, *NAME) are not supported; write the value out in full")
        } catch {
            // A syntax error: composing the text itself reports it.
        }
    }

    package struct Mapping {
        package let node: Node
        package let pairs: [(Node, Node)]
        package subscript(key: String) -> Node? { pairs.first { $0.0.string == key }?.1 }
    }

    package func error(_ node: Node, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark.map { $0.line }, message: message)
    }

    /// A mapping whose keys must all be in `allowed`, each once.
    package func mapping(_ node: Node, what: String, allowed: Set<String>) throws(ConfigError) -> Mapping {
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(what) must be a mapping of keys to values")
        }
        let result = Mapping(node: node, pairs: mapping.map { ($0.key, $0.value) })
        var seen: Set<String> = []
        for (key, _) in result.pairs {
            let name = key.string ?? "?"
            guard allowed.contains(name) else {
                throw error(
                    key,
                    "unknown key \"\(name)\" in \(what); expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else { throw error(key, "\"\(name)\" appears twice in \(what)") }
        }
        return result
    }

    /// A mapping with any keys (the caller checks them, e.g. against a list of categories).
    package func mapping(_ node: Node, what: String) throws(ConfigError) -> Mapping {
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(what) must be a mapping of keys to values")
        }
        return Mapping(node: node, pairs: mapping.map { ($0.key, $0.value) })
    }

    package func string(_ node: Node, what: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw error(node, "\(what) must be a non-empty string")
        }
        return scalar.string
    }

    /// A list of strings; a single string counts as a list of one.
    package func strings(_ node: Node, what: String) throws(ConfigError) -> [String] {
        if case .scalar = node { return [try string(node, what: what)] }
        guard case .sequence(let sequence) = node else { throw error(node, "\(what) must be a list") }
        var values: [String] = []
        for item in sequence { values.append(try string(item, what: "an item of \(what)")) }
        return values
    }

    package func bool(_ node: Node, what: String) throws(ConfigError) -> Bool {
        switch try string(node, what: what) {
        case "true": return true
        case "false": return false
        case let other: throw error(node, "\(what) must be true or false, not \"\(other)\"")
        }
    }

    /// A whole number in `range`; `_` separators are allowed (`1_048_576`).
    package func integer(_ node: Node, what: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let text = try string(node, what: what).replacingOccurrences(of: "_", with: "")
        guard let value = Int(text), range.contains(value) else {
            throw error(node, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A score in [0, 1].
    package func score(_ node: Node, what: String) throws(ConfigError) -> Double {
        let text = try string(node, what: what)
        guard let value = Double(text), value.isFinite, (0...1).contains(value) else {
            throw error(node, "\(what) must be a score from 0 to 1, not \"\(text)\"")
        }
        return value
    }
}
