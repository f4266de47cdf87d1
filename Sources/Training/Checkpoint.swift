import Compute
import Foundation
import NN
import SystemIO

/// Everything a killed run needs to resume exactly: weights, buffers, optimizer state, the epochs done
/// and their metrics, and the run's random state, in one safetensors file written atomically.
public struct Checkpoint {
    public var parameters: [String: Tensor]
    public var buffers: [String: Tensor]
    public var optimizerState: [String: [Float]]
    /// Epochs completed.
    public var epoch: Int
    public var history: [EpochMetrics]
    /// The training configuration it belongs to (resuming under another one is refused).
    public var configuration: TrainingConfig
    public var randomState: UInt64

    public func write(to path: String, fileSystem: any FileSystem = LocalFileSystem()) throws {
        var entries: [String: SafeTensors.Entry] = [:]
        for (name, t) in parameters { entries["model." + name] = .init(shape: t.shape.dims, values: t.values) }
        for (name, t) in buffers { entries["buffer." + name] = .init(shape: t.shape.dims, values: t.values) }
        for (name, v) in optimizerState { entries["optimizer." + name] = .init(shape: [v.count], values: v) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metadata = [
            "format": "labmake-checkpoint-1", "epoch": String(epoch), "random_state": String(randomState),
            "history": String(decoding: try encoder.encode(history), as: UTF8.self),
            "config": String(decoding: try encoder.encode(configuration), as: UTF8.self),
        ]
        try fileSystem.writeFile(path, Array(try SafeTensors.encode(entries, metadata: metadata)))
    }

    public static func read(from path: String, fileSystem: any FileSystem = LocalFileSystem()) throws -> Checkpoint {
        let data = Data(try fileSystem.readFile(path))
        let (entries, metadata) = try SafeTensors.decode(data, path: path)
        func field(_ name: String) throws -> String {
            guard let v = metadata[name] else { throw TrainingError("\(path) is not a labmake checkpoint: no '\(name)' in its metadata") }
            return v
        }
        guard try field("format") == "labmake-checkpoint-1", let epoch = Int(try field("epoch")),
              let randomState = UInt64(try field("random_state")) else {
            throw TrainingError("\(path) is not a labmake checkpoint this version can read")
        }
        let decoder = JSONDecoder()
        let history = try decoder.decode([EpochMetrics].self, from: Data(try field("history").utf8))
        let configuration = try decoder.decode(TrainingConfig.self, from: Data(try field("config").utf8))
        var checkpoint = Checkpoint(parameters: [:], buffers: [:], optimizerState: [:], epoch: epoch, history: history,
                                    configuration: configuration, randomState: randomState)
        for (name, entry) in entries {
            if name.hasPrefix("model.") { checkpoint.parameters[String(name.dropFirst(6))] = Tensor(entry.values, shape: Shape(entry.shape)) }
            if name.hasPrefix("buffer.") { checkpoint.buffers[String(name.dropFirst(7))] = Tensor(entry.values, shape: Shape(entry.shape)) }
            if name.hasPrefix("optimizer.") { checkpoint.optimizerState[String(name.dropFirst(10))] = entry.values }
        }
        return checkpoint
    }
}
