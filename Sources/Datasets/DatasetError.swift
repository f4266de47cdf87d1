/// A dataset that could not be fetched, verified, extracted or read, in words a user can act on.
public struct DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func http(_ status: Int, _ url: String) -> DatasetError {
        DatasetError("download of \(url) failed: HTTP \(status)\(status == 404 ? " (not found)" : "")")
    }

    static func checksum(_ path: String, expected: Checksum, actual: String) -> DatasetError {
        DatasetError("\(path) has \(expected.algorithm) \(actual), expected \(expected.digest): the file is damaged or not the dataset; it was removed")
    }

    static func unsafeEntry(_ entry: String, _ reason: String) -> DatasetError {
        DatasetError("refusing archive entry '\(entry)': \(reason)")
    }
}
