import ArgumentParser
import Foundation
import PhalanxDP

/// `phalanx dp windows`: simulates a TraceFed windowed release (``WindowedSafetyRelease``) on counts from a CSV
/// file, so that an operator can see what a budget policy would spend and publish.
struct DPWindowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windows",
        abstract: "Simulate a TraceFed windowed release: each window's ε, what is published, and the total spent.",
        discussion: """
            Runs an adaptive budget policy over the true counts in --counts (CSV: one line per window, one \
            non-negative integer per dimension, in --dimensions order; `-` reads standard input) as a release \
            would: each window's ε comes from --mode and is split between the dimensions by weight, and each count \
            is published with discrete Laplace noise only if the noisy count reaches --threshold. Prints one line \
            per window and the total spent against --epsilon. The guarantee is event-level (ε = --epsilon in \
            adaptive mode, the ε spent in the others): a source behind k events is protected only at k times it. \
            docs/dp-tracefed.md explains the modes and gates. Example: --mode adaptive --alert-rate 40 \
            --epsilon 2 --windows 6 --dimensions jailbreak:2,injection --threshold 10 --counts counts.csv --seed 7
            """
    )

    /// The policy's mode as named on the command line.
    enum ModeName: String, ExpressibleByArgument, CaseIterable, Encodable {
        case highAccuracy = "high-accuracy"
        case highPrivacy = "high-privacy"
        case adaptive
    }

    /// The thresholded release's gate as named on the command line.
    enum GateName: String, ExpressibleByArgument, CaseIterable, Encodable {
        case postProcessing = "post-processing"
        case separate
    }

    @Option(
        name: .long,
        help: """
            high-accuracy (spend --epsilon evenly), high-privacy (spend half of it evenly) or adaptive (half the \
            even share in a quiet window, twice the even share after a window whose released rate exceeded \
            --alert-rate).
            """)
    var mode: ModeName

    @Option(
        name: .long, parsing: .unconditional,
        help: """
            Adaptive mode only (required there): the released incident rate (the sum of a window's published \
            values) above which the next window spends more.
            """)
    var alertRate: Double?

    @Option(name: .long, parsing: .unconditional, help: "The total ε for all windows and dimensions (> 0).")
    var epsilon: Double

    @Option(name: .long, help: "The number of windows the budget covers (≥ 1; default: the lines in --counts).")
    var windows: Int?

    @Option(
        name: .long,
        help: """
            The safety dimensions, name[:weight],... in the order of the CSV columns; a dimension's share of each \
            window's ε is its weight over the sum (default weight 1).
            """)
    var dimensions = "all"

    @Option(name: .long, parsing: .unconditional, help: "A noisy count is published only if it is at least this.")
    var threshold: Double

    @Option(
        name: .long,
        help: """
            post-processing (the published noisy value itself is compared with --threshold; costs nothing extra) \
            or separate (an independent noisy count with --gate-epsilon decides).
            """)
    var gate: GateName = .postProcessing

    @Option(
        name: .long, parsing: .unconditional,
        help: "With --gate separate: the gate's ε, taken out of each dimension's share in every window.")
    var gateEpsilon: Double?

    @Option(name: .long, help: "The true counts: a CSV file, one line per window, or - for standard input.")
    var counts: String

    @Option(
        name: .long,
        help: """
            Hexadecimal, up to 64 digits: draw the noise from a seeded generator so the output is reproducible. \
            Anyone with the seed can remove the noise: for simulations only. Default: the system's secure \
            generator.
            """)
    var seed: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws {
        try DPValidation.requirePositive(epsilon, "--epsilon")
        switch (mode, alertRate) {
        case (.adaptive, nil):
            throw ValidationError("--mode adaptive needs --alert-rate R, the released rate that triggers more ε")
        case (.adaptive, let rate?) where !rate.isFinite:
            throw ValidationError("--alert-rate must be a finite number, got \(rate)")
        case (.highAccuracy, _?), (.highPrivacy, _?):
            throw ValidationError("--alert-rate applies to --mode adaptive only")
        default: break
        }
        if let windows, windows < 1 { throw ValidationError("--windows must be at least 1, got \(windows)") }
        _ = try Self.parseDimensions(dimensions)
        guard threshold.isFinite else { throw ValidationError("--threshold must be a finite number, got \(threshold)") }
        switch (gate, gateEpsilon) {
        case (.separate, nil):
            throw ValidationError("--gate separate needs --gate-epsilon E, the ε of the gate's own noisy count")
        case (.separate, let epsilon?):
            try DPValidation.requirePositive(epsilon, "--gate-epsilon")
        case (.postProcessing, _?):
            throw ValidationError("--gate-epsilon applies to --gate separate only; a post-processing gate costs no ε")
        default: break
        }
        if let seed { _ = try Self.parseSeed(seed) }
    }

    // MARK: - Report

    /// What `dp windows --json` prints (docs/dp-tracefed.md).
    struct Report: Encodable, Equatable {
        struct Dimension: Encodable, Equatable {
            var name: String
            var weight: Double
        }

        /// One dimension's release in one window.
        struct Release: Encodable, Equatable {
            var dimension: String
            /// The ε charged: the value's and the gate's, whether or not the value was published.
            var epsilon: Double
            var valueEpsilon: Double
            var gateEpsilon: Double
            /// The published noisy count, or `nil` (JSON `null`) if suppressed.
            var released: Int64?

            enum CodingKeys: String, CodingKey { case dimension, epsilon, valueEpsilon, gateEpsilon, released }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(dimension, forKey: .dimension)
                try container.encode(epsilon, forKey: .epsilon)
                try container.encode(valueEpsilon, forKey: .valueEpsilon)
                try container.encode(gateEpsilon, forKey: .gateEpsilon)
                try container.encode(released, forKey: .released)
            }
        }

        /// One window.
        struct Window: Encodable, Equatable {
            /// The window's number from 1: the line of the counts file.
            var window: Int
            /// Adaptive mode: whether the previous window's released rate exceeded the alert rate.
            var afterAlert: Bool
            var releases: [Release]
            /// The window's ε, the sum of its releases' ε.
            var epsilon: Double
            /// The ε spent by this window and all before it.
            var spent: Double
            /// The sum of the published values (a suppressed value counting as zero): what adaptive mode reads.
            var releasedRate: Double
        }

        var mode: ModeName
        /// Adaptive mode's alert rate; `nil` (JSON `null`) in the other modes.
        var alertRate: Double?
        var totalEpsilon: Double
        /// The number of windows the budget covers.
        var windows: Int
        var dimensions: [Dimension]
        var threshold: Double
        var gate: GateName
        /// The separate gate's ε per dimension and window; `nil` (JSON `null`) for a post-processing gate.
        var gateEpsilon: Double?
        /// Whether the noise came from a seeded generator (`--seed`).
        var seeded: Bool
        /// The windows simulated, one per line of the counts file.
        var results: [Window]
        var spent: Double
        /// `totalEpsilon − spent`: never spent by the windows simulated.
        var unspent: Double
        /// The event-level ε the run is guaranteed: `totalEpsilon` in adaptive mode (the spend there depends on
        /// released values; the pre-fixed total bounds every run), `spent` in the even modes (it does not).
        var guaranteedEpsilon: Double

        enum CodingKeys: String, CodingKey {
            case mode, alertRate, totalEpsilon, windows, dimensions, threshold, gate, gateEpsilon, seeded, results,
                spent, unspent, guaranteedEpsilon
        }

        func encode(to encoder: any Encoder) throws {
            // Explicit nulls: the object has the same keys whatever the mode and gate.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(mode, forKey: .mode)
            try container.encode(alertRate, forKey: .alertRate)
            try container.encode(totalEpsilon, forKey: .totalEpsilon)
            try container.encode(windows, forKey: .windows)
            try container.encode(dimensions, forKey: .dimensions)
            try container.encode(threshold, forKey: .threshold)
            try container.encode(gate, forKey: .gate)
            try container.encode(gateEpsilon, forKey: .gateEpsilon)
            try container.encode(seeded, forKey: .seeded)
            try container.encode(results, forKey: .results)
            try container.encode(spent, forKey: .spent)
            try container.encode(unspent, forKey: .unspent)
            try container.encode(guaranteedEpsilon, forKey: .guaranteedEpsilon)
        }

        var text: String {
            let modeText =
                switch mode {
                case .adaptive: "adaptive mode (alert rate \(Self.number(alertRate ?? 0)))"
                case .highAccuracy, .highPrivacy: "\(mode.rawValue) mode"
                }
            let gateText =
                switch gateEpsilon {
                case let epsilon?:
                    "separate gate, ε \(Self.amount(epsilon)) of each share decides (charged even when suppressed)"
                case nil: "post-processing gate (the published noisy value decides; no extra ε)"
                }
            let weights = dimensions.map { "\($0.name) (weight \(Self.number($0.weight)))" }
            var out = """
                policy:     \(modeText), ε \(Self.amount(totalEpsilon)) over \(windows) \
                window\(windows == 1 ? "" : "s")
                dimensions: \(weights.joined(separator: ", "))
                release:    threshold \(Self.number(threshold)), \(gateText)
                noise:      \(seeded ? "seeded (reproducible: for simulations only)" : "system secure generator")


                """
            let adaptive = mode == .adaptive
            var header = ["window"]
            for dimension in dimensions { header += ["\(dimension.name) ε", dimension.name] }
            header += ["window ε", "spent ε", "released rate"]
            if adaptive { header.append("after alert") }
            var rows = [header]
            for window in results {
                var row = [String(window.window)]
                for release in window.releases {
                    row += [Self.epsilon(release.epsilon), release.released.map(String.init) ?? "suppressed"]
                }
                row += [Self.epsilon(window.epsilon), Self.epsilon(window.spent), Self.number(window.releasedRate)]
                if adaptive { row.append(window.afterAlert ? "yes" : "no") }
                rows.append(row)
            }
            out += Self.table(rows)
            let guaranteeReason =
                mode == .adaptive
                ? "adaptive: the pre-fixed total; this run's loss ≤ \(Self.epsilon(spent))"
                : "the even modes' spend is fixed in advance"
            let simulated = results.count == windows ? "" : " (\(results.count) of \(windows) windows simulated)"
            out += """

                spent \(Self.epsilon(spent)) of ε \(Self.amount(totalEpsilon))\(simulated); \
                \(Self.epsilon(unspent)) unspent
                guarantee: ε \(Self.epsilon(guaranteedEpsilon)) per event (\(guaranteeReason))
                           a source behind k events is protected only at k × \(Self.epsilon(guaranteedEpsilon))

                """
            return out
        }

        /// ε with six decimals (the budget's unit is 10⁻⁶).
        static func epsilon(_ value: Double) -> String { String(format: "%.6f", value) }

        /// A budget as given, without trailing zeros (`2`, `0.05`).
        static func amount(_ value: Double) -> String {
            EpsilonAmount(roundingDown: value)?.description ?? String(value)
        }

        /// A number without a trailing `.0`.
        static func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }

        /// Right-aligned columns, two spaces apart.
        static func table(_ rows: [[String]]) -> String {
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            return rows.map { row in
                row.enumerated().map { column, cell in
                    String(repeating: " ", count: widths[column] - cell.count) + cell
                }.joined(separator: "  ") + "\n"
            }.joined()
        }
    }

    // MARK: - Running

    /// Reads the counts, runs the release and collects the report; nothing is printed.
    ///
    /// - Parameter standardInput: what `--counts -` reads.
    func report(
        standardInput: () -> [UInt8] = { [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
    ) throws -> Report {
        let dimensionList = try Self.parseDimensions(dimensions)
        let file = counts == "-" ? "<stdin>" : counts
        let bytes = counts == "-" ? standardInput() : try Files.read(counts, what: "counts file")
        let rows = try Self.parseCounts(bytes, file: file, dimensions: dimensionList.map(\.name))
        let windowCount = windows ?? rows.count
        if rows.count > windowCount {
            throw CLIError(
                .malformedInput,
                "\(file):\(windowCount + 1):1: window \(windowCount + 1) is past the policy's \(windowCount) "
                    + "window\(windowCount == 1 ? "" : "s")",
                hint: "give --windows \(rows.count), or drop the extra lines")
        }

        var release: WindowedSafetyRelease
        do throws(DPError) {
            let policyMode: AdaptiveBudgetPolicy.Mode =
                switch mode {
                case .highAccuracy: .highAccuracy
                case .highPrivacy: .highPrivacy
                case .adaptive: .adaptive(alertRate: alertRate ?? 0)
                }
            let policy = try AdaptiveBudgetPolicy(
                mode: policyMode, totalEpsilon: epsilon, windows: windowCount, dimensions: dimensionList)
            let releaseGate: ThresholdedRelease.Gate = gateEpsilon.map { .separate(epsilon: $0) } ?? .postProcessing
            release = try WindowedSafetyRelease(policy: policy, threshold: threshold, gate: releaseGate)
        } catch {
            throw Self.usageError(error)
        }

        do {
            if let seed {
                var source = try SeededSecureRandom(seed: try Self.parseSeed(seed))
                try Self.run(&release, rows, using: &source)
            } else {
                var source = SecureRandom()
                try Self.run(&release, rows, using: &source)
            }
        } catch {
            // The rows were checked against the policy above; a refusal here is a bug.
            throw CLIError(.internalError, "the release refused checked input: \(error)")
        }
        return makeReport(release)
    }

    private static func run(
        _ release: inout WindowedSafetyRelease, _ rows: [[Int64]],
        using source: inout some RandomBitSource & ~Copyable
    ) throws(DPError) {
        for row in rows { _ = try release.release(counts: row, using: &source) }
    }

    private func makeReport(_ release: WindowedSafetyRelease) -> Report {
        let policy = release.policy
        var previousRate: Double?
        let results = release.windows.map { window in
            defer { previousRate = window.releasedRate }
            // What the policy read: the previous window's released rate against the alert rate.
            let afterAlert = mode == .adaptive && (previousRate ?? -.infinity) > (alertRate ?? .infinity)
            return Report.Window(
                window: window.index + 1, afterAlert: afterAlert,
                releases: window.dimensions.map {
                    Report.Release(
                        dimension: $0.name, epsilon: $0.epsilon.value, valueEpsilon: $0.result.valueEpsilon.value,
                        gateEpsilon: $0.result.gateEpsilon.value, released: $0.outcome.value)
                },
                epsilon: window.epsilon.value, spent: window.spent.value, releasedRate: window.releasedRate)
        }
        return Report(
            mode: mode, alertRate: mode == .adaptive ? alertRate : nil, totalEpsilon: policy.total.value,
            windows: policy.windows, dimensions: policy.dimensions.map { .init(name: $0.name, weight: $0.weight) },
            threshold: threshold, gate: gate,
            gateEpsilon: gateEpsilon.flatMap(EpsilonAmount.init(roundingDown:))?.value,
            seeded: seed != nil, results: results, spent: release.spent.value,
            unspent: policy.total.subtractingClamped(release.spent).value,
            guaranteedEpsilon: mode == .adaptive ? policy.total.value : release.spent.value)
    }

    func run() async throws {
        try await reportingErrors {
            let report = try report()
            if json { return try DPCommand.printJSON(report) }
            print(report.text, terminator: "")
        }
    }

    // MARK: - Parsing

    /// `name[:weight],...` as the policy's dimensions.
    static func parseDimensions(_ text: String) throws -> [AdaptiveBudgetPolicy.Dimension] {
        var result: [AdaptiveBudgetPolicy.Dimension] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else {
                throw ValidationError(
                    "--dimensions: every dimension needs a name, as name[:weight],... (got \"\(text)\")")
            }
            var weight = 1.0
            if parts.count == 2 {
                let field = parts[1].trimmingCharacters(in: .whitespaces)
                guard let value = Double(field), value.isFinite, value > 0 else {
                    throw ValidationError(
                        "--dimensions: the weight of \(name) must be a finite number > 0, got \"\(field)\"")
                }
                weight = value
            }
            guard !result.contains(where: { $0.name == name }) else {
                throw ValidationError("--dimensions: \(name) appears twice; names must be unique")
            }
            result.append(.init(name: name, weight: weight))
        }
        return result
    }

    /// Up to 64 hexadecimal digits (an optional `0x`), read as a 256-bit big-endian number: the 32-byte seed.
    static func parseSeed(_ text: String) throws -> [UInt8] {
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
        guard (1...64).contains(digits.count), digits.allSatisfy(\.isHexDigit) else {
            throw ValidationError("--seed must be 1 to 64 hexadecimal digits, got \"\(text)\"")
        }
        let padded = String(repeating: "0", count: 64 - digits.count) + digits
        var bytes: [UInt8] = []
        var index = padded.startIndex
        while index < padded.endIndex {
            let next = padded.index(index, offsetBy: 2)
            bytes.append(UInt8(padded[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// The counts CSV: one line per window, one non-negative integer per dimension, separated by commas (spaces
    /// around a number are allowed; a final newline is optional; CRLF is accepted). A problem is reported as
    /// `FILE:LINE:COLUMN: what is wrong`, exit 65.
    static func parseCounts(_ bytes: [UInt8], file: String, dimensions: [String]) throws -> [[Int64]] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CLIError(.malformedInput, "\(file): not UTF-8 text")
        }
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else {
            throw CLIError(
                .malformedInput, "\(file): no windows; expected one line per window",
                hint: "write one line of \(dimensions.count) comma-separated counts per window")
        }
        let expected =
            "\(dimensions.count) count\(dimensions.count == 1 ? "" : "s") (one per dimension: "
            + "\(dimensions.joined(separator: ", ")))"
        var rows: [[Int64]] = []
        for (lineIndex, line) in lines.enumerated() {
            let place = "\(file):\(lineIndex + 1)"
            func fail(_ column: Int, _ problem: String) -> CLIError {
                CLIError(.malformedInput, "\(place):\(column): \(problem)")
            }
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                throw fail(1, "empty line; expected \(expected)")
            }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            // The column (from 1, in characters) where each field starts.
            var starts: [Int] = []
            var column = 1
            for field in fields {
                starts.append(column)
                column += field.count + 1
            }
            guard fields.count == dimensions.count else {
                let at = fields.count > dimensions.count ? starts[dimensions.count] : line.count + 1
                throw fail(at, "expected \(expected), found \(fields.count)")
            }
            var row: [Int64] = []
            for (field, start) in zip(fields, starts) {
                let leading = field.prefix { $0 == " " || $0 == "\t" }.count
                let value = field.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r"))
                let at = start + leading
                if value.isEmpty { throw fail(start, "missing count") }
                guard let count = Int64(value) else {
                    let digits = value.dropFirst(value.first == "-" || value.first == "+" ? 1 : 0)
                    if !digits.isEmpty && digits.allSatisfy(\.isASCIIDigit) {
                        throw fail(at, "\(value) is out of range; a count is at most \(Int64.max)")
                    }
                    throw fail(at, "\"\(value)\" is not a whole number; a count is a number of events")
                }
                guard count >= 0 else { throw fail(at, "\(value) is negative; a count is a number of events (≥ 0)") }
                row.append(count)
            }
            rows.append(row)
        }
        return rows
    }

    /// A ``DPError`` from the policy or the release as a usage error naming this command's option.
    static func usageError(_ error: DPError) -> CLIError {
        let options = [
            "totalEpsilon": "--epsilon", "windows": "--windows", "dimensions": "--dimensions",
            "alertRate": "--alert-rate", "threshold": "--threshold", "gateEpsilon": "--gate-epsilon",
        ]
        guard let parameter = error.parameter, let option = options[parameter] else {
            return DPValidation.usageError(error)
        }
        let hint: String? =
            switch parameter {
            case "totalEpsilon": "raise --epsilon, use fewer --windows, or give the dimensions more even weights"
            case "gateEpsilon": "lower --gate-epsilon, or raise --epsilon so that every share is larger"
            default: nil
            }
        return CLIError(.usage, "\(option): \(error.message)", hint: hint)
    }
}

extension Character {
    /// `0`–`9` only (not other scripts' digits).
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
