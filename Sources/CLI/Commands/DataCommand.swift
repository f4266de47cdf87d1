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
        subcommands: [CIFAR10Command.self])
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
