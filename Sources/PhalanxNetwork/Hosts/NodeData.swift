import Foundation
import Logging
import PhalanxCore
import PhalanxDSL
import PhalanxFederation
import PhalanxProviders

/// Loads a node's tables from its configuration. Rows stay in this process; only their shape is declared.
enum NodeData {
    static func load(_ sources: [String: ParticipantConfig.TableSource], logger: Logger) throws -> [String: LocalTable]
    {
        var tables: [String: LocalTable] = [:]
        for (name, source) in sources {
            switch source {
            case .csv(let path, let schemaFrom):
                guard let text = try? String(contentsOfFile: schemaFrom, encoding: .utf8) else {
                    throw ConfigError(
                        file: schemaFrom, line: nil, message: "cannot read the plug-in (data.\(name).schema)")
                }
                let plugin: CompiledPlugin
                do {
                    plugin = try PluginCompiler.compile(text: text, name: schemaFrom)
                } catch {
                    throw ConfigError(file: schemaFrom, line: nil, message: "\(error)")
                }
                guard let schema = plugin.ir.inputSchema.tables.first(where: { $0.name == name }) else {
                    throw ConfigError(
                        file: schemaFrom, line: nil,
                        message:
                            "\(plugin.ir.name) reads no table \"\(name)\" (it reads \(plugin.ir.inputSchema.tables.map(\.name).joined(separator: ", ")))"
                    )
                }
                tables[name] = try CSVTable.read(path: path, schema: schema)
            case .synthetic(let profileName, let days, let seed):
                guard let profile = SafetyEvents.demoProfiles.first(where: { $0.id == profileName }) else {
                    throw ConfigError(
                        file: "data.\(name)", line: nil,
                        message:
                            "no demo profile \"\(profileName)\"; known: \(SafetyEvents.demoProfiles.map(\.id).joined(separator: ", "))"
                    )
                }
                guard name == SafetyEvents.table else {
                    throw ConfigError(
                        file: "data.\(name)", line: nil, message: "synthetic data is the table \(SafetyEvents.table)")
                }
                tables[name] = try SafetyEvents.generate(profile: profile, days: days, seed: seed)
            }
            logger.info("loaded table \(name)", metadata: ["rows": "\(tables[name]?.rows.count ?? 0)"])
        }
        return tables
    }
}
