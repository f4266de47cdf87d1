import Foundation

/// Turns Ctrl-C (SIGINT) and SIGTERM into a call, so a run can stop its commands cleanly; a second
/// Ctrl-C exits at once with status 130.
final class InterruptHandler: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let count = NSLock()
    private var received = 0

    init(_ onInterrupt: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                count.lock()
                received += 1
                let first = received == 1
                count.unlock()
                if first { onInterrupt() } else { exit(130) }
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
