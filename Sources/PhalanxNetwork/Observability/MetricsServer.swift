import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import PhalanxCore
import ServiceLifecycle

/// A plain-HTTP `/metrics` endpoint for Prometheus to scrape (and `/healthz`), as a lifecycle service.
///
/// It serves figures only, no federation data, which is why it is not behind mutual TLS; bind it to an address
/// only the monitoring network reaches.
public struct MetricsServer: Service {
    let address: NetworkAddress
    let metrics: NetworkMetrics
    let logger: Logger

    public init(address: NetworkAddress, metrics: NetworkMetrics, logger: Logger) {
        self.address = address
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        let metrics = metrics
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(MetricsHandler(metrics: metrics))
                }
            }
            .bind(host: address.host, port: address.port).get()
        logger.info("metrics endpoint listening", metadata: ["address": "http://\(address)/metrics"])
        try await withGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

private final class MetricsHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let metrics: NetworkMetrics
    private var path = ""

    init(metrics: NetworkMetrics) { self.metrics = metrics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = head.method == .GET ? head.uri : ""
        case .body: break
        case .end:
            let (status, body, type): (HTTPResponseStatus, String, String) =
                switch path {
                case "/metrics": (.ok, metrics.exposition(), "text/plain; version=0.0.4; charset=utf-8")
                case "/healthz": (.ok, "ok\n", "text/plain")
                default: (.notFound, "not found: GET /metrics or /healthz\n", "text/plain")
                }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: "\(body.utf8.count)")
            headers.add(name: "Connection", value: "close")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))),
                promise: nil)
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
