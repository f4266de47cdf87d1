import Foundation
import Pipeline
import SystemIO

/// A file one stage writes into its output folder and another stage reads back (`best.json`,
/// `dataset.json`, …): a `Codable` type, so that writer and reader are the same code and a renamed
/// field breaks the build, not the report.
protocol StageFile: Codable {
    /// The file's name in the stage's output folder.
    static var fileName: String { get }
    /// What kind of stage writes it, for messages: "a sweep or tune stage".
    static var writtenBy: String { get }
    /// The file's text.
    func text() throws -> String
}

extension StageFile {
    /// Canonical JSON (sorted keys) on one line.
    func text() throws -> String { try StageFileCoding.text(self) + "\n" }

    /// Writes the file into `folder`, atomically.
    func write(to folder: String, fileSystem: any FileSystem) throws {
        try fileSystem.writeText(folder + "/" + Self.fileName, try text())
    }

    /// Reads the file from the output folder `folder` (workspace-relative) under `root`.
    static func read(_ folder: String, root: String, fileSystem: any FileSystem) throws -> Self {
        let relative = PathRules.normalized(folder) + "/" + fileName
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readFile(root + "/" + relative)
        } catch {
            throw StageFailure("cannot read \(relative): is '\(folder)' the output of \(writtenBy)?")
        }
        do {
            return try StageFileCoding.decoder.decode(Self.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw StageFailure("\(relative) is not what \(writtenBy) writes: \(StageFileCoding.describe(error)); rerun that stage")
        }
    }
}

/// The JSON coding every stage file shares: sorted keys, no escaped slashes, non-finite numbers as
/// the strings `inf`, `-inf` and `nan` (as Python's `float()` reads them).
enum StageFileCoding {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()

    static func text(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A decoding error in a few words: where, and what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().trimmingCharacters(in: ["."])
        }
        switch error {
        case .keyNotFound(let key, let context): return "'\(path(context.codingPath + [key]))' is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "'\(path(context.codingPath))' has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "'\(path(context.codingPath))' is malformed"
        @unknown default: return "malformed"
        }
    }
}
