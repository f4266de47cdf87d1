import Pipeline
import SystemIO

/// Runs "commands" as Swift closures against a ``MemoryFileSystem``: the command text names a
/// script registered with ``on(_:run:)``. Records what ran, in order.
public final class FakeLauncher: ProcessLauncher, @unchecked Sendable {
    public typealias Script = (_ output: (String) -> Void) -> Int32

    private let scripts = Locked([String: Script]())
    private let interpreter: (@Sendable (String, (String) -> Void) -> Int32?)?
    /// The commands run so far, in order.
    public let ran = Locked([String]())

    /// - Parameter interpreter: runs commands that have no registered script; nil means "not found".
    public init(interpreter: (@Sendable (String, (String) -> Void) -> Int32?)? = nil) {
        self.interpreter = interpreter
    }

    /// Makes `command` run `script`; its return value is the exit status.
    public func on(_ command: String, run script: @escaping Script) {
        scripts.withLock { $0[command] = script }
    }

    public func run(_ request: ProcessRequest, control: ProcessControl?, output: @escaping @Sendable (String) -> Void) -> ProcessOutcome {
        ran.withLock { $0.append(request.command) }
        if let script = scripts.withLock({ $0[request.command] }) { return .exited(script(output)) }
        if let status = interpreter?(request.command, output) { return .exited(status) }
        return .failedToStart("no fake script for '\(request.command)'")
    }

    public func terminateAll() {}

    /// Commands run since the last call.
    public func takeRan() -> [String] {
        ran.withLock { r in
            defer { r.removeAll() }
            return r
        }
    }
}
