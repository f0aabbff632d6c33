import Hummingbird
import Logging

/// Renders every error a route throws as the API's `{"error": {"code", "message"}}` body, counts it, and logs its code.
///
/// ``APIError``s render as they are; the router's own `HTTPError`s (no such route) get the matching code; anything
/// else is a 500 whose message says nothing about its cause (the log has the error's type, not its text).
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: AgentMetrics
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let apiError: APIError
        let path = StrictJSON.printable(request.uri.path)
        do {
            return try await next(request, context)
        } catch let error as APIError {
            apiError = error
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                apiError = APIError(.notFound, "no route \(request.method) \(path); see GET /openapi.yaml")
            case .methodNotAllowed:
                apiError = APIError(.methodNotAllowed, "\(request.method) is not allowed on \(path)")
            case .contentTooLarge:
                apiError = APIError(.bodyTooLarge, "the body is too large")
            case .badRequest:
                apiError = APIError(.invalidValue, "the request is malformed")
            default:
                apiError = APIError(.internal, "the request failed (HTTP \(error.status.code))")
            }
        } catch {
            logger.error("request failed", metadata: ["path": "\(path)", "error": "\(type(of: error))"])
            apiError = APIError(.internal, "internal error")
        }
        metrics.requestError(apiError.code)
        logger.notice(
            "request refused",
            metadata: [
                "method": "\(request.method)", "path": "\(path)", "status": "\(apiError.status.code)",
                "code": "\(apiError.code.rawValue)",
            ])
        return JSONResponse.bytes(apiError.body, status: apiError.status)
    }
}
