import PhalanxCore

/// A plug-in that parsed, type-checked and lowered to the IR every execution provider runs.
///
/// Only ``PluginCompiler/compile(_:)`` makes one, so holding a `CompiledPlugin` means the program obeys the
/// language's rules: private data leaves a node only through `secure_sum`, every summed vector is bounded, and the
/// IR validates (``PluginIR/analysis()``).
public struct CompiledPlugin: Sendable {
    /// The source it was compiled from.
    public let source: SourceFile
    public let syntax: PluginSyntax
    /// The IR: what the nodes and the aggregator execute, pinned in the manifest by its digest.
    public let ir: PluginIR
    /// Channels with their lengths and bounds, outputs, and the noise asked for.
    public let analysis: PluginAnalysis

    init(source: SourceFile, syntax: PluginSyntax, ir: PluginIR, analysis: PluginAnalysis) {
        self.source = source
        self.syntax = syntax
        self.ir = ir
        self.analysis = analysis
    }
}

/// The plug-in compiler: parse, check, lower.
public enum PluginCompiler {
    /// Compiles `source`; throws the first problem as a located ``Diagnostic``.
    public static func compile(_ source: SourceFile) throws(Diagnostic) -> CompiledPlugin {
        let syntax = try Parser.parse(source)
        var checker = Checker(source: source, syntax: syntax)
        let ir = try checker.lower()
        let analysis: PluginAnalysis
        do {
            analysis = try ir.analysis()
        } catch {
            // The checker enforces every rule the IR analysis does, with a location; reaching this is a compiler
            // bug, reported against the whole plug-in rather than hidden.
            throw Diagnostic(
                .typeMismatch, "internal compiler error: the lowered program does not validate: \(error)",
                hint: "please report this plug-in", at: syntax.name.span, in: source)
        }
        return CompiledPlugin(source: source, syntax: syntax, ir: ir, analysis: analysis)
    }

    /// Compiles the text of a file named `name`.
    public static func compile(text: String, name: String) throws(Diagnostic) -> CompiledPlugin {
        try compile(SourceFile(name: name, text: text))
    }
}
