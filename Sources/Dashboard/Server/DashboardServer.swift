import FlyingFox
import FlyingSocks
import Foundation
import Pipeline
import Stages
import SystemIO
import Tuner

/// `labmake serve`: the dashboard's HTTP server. Pages are HTML with server-drawn SVG charts; `/events`
/// pushes a change to every open page (see ``ChangeFeed``); nothing it serves comes from elsewhere, and
/// it only reads the workspace — but for the requests of `--control` (``ControlChannel``), which it queues
/// for the run to answer.
public final class DashboardServer: Sendable {
    let reader: WorkspaceReader
    let feed: ChangeFeed
    private let server: HTTPServer

    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - host: the IPv4 address to listen on (`127.0.0.1`: this machine only; `0.0.0.0`: every interface).
    ///   - port: 0 for any free port.
    ///   - control: the channel of `--control` requests; nil: the dashboard changes nothing.
    ///   - urlPrefix: the path a reverse proxy serves the dashboard under (`/lab`), or empty.
    public init(reader: WorkspaceReader, pipeline: PipelineStateSource?, host: String, port: UInt16, control: ControlChannel? = nil,
                urlPrefix: String = "") throws {
        self.reader = reader
        feed = ChangeFeed(reader: reader, pipelineSource: pipeline)
        let address: sockaddr_in
        do { address = try .inet(ip4: host, port: port) } catch {
            throw StartError(description: "'\(host)' is not an IPv4 address (use 127.0.0.1, or 0.0.0.0 for every interface)")
        }
        let routes = Routes(reader: reader, feed: feed, control: control, prefix: urlPrefix)
        server = HTTPServer(address: address, timeout: 60, logger: .disabled, handler: routes)
    }

    /// Starts listening and returns the port (the chosen one when asked for 0). Serves until ``stop()``.
    public func start() async throws -> UInt16 {
        feed.run()
        // Decode every experiment's trials now, latest first, so that the first page opened finds them ready.
        let reader = self.reader
        Thread {
            for experiment in (try? reader.experiments()) ?? [] { _ = try? reader.trials(experiment: experiment.name) }
        }.start()
        let server = self.server
        let failure = Locked<(any Error)?>(nil)
        Task {
            do { try await server.run() } catch { failure.withLock { $0 = error } }
        }
        // The server's own wait would sit out its timeout when binding fails (the port is taken): watch for either.
        let deadline = Date().addingTimeInterval(10)
        while await !server.isListening {
            if let error = failure.withLock({ $0 }) { throw StartError(description: "could not listen: \(error)") }
            guard Date() < deadline else { throw StartError(description: "the server did not start listening within 10 s") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            throw StartError(description: "the server is not listening")
        }
        return port
    }

    public func stop() async {
        feed.stop()
        await server.stop(timeout: 1)
    }
}
