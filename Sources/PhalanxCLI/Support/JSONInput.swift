import Foundation

/// Decodes JSON input files with errors that name the file and the place.
enum JSONInput {
    /// Decodes `bytes`, the whole of `file` or, for JSON-lines files, its line `line` (1-based).
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String, line: Int? = nil) throws -> T {
        let place = line.map { "\(file):\($0)" } ?? file
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                let syntax = syntaxError(in: bytes, line: line)
            {
                throw CLIError(.malformedInput, "\(file):\(syntax)")
            }
            throw CLIError(.malformedInput, "\(place): \(describe(error))")
        } catch {
            throw CLIError(.malformedInput, "\(place): \(error.localizedDescription)")
        }
    }

    /// `LINE:COLUMN: not valid JSON: …` for a syntax error. JSONDecoder does not say where the error is;
    /// JSONSerialization gives a character offset, which is turned into a line and a column here.
    static func syntaxError(in bytes: [UInt8], line firstLine: Int? = nil) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            return nil
        } catch {
            let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            guard let range = text.range(of: "around character "),
                let offset = Int(text[range.upperBound...].prefix(while: \.isNumber))
            else { return (firstLine.map { "\($0):" } ?? "") + " not valid JSON: \(text)" }
            let prefix = bytes.prefix(offset)
            let line = prefix.filter { $0 == UInt8(ascii: "\n") }.count + (firstLine ?? 1)
            let column = offset - (prefix.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            let problem = text.replacingOccurrences(of: " around character \(offset).", with: "")
            return "\(line):\(column): not valid JSON: \(problem.prefix(1).lowercased() + problem.dropFirst())"
        }
    }

    /// `$.a.b[2]`-style path of a decoding error plus what went wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("$") { p, k in k.intValue.map { "\(p)[\($0)]" } ?? "\(p).\(k.stringValue)" }
        }
        switch error {
        case .dataCorrupted(let context):
            // Syntax errors carry a line and column in the underlying error's description.
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            if context.codingPath.isEmpty {
                return "not valid JSON: \(underlying ?? context.debugDescription)"
            }
            return "at \(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "at \(path(context.codingPath)): missing required field \"\(key.stringValue)\""
        case .typeMismatch(let type, let context):
            return "at \(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "at \(path(context.codingPath)): expected \(typeName(type)), found null"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default:
            "\(type)".contains("Array")
                ? "a list" : (("\(type)".contains("Dictionary")) ? "an object" : "a value of type \(type)")
        }
    }
}
