import Yams

/// Typed reads from a composed `agent.yaml`, each failure naming the file and the line.
struct ConfigReader {
    let file: String
    let root: Node

    init(bytes: [UInt8], file: String) throws(AgentConfigError) {
        self.file = file
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw AgentConfigError(file: file, line: nil, message: "the file is not UTF-8 text")
        }
        try Self.rejectAliases(text, file: file)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw AgentConfigError(file: file, line: nil, message: "the file is empty; expected \"agent: ID\"")
            }
            root = node
        } catch let error as AgentConfigError {
            throw error
        } catch {
            throw AgentConfigError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
    }

    /// Anchors and aliases are refused: nested aliases let a short file stand for an enormous one, and a configuration
    /// never needs them. (Composing with every `&` turned into `*` makes the first anchor an undefined alias, which
    /// Yams reports with its position; the policy loader does the same.)
    static func rejectAliases(_ text: String, file: String) throws(AgentConfigError) {
        let ampersand = UInt8(ascii: "&"), asterisk = UInt8(ascii: "*")
        guard text.utf8.contains(where: { $0 == ampersand || $0 == asterisk }) else { return }
        let probe = String(decoding: text.utf8.map { $0 == ampersand ? asterisk : $0 }, as: UTF8.self)
        do {
            _ = try Yams.compose(yaml: probe)
        } catch YamlError.composer(_, "found undefined alias", let mark, _) {
            throw AgentConfigError(
                file: file, line: mark.line,
                message: "YAML anchors and aliases (&NAME, *NAME) are not supported; write the value out in full")
        } catch {
            // A syntax error: composing the text itself reports it.
        }
    }

    struct Mapping {
        let node: Node
        let pairs: [(Node, Node)]
        subscript(key: String) -> Node? { pairs.first { $0.0.string == key }?.1 }
    }

    func error(_ node: Node, _ message: String) -> AgentConfigError {
        AgentConfigError(file: file, line: node.mark.map { $0.line }, message: message)
    }

    func mapping(_ node: Node, what: String, allowed: Set<String>) throws(AgentConfigError) -> Mapping {
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

    func string(_ node: Node, what: String) throws(AgentConfigError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw error(node, "\(what) must be a non-empty string")
        }
        return scalar.string
    }

    func strings(_ node: Node, what: String) throws(AgentConfigError) -> [String] {
        guard case .sequence(let sequence) = node else { throw error(node, "\(what) must be a list") }
        var values: [String] = []
        for item in sequence { values.append(try string(item, what: "an item of \(what)")) }
        return values
    }

    func integer(_ node: Node, what: String, in range: ClosedRange<Int>) throws(AgentConfigError) -> Int {
        let text = try string(node, what: what).replacingOccurrences(of: "_", with: "")
        guard let value = Int(text), range.contains(value) else {
            throw error(node, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
