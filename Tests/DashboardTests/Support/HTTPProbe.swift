import Foundation
import SystemIO
#if canImport(Glibc)
import Glibc
#endif

/// The tests' client of a server on 127.0.0.1 (``LoopbackHTTP``), with a stream read until a condition holds or
/// a deadline passes (SSE). Its calls block a thread of their own, never the concurrency pool that the server in
/// this process runs on (two cores give that pool two threads).
struct HTTPProbe: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    let port: UInt16

    /// The calls below block on a socket: they run on a thread of their own, never on the concurrency
    /// pool that the server in this process needs (two cores give that pool two threads).
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Response {
        try await request("GET", path, headers: headers, body: nil)
    }

    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data?) async throws -> Response {
        try await Self.offPool { try blockingRequest(method, path, headers: headers, body: body) }
    }

    /// Reads a streamed response until `done` holds for the text received so far, or `seconds` pass; returns the text.
    func stream(_ path: String, seconds: Double, until done: @escaping @Sendable (String) -> Bool) async throws -> String {
        try await Self.offPool { try blockingStream(path, seconds: seconds, until: done) }
    }

    func blockingRequest(_ method: String, _ path: String, headers: [String: String] = [:], body: Data?) throws -> Response {
        let response = try LoopbackHTTP.request(port: port, method: method, path: path, headers: headers, body: body, timeout: 300)
        return Response(status: response.status, headers: response.headers, body: response.text)
    }

    func blockingStream(_ path: String, seconds: Double, until done: (String) -> Bool) throws -> String {
        let fd = try LoopbackHTTP.connect(port: port, timeout: 0.1)
        defer { close(fd) }
        try LoopbackHTTP.send(fd, Data("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n".utf8))
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 8192)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { break }
            if n > 0 { text += String(decoding: buffer[0..<n], as: UTF8.self) }
            if done(text) { break }
        }
        return text
    }
}
