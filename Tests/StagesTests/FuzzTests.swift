import Foundation
import Manifest
import Pipeline
import Randomness
import Stages
import Testing
import Tuner

/// Seeded mutants of the real pipelines and search space, read as `labmake run`, `status` and `dag`
/// read them: every one is accepted or refused with a location, never a crash, a trap or a hang.
/// `benchmarks/fuzz/` runs the same mutations for longer, on the binary.
@Suite("Mutated pipelines and search spaces")
struct FuzzTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let pipelines = repository.appendingPathComponent("pipelines")

    /// One mutation of `text`, chosen by `random`.
    static func mutate(_ text: String, _ random: inout SplitMix64) -> String {
        var bytes = Array(text.utf8)
        let alphabet = Array(":-[]{}&*!|>'\"#,\n \t0123456789.e-${}params_".utf8)
        func position() -> Int { bytes.isEmpty ? 0 : Int(random.next() % UInt64(bytes.count)) }
        switch random.next() % 12 {
        case 0:  // delete a byte
            if !bytes.isEmpty { bytes.remove(at: position()) }
        case 1:  // insert a structural byte
            bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: position())
        case 2:  // duplicate a line
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let i = Int(random.next() % UInt64(max(lines.count, 1)))
            if i < lines.count { lines.insert(lines[i], at: i) }
            return lines.joined(separator: "\n")
        case 3:  // swap two lines
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count > 1 {
                lines.swapAt(Int(random.next() % UInt64(lines.count)), Int(random.next() % UInt64(lines.count)))
            }
            return lines.joined(separator: "\n")
        case 4, 9, 10, 11:  // a number becomes an extreme one (the most common way a value goes wrong)
            let extremes = ["-9223372036854775808", "9223372036854775807", "1e308", "-1e308", "1e-320", "0", "-1", "nan", ".inf", "1e30"]
            let replacement = extremes[Int(random.next() % UInt64(extremes.count))]
            let numbers = text.ranges(of: /-?\d+(\.\d+)?(e-?\d+)?/)
            if !numbers.isEmpty {
                return text.replacingCharacters(in: numbers[Int(random.next() % UInt64(numbers.count))], with: replacement)
            }
        case 5:  // truncate
            bytes = Array(bytes.prefix(position()))
        case 6:  // an alias bomb, or a deep nesting, somewhere
            let bomb = (1..<10).map { "x\($0): &x\($0) [" + Array(repeating: "*x\($0 - 1)", count: 10).joined(separator: ",") + "]" }
            let insert = random.next() % 2 == 0 ? "\nx0: &x0 lol\n" + bomb.joined(separator: "\n") + "\n"
                : "\ndeep: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n"
            bytes.insert(contentsOf: Array(insert.utf8), at: position())
        case 7:  // a key's value becomes a list or mapping
            let shapes = ["[]", "{}", "[a, [b]]", "{a: {b: c}}", "~", "''"]
            if let colon = text.range(of: ": ", range: text.index(text.startIndex, offsetBy: position() % max(text.count, 1))..<text.endIndex) {
                let end = text[colon.upperBound...].firstIndex(of: "\n") ?? text.endIndex
                return text.replacingCharacters(in: colon.upperBound..<end, with: shapes[Int(random.next() % UInt64(shapes.count))])
            }
        default:  // flip a byte
            if !bytes.isEmpty { let i = position(); bytes[i] = bytes[i] ^ UInt8(1 << (random.next() % 7)) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("mutants of the real pipelines are parsed, or refused at file:line:col", arguments: ["cifar10.yaml", "cifar10-full.yaml", "examples/hello.yaml"])
    func pipelines(file: String) throws {
        let original = try String(contentsOf: Self.pipelines.appendingPathComponent(file), encoding: .utf8)
        let root = Self.pipelines.appendingPathComponent(file).deletingLastPathComponent().path
        let loader = ManifestLoader(kinds: StageKinds.registry)
        var random = SplitMix64(seed: 20_261_205)
        var (accepted, refused) = (0, 0)
        for round in 0..<150 {
            var text = original
            for _ in 0...(random.next() % 3) { text = Self.mutate(text, &random) }
            do {
                let pipeline = try loader.parse(text, file: file, workspaceRoot: root)
                _ = pipeline.graph.mermaid
                accepted += 1
            } catch {
                refused += 1
                for diagnostic in error.diagnostics {
                    #expect(diagnostic.location != nil, "mutant \(round) of \(file) refused without a location: \(diagnostic)")
                }
            }
        }
        #expect(accepted + refused == 150)
        #expect(refused > 0, "the mutations found nothing to refuse: they are too weak to test anything")
    }

    /// Every NNI type, and a nested choice.
    static let everyType = """
        {"lr": {"_type": "loguniform", "_value": [0.0001, 0.1]}, "layers": {"_type": "randint", "_value": [1, 40]},
         "drop": {"_type": "quniform", "_value": [0, 0.5, 0.1]}, "w": {"_type": "normal", "_value": [1, 0.5]},
         "q": {"_type": "qnormal", "_value": [10, 2, 1]}, "s": {"_type": "lognormal", "_value": [0, 1]},
         "t": {"_type": "qlognormal", "_value": [1, 1, 0.5]}, "u": {"_type": "qloguniform", "_value": [1, 100, 1]},
         "opt": {"_type": "choice", "_value": [{"_name": "sgd", "momentum": {"_type": "uniform", "_value": [0.5, 0.99]}}, {"_name": "adam"}]}}
        """

    @Test("mutants of the real search space and of one with every type are sampled inside their bounds, or refused naming the file",
          arguments: ["search_space.json", "every type"])
    func searchSpaces(space: String) throws {
        let original = space == "every type" ? Self.everyType
            : try String(contentsOf: Self.pipelines.appendingPathComponent(space), encoding: .utf8)
        var random = SplitMix64(seed: space == "every type" ? 11 : 7)
        var (accepted, refused) = (0, 0)
        for round in 0..<1500 {
            var text = original
            for _ in 0...(random.next() % 3) { text = Self.mutate(text, &random) }
            do {
                let space = try SearchSpace.parse(Data(text.utf8), source: "search_space.json")
                var draw = SplitMix64(seed: UInt64(round))
                for _ in 0..<20 {
                    let configuration = space.sample(using: &draw)
                    #expect(space.violation(configuration) == nil, "mutant \(round): \(configuration.json) is outside its space")
                }
                accepted += 1
            } catch {
                refused += 1
                #expect("\(error)".hasPrefix("search_space.json"), "mutant \(round) refused without naming the file: \(error)")
            }
        }
        #expect(accepted > 0 && refused > 0, "accepted \(accepted), refused \(refused)")
    }
}
