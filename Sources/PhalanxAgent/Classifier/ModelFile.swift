import Crypto
import Foundation

/// A trained classifier as a file: versioned, self-describing and checked, so that an agent never scores with a model
/// that is corrupt, truncated, or was trained with other features.
///
/// Layout (integers little-endian):
///
/// | Offset        | Size   | Content                                                                    |
/// |---------------|--------|----------------------------------------------------------------------------|
/// | 0             | 4      | magic `PHXM`                                                               |
/// | 4             | 2      | format version, UInt16 (``formatVersion``)                                 |
/// | 6             | 4      | header length H, UInt32 (at most 1 MiB)                                    |
/// | 10            | H      | header: UTF-8 JSON with sorted keys (below)                                |
/// | 10 + H        | 4      | parameter count P, UInt32: 2^bits weights + 1 bias                         |
/// | 14 + H        | 4P     | the weights, then the bias, Float32 (``LogisticRegression/flatParameters``) |
/// | 14 + H + 4P   | 32     | SHA-256 of every byte before it                                            |
///
/// The header holds `modelVersion`, `createdAt`, `features` (``FeatureHasher/Configuration``: bits, n-gram ranges,
/// hash seed), `training` (``TrainingConfiguration``), `calibration` (Platt a, b), `threshold`, `data`
/// (``TrainingDataSummary``) and, when known, `validation` (``ClassificationMetrics``). The creation time is the
/// caller's, not the clock's, so writing is a pure function: the same model writes the same bytes, and a model's
/// digest can be pinned in a release.
///
/// Reading checks, in order: magic, version, that the declared lengths fit the bytes exactly, the digest, the header,
/// the parameter count against the header's bits, and that every parameter is finite.
public struct ModelFile: Hashable, Sendable {
    public static let magic: [UInt8] = Array("PHXM".utf8)
    public static let formatVersion: UInt16 = 1
    /// A bound on the JSON header, so a corrupt length cannot make a reader allocate gigabytes.
    public static let maximumHeaderBytes = 1 << 20

    /// The model's release name, e.g. `"2025.1"`.
    public var modelVersion: String
    /// When the model was made, as the caller writes it (ISO 8601 recommended).
    public var createdAt: String
    public var classifier: SafetyClassifier
    public var training: TrainingConfiguration
    public var data: TrainingDataSummary
    /// The validation metrics at the classifier's threshold, when known.
    public var validation: ClassificationMetrics?

    public init(
        modelVersion: String, createdAt: String, classifier: SafetyClassifier, training: TrainingConfiguration,
        data: TrainingDataSummary, validation: ClassificationMetrics? = nil
    ) {
        self.modelVersion = modelVersion
        self.createdAt = createdAt
        self.classifier = classifier
        self.training = training
        self.data = data
        self.validation = validation
    }

    /// A model file for what ``ClassifierTrainer`` returned.
    public init(modelVersion: String, createdAt: String, classifier: SafetyClassifier, report: TrainingReport) {
        self.init(
            modelVersion: modelVersion, createdAt: createdAt, classifier: classifier,
            training: report.configuration.training, data: report.data, validation: report.validation)
    }

    /// The JSON header.
    private struct Header: Codable {
        var modelVersion: String
        var createdAt: String
        var features: FeatureHasher.Configuration
        var training: TrainingConfiguration
        var calibration: PlattCalibration
        var threshold: Double
        var data: TrainingDataSummary
        var validation: ClassificationMetrics?
    }

    // MARK: - Writing

    /// The file's bytes.
    public func write() throws(ModelFileError) -> [UInt8] {
        let header = Header(
            modelVersion: modelVersion, createdAt: createdAt, features: classifier.hasher.configuration,
            training: training, calibration: classifier.calibration, threshold: classifier.threshold, data: data,
            validation: validation)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json: [UInt8]
        do {
            json = Array(try encoder.encode(header))
        } catch {
            throw ModelFileError(.invalidHeader, "the header cannot be encoded: \(error)")
        }
        guard json.count <= Self.maximumHeaderBytes else {
            throw ModelFileError(
                .invalidHeader, "the header has \(json.count) bytes, more than \(Self.maximumHeaderBytes)")
        }
        let parameters = classifier.regression.flatParameters
        var bytes = Self.magic
        bytes.reserveCapacity(46 + json.count + 4 * parameters.count)
        Self.append(Self.formatVersion, to: &bytes)
        Self.append(UInt32(json.count), to: &bytes)
        bytes += json
        Self.append(UInt32(parameters.count), to: &bytes)
        for parameter in parameters { Self.append(parameter.bitPattern, to: &bytes) }
        return Self.sealed(bytes)
    }

    /// `body` followed by its SHA-256: the last step of writing (tests use it to build files that are corrupt in ways
    /// the digest cannot catch).
    static func sealed(_ body: [UInt8]) -> [UInt8] { body + SHA256.hash(data: body) }

    /// Writes the file atomically (a reader never sees half a model).
    public func write(toPath path: String) throws(ModelFileError) {
        let bytes = try write()
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelFileError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    // MARK: - Reading

    /// Parses and checks a model file.
    public static func read(bytes: [UInt8]) throws(ModelFileError) -> ModelFile {
        guard bytes.count >= 4 else {
            throw ModelFileError(.truncated, "\(bytes.count) bytes, too short for the magic")
        }
        guard Array(bytes[0..<4]) == magic else { throw ModelFileError(.badMagic, "the file does not start with PHXM") }
        guard bytes.count >= 10 else {
            throw ModelFileError(.truncated, "\(bytes.count) bytes, too short for the version and header length")
        }
        let version = integer(UInt16.self, in: bytes, at: 4)
        guard version == formatVersion else {
            throw ModelFileError(
                .unsupportedVersion, "format version \(version); this build reads version \(formatVersion)")
        }
        let headerLength = Int(integer(UInt32.self, in: bytes, at: 6))
        guard headerLength <= maximumHeaderBytes else {
            throw ModelFileError(
                .invalidHeader, "a header length of \(headerLength) bytes, more than \(maximumHeaderBytes)")
        }
        let countOffset = 10 + headerLength
        guard bytes.count >= countOffset + 4 else {
            throw ModelFileError(
                .truncated, "\(bytes.count) bytes, too short for a \(headerLength)-byte header and the parameter count")
        }
        let parameterCount = Int(integer(UInt32.self, in: bytes, at: countOffset))
        let digestOffset = countOffset + 4 + 4 * parameterCount
        guard bytes.count >= digestOffset + 32 else {
            throw ModelFileError(
                .truncated,
                "\(bytes.count) bytes, but the header and \(parameterCount) parameters need \(digestOffset + 32)")
        }
        guard bytes.count == digestOffset + 32 else {
            throw ModelFileError(.trailingBytes, "\(bytes.count - digestOffset - 32) bytes after the digest")
        }
        guard Array(SHA256.hash(data: bytes[0..<digestOffset])) == Array(bytes[digestOffset...]) else {
            throw ModelFileError(.digestMismatch, "the SHA-256 at offset \(digestOffset) does not match the content")
        }

        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[10..<countOffset]))
        } catch {
            throw ModelFileError(.invalidHeader, "the JSON header does not decode: \(error)")
        }
        do throws(ClassifierError) {
            try header.features.validate()
            try header.training.validate()
        } catch {
            throw ModelFileError(.invalidHeader, error.message)
        }
        guard parameterCount == header.features.dimension + 1 else {
            throw ModelFileError(
                .dimensionMismatch,
                "\(parameterCount) parameters, but bits = \(header.features.bits) needs \(header.features.dimension + 1)"
            )
        }
        var parameters = [Float](repeating: 0, count: parameterCount)
        for index in 0..<parameterCount {
            let value = Float(bitPattern: integer(UInt32.self, in: bytes, at: countOffset + 4 + 4 * index))
            guard value.isFinite else {
                throw ModelFileError(
                    .nonFiniteParameter,
                    index == parameterCount - 1 ? "the bias is not finite" : "weight \(index) is not finite")
            }
            parameters[index] = value
        }
        do throws(ClassifierError) {
            let classifier = try SafetyClassifier(
                features: header.features, regression: LogisticRegression(flatParameters: parameters),
                calibration: header.calibration, threshold: header.threshold)
            return ModelFile(
                modelVersion: header.modelVersion, createdAt: header.createdAt, classifier: classifier,
                training: header.training, data: header.data, validation: header.validation)
        } catch {
            throw ModelFileError(.invalidHeader, error.message)
        }
    }

    /// Reads and checks a model file from disk.
    public static func read(path: String) throws(ModelFileError) -> ModelFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ModelFileError(.io, "cannot read \(path): \(error.localizedDescription)")
        }
        return try read(bytes: Array(data))
    }

    /// A little-endian integer at `offset`, which the caller has checked is in bounds.
    private static func integer<Integer: FixedWidthInteger>(
        _: Integer.Type, in bytes: [UInt8], at offset: Int
    ) -> Integer {
        var value: Integer = 0
        for index in 0..<MemoryLayout<Integer>.size {
            value |= Integer(bytes[offset + index]) << (8 * index)
        }
        return value
    }
}
