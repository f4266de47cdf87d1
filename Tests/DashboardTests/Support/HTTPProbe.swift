import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a socket to 127.0.0.1, for tests: whole responses (content length,
/// chunked or close-delimited), and a stream read until a condition holds or a deadline passes (SSE).
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
        let fd = try connect()
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(fd, Data(head.utf8) + (body ?? Data()))
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if let response = try? Self.parse(data, complete: false) { return response }
        }
        return try Self.parse(data, complete: true)
    }

    func blockingStream(_ path: String, seconds: Double, until done: (String) -> Bool) throws -> String {
        let fd = try connect()
        defer { close(fd) }
        try send(fd, Data("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n".utf8))
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 8192)
        let deadline = Date().addingTimeInterval(seconds)
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { break }
            if n > 0 { text += String(decoding: buffer[0..<n], as: UTF8.self) }
            if done(text) { break }
        }
        return text
    }

    private func connect() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw Failure(description: "cannot connect to 127.0.0.1:\(port): errno \(errno)") }
        return fd
    }

    private func send(_ fd: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { throw Failure(description: "send failed: errno \(errno)") }
                sent += n
            }
        }
    }

    /// A whole response, or an error while it is incomplete (unless `complete`: the peer closed).
    static func parse(_ data: Data, complete: Bool) throws -> Response {
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else { throw Failure(description: "no header yet") }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[split.upperBound...])
        if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard body.count >= length else { throw Failure(description: "body incomplete") }
            body = body.prefix(length)
        } else if headers["transfer-encoding"]?.lowercased() == "chunked" {
            var decoded = Data()
            var rest = body
            while true {
                guard let line = rest.range(of: Data("\r\n".utf8)) else { throw Failure(description: "chunk incomplete") }
                let size = Int(String(decoding: rest[..<line.lowerBound], as: UTF8.self).trimmingCharacters(in: .whitespaces), radix: 16) ?? 0
                let start = line.upperBound
                if size == 0 { break }
                guard rest.count >= rest.distance(from: rest.startIndex, to: start) + size + 2 else { throw Failure(description: "chunk incomplete") }
                decoded.append(rest[start..<rest.index(start, offsetBy: size)])
                rest = Data(rest[rest.index(start, offsetBy: size + 2)...])
            }
            body = decoded
        } else if !complete {
            throw Failure(description: "reading to the end")
        }
        return Response(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }
}
