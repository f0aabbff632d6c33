import PhalanxCore
import Yams

/// Typed reads from a composed YAML document, each failure naming the file, the line and the key.
struct YAMLReader {
    let file: String
    let root: Node

    init(bytes: [UInt8], file: String) throws(ConfigError) {
        self.file = file
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: file, line: nil, message: "the file is not UTF-8 text")
        }
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: nil, message: "the file is empty")
            }
            root = node
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw ConfigError(file: file, line: nil, message: "not valid YAML: \(error)")
        } catch {
            throw ConfigError(file: file, line: nil, message: "not valid YAML: \(error)")
        }
    }

    /// A mapping with lookups by key that remember where the mapping was.
    struct Mapping {
        let node: Node
        let pairs: [(Node, Node)]
        let reader: YAMLReader

        func optional(_ key: String) -> Node? {
            pairs.first { $0.0.string == key }?.1
        }

        func required(_ key: String) throws(ConfigError) -> Node {
            guard let value = optional(key) else { throw reader.error(node, "missing \"\(key)\"") }
            return value
        }
    }

    func error(_ node: Node, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node.mark.map { $0.line }, message: message)
    }

    func topMapping() throws(ConfigError) -> Mapping { try mapping(root, what: "the top level") }

    func mapping(_ node: Node, what: String) throws(ConfigError) -> Mapping {
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(what) must be a mapping of keys to values")
        }
        return Mapping(node: node, pairs: mapping.map { ($0.key, $0.value) }, reader: self)
    }

    func rejectUnknown(_ mapping: Mapping, allowed: Set<String>, what: String) throws(ConfigError) {
        for (key, _) in mapping.pairs {
            let name = key.string ?? "?"
            guard allowed.contains(name) else {
                throw error(
                    key,
                    "unknown key \"\(name)\" in \(what); expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    func string(_ node: Node, what: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, "\(what) must be a string") }
        return scalar.string
    }

    func integer(_ node: Node, what: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = Int(try string(node, what: what)), range.contains(value) else {
            throw error(node, "\(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    func number(_ node: Node, what: String) throws(ConfigError) -> Double {
        guard let value = Double(try string(node, what: what)), value.isFinite, value > 0 else {
            throw error(node, "\(what) must be a positive number")
        }
        return value
    }

    func participantID(_ node: Node, what: String) throws(ConfigError) -> ParticipantID {
        let text = try string(node, what: what)
        do { return try ParticipantID(text) } catch { throw self.error(node, "\(what): \(error)") }
    }

    func role(_ node: Node) throws(ConfigError) -> Role {
        let text = try string(node, what: "role")
        guard let role = Role(rawValue: text) else {
            throw error(node, "role must be node, aggregator or control, not \"\(text)\"")
        }
        return role
    }

    func address(_ node: Node, what: String) throws(ConfigError) -> NetworkAddress {
        let text = try string(node, what: what)
        guard let address = NetworkAddress(text) else {
            throw error(node, "\(what): \"\(text)\" is not host:port")
        }
        return address
    }

    /// An address a server binds: an IP literal (IPv6 in brackets), not a host name.
    func bindAddress(_ node: Node, what: String) throws(ConfigError) -> NetworkAddress {
        let address = try self.address(node, what: what)
        guard address.bindAddress != nil else {
            throw error(
                node,
                "\(what): \"\(address.host)\" is a name; a server binds an IP address (0.0.0.0, 127.0.0.1, [::1]…)")
        }
        return address
    }

    func tableSource(
        _ node: Node, table: String, resolve: (String) -> String
    ) throws(ConfigError)
        -> ParticipantConfig.TableSource
    {
        let source = try mapping(node, what: "data.\(table)")
        try rejectUnknown(source, allowed: ["csv", "schema", "synthetic", "days", "seed"], what: "data.\(table)")
        if let csv = source.optional("csv") {
            guard let schema = source.optional("schema") else {
                throw error(node, "data.\(table) needs \"schema: PLUGIN.phx\", a plug-in that reads the table")
            }
            return .csv(
                path: resolve(try string(csv, what: "data.\(table).csv")),
                schemaFrom: resolve(try string(schema, what: "data.\(table).schema")))
        }
        if let profile = source.optional("synthetic") {
            let days = try source.optional("days").map { n throws(ConfigError) in
                try integer(n, what: "data.\(table).days", in: 1...365)
            }
            let seed = try source.optional("seed").map { n throws(ConfigError) in
                try integer(n, what: "data.\(table).seed", in: 0...Int.max)
            }
            return .synthetic(
                profile: try string(profile, what: "data.\(table).synthetic"), days: days ?? 3,
                seed: UInt64(seed ?? 2026))
        }
        throw error(node, "data.\(table) needs \"csv: FILE\" or \"synthetic: PROFILE\"")
    }
}
