#if canImport(Glibc)
import Glibc
#endif

/// Where labmake reads the time from; faked by tests.
public protocol Clock: Sendable {
    /// Seconds since the epoch.
    func now() -> Double
}

/// The system's real-time clock.
public struct SystemClock: Clock {
    public init() {}

    public func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
