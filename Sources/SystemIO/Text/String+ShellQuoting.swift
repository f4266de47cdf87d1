import Foundation

extension String {
    /// The string as one word for `/bin/sh`, whatever it holds: in single quotes, each `'` written `'\''`.
    public var shellQuoted: String { "'" + replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
