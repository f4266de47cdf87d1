import LabmakeTesting
import Pipeline
@testable import Stages
import SystemIO
import Testing
import Tuner

/// The files stages hand each other: written and read by the same types, and a damaged or foreign
/// file is refused with what is wrong, never read with silent defaults.
@Suite("Stage output files")
struct StageFileTests {
    let fs = MemoryFileSystem()

    func roundTrip<File: StageFile & Equatable>(_ file: File) throws -> File {
        try file.write(to: "/w/out", fileSystem: fs)
        return try File.read("out", root: "/w", fileSystem: fs)
    }

    @Test("every file reads back what was written")
    func roundTrips() throws {
        let split = DatasetSummary.Split(count: 3, perClass: [1, 2])
        let dataset = DatasetSummary(dataset: "cifar10", checksum: "md5:abc", source: "https://example.org/a.tar.gz", classes: ["a", "b"],
                                     seed: 4, train: split, validation: split, test: split)
        #expect(try roundTrip(dataset) == dataset)
        #expect(try fs.readText("/w/out/dataset.json").contains("\"source\":\"https://example.org/a.tar.gz\""))

        let entries = [
            TrialsFile.Entry(number: 1, key: "k1", status: .succeeded, parameters: ["lr": .double(0.1), "opt": .nested(["_name": .string("sgd")])],
                             intermediates: [0.5, .nan], reused: false, metric: 0.7, seconds: 2, error: nil, label: "baseline", parameter: nil),
            TrialsFile.Entry(number: 2, key: "k2", status: .failed, parameters: [:], intermediates: [], reused: true, metric: nil,
                             seconds: nil, error: "boom", label: nil, parameter: nil),
        ]
        let trials = try roundTrip(TrialsFile(trials: entries))
        #expect(trials.trials.count == 2)
        #expect(trials.trials[0].intermediates[1].isNaN)
        #expect(trials.trials[1] == entries[1])
        #expect(try fs.readText("/w/out/trials.json").split(separator: "\n").count == 4)

        var best = BestTrial(stage: "tune", trial: 3, metric: 0.9, direction: .minimize, parameters: ["batch_size": .int(64)],
                             sampledParameters: [:], trials: 10, succeeded: 9, trialSeconds: 12.5)
        best.tuner = "tpe"
        #expect(try roundTrip(best) == best)

        for origin in [RetrainConfig.Origin.params, .trial(stage: "tune", trial: 3, metric: 0.9)] {
            let config = RetrainConfig(parameters: ["epochs": .int(2)], from: origin, evaluatedOn: "test")
            #expect(try roundTrip(config) == config)
        }
    }

    @Test("files of the earlier dictionary writers still read")
    func earlierFormat() throws {
        try fs.writeText("/w/sweep/trials.json", """
            [
            {"error":null,"intermediates":[0.5],"key":"abc","label":"baseline","metric":0.5,"number":1,"parameter":null,"parameters":{"lr":0.1},"reused":false,"seconds":1.5,"status":"SUCCEEDED"}
            ]
            """)
        let trials = try TrialsFile.read("sweep", root: "/w", fileSystem: fs)
        #expect(trials.trials.first?.label == "baseline")
        #expect(trials.trials.first?.parameters["lr"] == .double(0.1))
        try fs.writeText("/w/retrain/config.json", #"{"evaluated_on":"test","from":"params","parameters":{"epochs":2}}"#)
        #expect(try RetrainConfig.read("retrain", root: "/w", fileSystem: fs).from == .params)
    }

    @Test("a missing, foreign or damaged file is refused with the file, what is wrong, and what to do", arguments: [
        (nil, "cannot read tune/best.json: is 'tune' the output of a sweep or tune stage?"),
        ("{\"stage\": \"tune\"}", "tune/best.json is not what a sweep or tune stage writes: 'trial' is missing; rerun that stage"),
        ("{\"stage\": \"tune\", \"trial\": \"three\"}", "tune/best.json is not what a sweep or tune stage writes: 'trial' has the wrong type"),
        ("{\"stage\": ", "tune/best.json is not what a sweep or tune stage writes: not valid JSON; rerun that stage"),
    ] as [(String?, String)])
    func damaged(content: String?, message: String) throws {
        if let content { try fs.writeText("/w/tune/best.json", content) }
        #expect(throws: StageFailure.self) { try BestTrial.read("tune", root: "/w", fileSystem: fs) }
        do {
            _ = try BestTrial.read("tune", root: "/w", fileSystem: fs)
        } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }

    @Test("the best of several sweep and tune stages, by their direction")
    func bestOfStages() throws {
        for (name, metric) in [("sweep", 0.4), ("tune", 0.2)] {
            try BestTrial(stage: name, trial: 1, metric: metric, direction: .minimize, parameters: ["x": .double(metric)],
                          sampledParameters: [:], trials: 1, succeeded: 1, trialSeconds: 1).write(to: "/w/" + name, fileSystem: fs)
        }
        let best = try TrainStage.best(of: ["sweep", "tune"], root: "/w", fileSystem: fs)
        #expect(best?.stage == "tune")
        #expect(try TrainStage.best(of: [], root: "/w", fileSystem: fs) == nil)
    }
}
