import ArgumentParser
import Datasets
import Foundation
import Pipeline
import Stages

/// `labmake data`: fetch datasets into the per-user cache.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Fetch and verify datasets into the per-user cache.",
        subcommands: [CIFAR10Command.self, MNISTCommand.self, FashionMNISTCommand.self, KMNISTCommand.self])
}

/// `labmake data cifar10`: download (or find), verify, extract and summarise CIFAR-10.
struct CIFAR10Command: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cifar10",
        abstract: "Fetch CIFAR-10 (binary version) into the cache and print a summary.",
        discussion: "The cache is $XDG_CACHE_HOME/labmake, else ~/.cache/labmake, shared by every workspace.")

    @Option(help: "Where to fetch the archive from: http, https or file URL, or a local path.")
    var url: String = CIFAR10.defaultURL

    @Option(help: "The archive's MD5 (default: the official archive's).")
    var md5: String?

    @Option(help: "The archive's SHA-256, instead of the MD5.")
    var sha256: String?

    func run() throws {
        var with: [String: ConfigValue] = ["url": .string(url)]
        if let md5 { with["md5"] = .string(md5) }
        if let sha256 { with["sha256"] = .string(sha256) }
        let source = CIFAR10Stage.source(with)
        guard source.checksum.isWellFormed else {
            throw LabmakeExit(ExitStatus.invalid, "error: '\(source.checksum.digest)' is not a valid \(source.checksum.algorithm) checksum")
        }
        let terminal = Terminal(stderr: true)
        let cache = DatasetCache(downloader: .configured)
        let folder: String
        do {
            folder = try cache.fetch(source, validate: { _ = try CIFAR10.load(from: $0, pixels: false) }, log: { terminal.print($0) },
                                     progress: { p in
                                         let line = DownloadProgressText.describe(p)
                                         if terminal.colored { terminal.handle.write(Data(("\r\u{1B}[K" + line).utf8)) }
                                     })
        } catch let error as DatasetError {
            if terminal.colored { terminal.print("") }
            let hint = CIFAR10Stage.isOffline(error) ? "\nNo network? Point it at a local copy: --url file:///path/to/cifar-10-binary.tar.gz" : ""
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)" + hint)
        }
        if terminal.colored { terminal.print("") }
        let data = try CIFAR10.load(from: folder, pixels: false)
        let trainCounts = data.train.countsPerClass(classes: data.classNames.count)
        let testCounts = data.test.countsPerClass(classes: data.classNames.count)
        print("CIFAR-10 (\(source.checksum)) in \(folder)")
        print("\(data.train.count) training and \(data.test.count) test images, \(data.classNames.count) classes:")
        let width = data.classNames.map(\.count).max() ?? 0
        for (k, name) in data.classNames.enumerated() {
            print("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(trainCounts[k]) train, \(testCounts[k]) test")
        }
    }
}

/// `labmake data mnist|fashion-mnist|kmnist`: download (or find), verify, decompress and summarise an IDX dataset.
struct IDXDataOptions: ParsableArguments {
    @Option(help: "The folder holding the four files: http, https or file URL, or a local folder (default: the official one).")
    var url: String?

    @Option(name: .customLong("sha256"), help: ArgumentHelp("A file's SHA-256, for files other than the official ones (all four).",
                                                            valueName: "FILE=DIGEST"))
    var checksums: [String] = []

    func run(_ dataset: IDXDataset) throws {
        var with: [String: ConfigValue] = [:]
        if let url { with[url.contains("://") ? "url" : "path"] = .string(url) }
        if !checksums.isEmpty {
            var digests: [String: ConfigValue] = [:]
            for item in checksums {
                guard let equals = item.firstIndex(of: "=") else { throw LabmakeExit(ExitStatus.invalid, "error: --sha256 \(item): expected FILE=DIGEST") }
                digests[String(item[..<equals])] = .string(String(item[item.index(after: equals)...]))
            }
            with["sha256"] = .object(digests)
        }
        let stage = IDXStage(dataset)
        let sources: [DatasetSource]
        do { sources = try stage.sources(with) } catch let failure as StageFailure {
            throw LabmakeExit(ExitStatus.invalid, "error: \(failure.message)")
        }
        let terminal = Terminal(stderr: true)
        let paths: [String]
        do {
            // A step's line replaces the progress line before it: four files, one progress line at a time.
            let log: (String) -> Void = { line in
                if terminal.colored { terminal.handle.write(Data("\r\u{1B}[K".utf8)) }
                terminal.print(line)
            }
            paths = try IDXDataset.fetch(sources, cache: DatasetCache(downloader: .configured), log: log,
                                         progress: { p in
                                             if terminal.colored { terminal.handle.write(Data(("\r\u{1B}[K" + DownloadProgressText.describe(p)).utf8)) }
                                         })
        } catch let error as DatasetError {
            if terminal.colored { terminal.print("") }
            throw LabmakeExit(ExitStatus.stageFailed, "error: " + stage.explain(error, pointAtFolder: "--url /path/to/folder"))
        }
        if terminal.colored { terminal.print("") }
        let data = try IDXDataset.load(from: paths, classes: dataset.classNames.count, pixels: false)
        let trainCounts = data.train.countsPerClass(classes: dataset.classNames.count)
        let testCounts = data.test.countsPerClass(classes: dataset.classNames.count)
        print("\(dataset.title) (\(data.train.shape) images) in \(paths.map { ($0 as NSString).deletingLastPathComponent }.joined(separator: ", "))")
        print("\(data.train.count) training and \(data.test.count) test images, \(dataset.classNames.count) classes:")
        let width = dataset.classNames.map(\.count).max() ?? 0
        for (k, name) in dataset.classNames.enumerated() {
            print("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(trainCounts[k]) train, \(testCounts[k]) test")
        }
    }
}

struct MNISTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mnist", abstract: "Fetch MNIST (four IDX files) into the cache and print a summary.")
    @OptionGroup var options: IDXDataOptions
    func run() throws { try options.run(.mnist) }
}

struct FashionMNISTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fashion-mnist",
                                                    abstract: "Fetch Fashion-MNIST (four IDX files) into the cache and print a summary.")
    @OptionGroup var options: IDXDataOptions
    func run() throws { try options.run(.fashionMNIST) }
}

struct KMNISTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kmnist",
                                                    abstract: "Fetch Kuzushiji-MNIST (four IDX files) into the cache and print a summary.")
    @OptionGroup var options: IDXDataOptions
    func run() throws { try options.run(.kmnist) }
}
