import Foundation
import Testing
import Yams

@testable import PhalanxAgentService

/// The served OpenAPI document is the committed one, parses, and lists exactly the routes the router has.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/openapi/agent.yaml").standardized.path

    @Test("the embedded document is docs/openapi/agent.yaml")
    func embeddedIsCommitted() throws {
        #expect(try String(contentsOfFile: Self.committed, encoding: .utf8) == OpenAPIDocument.yaml)
    }

    @Test("the document is OpenAPI 3.1 and lists every route with its method, and no other")
    func routes() throws {
        let document = try #require(try Yams.load(yaml: OpenAPIDocument.yaml) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var listed: Set<String> = []
        for (path, operations) in paths {
            for method in operations.keys { listed.insert("\(method) \(path)") }
        }
        #expect(listed == Set(AgentAPI.routes.map { "\($0.method) \($0.path)" }))
        // Every error code the API can send is in the Error schema.
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let error = ((schemas?["Error"] as? [String: Any])?["properties"] as? [String: Any])?["error"] as? [String: Any]
        let code = (error?["properties"] as? [String: Any])?["code"] as? [String: Any]
        #expect(Set(code?["enum"] as? [String] ?? []) == Set(APIError.Code.allCases.map(\.rawValue)))
    }
}
