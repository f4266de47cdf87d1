import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 to a server on this machine (127.0.0.1) over a plain socket: what `labmake bench dashboard`
/// and the tests use to talk to `labmake serve` and to chromedriver, without Foundation's URLSession
/// (which adds hundreds of milliseconds to a large response on Linux).
public enum LoopbackHTTP {
    /// A response: its status, its headers (names lowercased) and its body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Sends one request and reads the whole response (by its length, its chunks, or to the end).
    public static func request(port: UInt16, method: String = "GET", path: String, headers: [String: String] = [:], body: Data? = nil,
                               timeout: Double = 30) throws -> Response {
        let fd = try connect(port: port, timeout: timeout)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        try send(fd, Data((head + "\r\n").utf8) + (body ?? Data()))
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }  // a signal (a child process ending) is no end of the response
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
            if let response = try? parse(data, complete: false) { return response }
        }
        return try parse(data, complete: true)
    }

    /// Opens a connection to `port` whose reads give up after `timeout` seconds.
    public static func connect(port: UInt16, timeout: Double) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port: port)
        var ok = false
        for _ in 0..<100 {
            ok = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if ok || errno != EINTR { break }
        }
        guard ok else { close(fd); throw Failure(description: "cannot connect to 127.0.0.1:\(port): errno \(errno)") }
        return fd
    }

    public static func send(_ fd: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw Failure(description: "send failed: errno \(errno)") }
                sent += n
            }
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A whole response from `data`; throws while it is incomplete, unless `complete` (the peer closed).
    static func parse(_ data: Data, complete: Bool) throws -> Response {
        guard let split = data.range(of: Data("\r\n\r\n".utf8)) else { throw Failure(description: "no complete header") }
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
                if size == 0 { break }
                let start = rest.distance(from: rest.startIndex, to: line.upperBound)
                guard rest.count >= start + size + 2 else { throw Failure(description: "chunk incomplete") }
                let chunk = Data(rest)
                decoded.append(chunk[start..<(start + size)])
                rest = Data(chunk[(start + size + 2)...])
            }
            body = decoded
        } else if !complete {
            throw Failure(description: "reading to the end")
        }
        return Response(status: status, headers: headers, body: body)
    }
}
