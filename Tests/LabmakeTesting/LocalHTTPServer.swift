import Foundation
import SystemIO
import Pipeline

/// A small HTTP/1.1 server on 127.0.0.1 for tests: serves files from memory with Range support,
/// and can answer with an error status or drop a connection part-way, to test downloads for real.
public final class LocalHTTPServer: @unchecked Sendable {
    /// What the server does with the next requests for a path.
    public enum Behaviour: Sendable {
        case serve
        /// Answer with this status and no body.
        case status(Int)
        /// Send the headers and this many body bytes, then close the connection; afterwards, serve.
        case dropAfter(Int)
        /// Ignore Range headers: always send the whole file with 200.
        case ignoreRanges
    }

    public private(set) var port: UInt16 = 0
    private let listener: Int32
    private let state = Locked((files: [String: [UInt8]](), behaviours: [String: Behaviour](), requests: [String](), stopped: false))

    public init() throws {
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw TestServerError("cannot listen on 127.0.0.1") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// Stops accepting connections; safe to call more than once (a second close could hit a
    /// descriptor number another thread has reused).
    public func stop() {
        let first = state.withLock { s -> Bool in
            defer { s.stopped = true }
            return !s.stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// The URL of a served path.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    public func serve(_ path: String, _ bytes: [UInt8]) { state.withLock { $0.files[path] = bytes } }

    public func behave(_ path: String, _ behaviour: Behaviour) { state.withLock { $0.behaviours[path] = behaviour } }

    /// Every request line so far, with its Range header if any ("GET /x bytes=10-").
    public var requests: [String] { state.withLock { $0.requests } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            Thread.detachNewThread { [self] in handle(client) }
        }
    }

    private func handle(_ client: Int32) {
        defer { close(client) }
        var request = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: Array("\r\n\r\n".utf8)) {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { return }
            request += buffer[0..<n]
        }
        let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return }
        let path = String(parts[1])
        let range = lines.first { $0.lowercased().hasPrefix("range:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
        let (file, behaviour) = state.withLock { s -> ([UInt8]?, Behaviour) in
            s.requests.append("GET \(path)" + (range.map { " " + $0 } ?? ""))
            let behaviour = s.behaviours[path] ?? .serve
            if case .dropAfter = behaviour { s.behaviours[path] = .serve }
            return (s.files[path], behaviour)
        }
        if case .status(let code) = behaviour { return send(client, status: code, headers: [:], body: []) }
        guard let file else { return send(client, status: 404, headers: [:], body: []) }
        var start = 0
        if let range, case .serve = behaviour, range.hasPrefix("bytes="), let from = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
            start = from
        } else if let range, case .dropAfter = behaviour, range.hasPrefix("bytes="), let from = Int(range.dropFirst(6).split(separator: "-").first ?? "") {
            start = from
        }
        if start >= file.count && start > 0 {
            return send(client, status: 416, headers: ["Content-Range": "bytes */\(file.count)"], body: [])
        }
        let body = Array(file[start...])
        var headers = ["Content-Length": "\(body.count)", "Accept-Ranges": "bytes"]
        if start > 0 { headers["Content-Range"] = "bytes \(start)-\(file.count - 1)/\(file.count)" }
        if case .dropAfter(let n) = behaviour {
            // Promise the whole body, send part of it, and hang up.
            send(client, status: start > 0 ? 206 : 200, headers: headers, body: Array(body.prefix(n)))
            return
        }
        send(client, status: start > 0 ? 206 : 200, headers: headers, body: body)
    }

    private func send(_ client: Int32, status: Int, headers: [String: String], body: [UInt8]) {
        var head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : status == 206 ? "Partial Content" : "Error")\r\nConnection: close\r\n"
        var headers = headers
        if headers["Content-Length"] == nil { headers["Content-Length"] = "\(body.count)" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }
}

public struct TestServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
