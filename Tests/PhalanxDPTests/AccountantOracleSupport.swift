import Foundation
import PhalanxDP
import Testing

/// The reference values of `Vectors/dp-accounting-0.6.0.json`, written by `scripts/dp/generate_oracles.py` from
/// Google's dp-accounting 0.6.0 (add-or-remove-one neighbours).
enum AccountantOracles {
    struct Document: Decodable {
        let package: String
        let version: String
        let neighboringRelation: String
        let cases: [Case]
    }

    /// One reference value and the exact parameters it was computed with.
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let id: String
        let family: String
        let query: String
        let event: OracleEvent?
        let delta: Double?
        let epsilon: Double?
        let sigma: Double?
        let valueDiscretizationInterval: Double?
        let accountant: String?
        let mechanism: String?
        let samplingRate: Double?
        let steps: Int?
        let targetEpsilon: Double?
        let tolerance: Double?
        let expected: [String: Double]

        var testDescription: String { id }

        func expected(_ key: String) -> Double {
            guard let value = expected[key] else { fatalError("case \(id) has no expected \(key)") }
            return value
        }
    }

    /// A ``PrivacyEvent`` as the JSON file spells it.
    struct OracleEvent: Decodable, Sendable {
        let event: PrivacyEvent

        private enum Keys: String, CodingKey {
            case kind, noiseMultiplier, samplingRate, events, count, event
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            let kind = try container.decode(String.self, forKey: .kind)
            switch kind {
            case "gaussian":
                event = .gaussian(noiseMultiplier: try container.decode(Double.self, forKey: .noiseMultiplier))
            case "laplace":
                event = .laplace(noiseMultiplier: try container.decode(Double.self, forKey: .noiseMultiplier))
            case "poissonSampledGaussian":
                event = .poissonSampledGaussian(
                    samplingRate: try container.decode(Double.self, forKey: .samplingRate),
                    noiseMultiplier: try container.decode(Double.self, forKey: .noiseMultiplier))
            case "poissonSampledLaplace":
                event = .poissonSampledLaplace(
                    samplingRate: try container.decode(Double.self, forKey: .samplingRate),
                    noiseMultiplier: try container.decode(Double.self, forKey: .noiseMultiplier))
            case "composed":
                event = .composed(try container.decode([OracleEvent].self, forKey: .events).map(\.event))
            case "selfComposed":
                event = .selfComposed(
                    try container.decode(OracleEvent.self, forKey: .event).event,
                    count: try container.decode(Int.self, forKey: .count))
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .kind, in: container, debugDescription: "unknown event kind \(kind)")
            }
        }
    }

    static let vectorsURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors/dp-accounting-0.6.0.json")

    static let document: Document = {
        do {
            return try JSONDecoder().decode(Document.self, from: Data(contentsOf: vectorsURL))
        } catch {
            fatalError("cannot read \(vectorsURL.path): \(error)")
        }
    }()

    /// The cases of one family (`rdp`, `pld`, `analytic`, `calibration`).
    static func cases(_ family: String) -> [Case] {
        document.cases.filter { $0.family == family }
    }

    /// |actual − expected| / |expected| (the absolute difference when `expected` is 0).
    static func relativeError(_ actual: Double, _ expected: Double) -> Double {
        if actual == expected { return 0 }
        return expected == 0 ? abs(actual) : abs(actual - expected) / abs(expected)
    }

    /// Six significant digits: the agreement the RDP and analytic Gaussian values must reach.
    static let sixDigits = 5e-7
}
