import Hummingbird

/// Reads a request body of at most `maximumBytes`, refusing a larger one with 413 without reading it whole.
///
/// A `Content-Length` above the limit is refused before any of the body is read; a body without one (chunked) is
/// read until it passes the limit, and then refused. Either way no more than `maximumBytes` (plus one chunk) is held.
/// What the client still sends afterwards is discarded by the server, not stored.
enum RequestBodyLimit {
    static func collect(_ request: Request, maximumBytes: Int) async throws(APIError) -> [UInt8] {
        let tooLarge = APIError(.bodyTooLarge, "the body is larger than \(maximumBytes) bytes")
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length >= 0 else {
                throw APIError(.invalidValue, "the Content-Length header is not a byte count")
            }
            guard length <= maximumBytes else { throw tooLarge }
        }
        var bytes: [UInt8] = []
        do {
            for try await buffer in request.body {
                guard bytes.count + buffer.readableBytes <= maximumBytes else { throw tooLarge }
                bytes += buffer.readableBytesView
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(.invalidValue, "the body could not be read")
        }
        return bytes
    }
}
