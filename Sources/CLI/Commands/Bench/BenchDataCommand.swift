import ArgumentParser
import Datasets
import Foundation
import Pipeline
import Randomness
import Training

/// `labmake bench data`: how fast the training data loader prepares batches.
struct BenchDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Measure how fast the data loader prepares training batches.",
        discussion: """
            Training reads its batches from a loader that shuffles, crops, flips, applies cutout and \
            normalises on one background thread, up to two batches ahead of the step. This drains it \
            over random CIFAR-sized images with nothing else running and prints the images/s it \
            sustains (median of --rounds epochs) and its cost per image. The loader is never the \
            bottleneck while this figure is above `labmake bench train`'s images/s; its share of one \
            core during training is the training rate over this one.
            """)

    @Option(help: "Images per epoch.")
    var images = 10_000

    @Option(help: "Batch size.")
    var batch = 128

    @Option(help: "Epochs timed; the median is printed.")
    var rounds = 5

    @Flag(inversion: .prefixedNo, help: "Random 4-pixel crops and horizontal flips.")
    var cropAndFlip = true

    @Option(help: "Side of the cutout square (0: none).")
    var cutout = 16

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard images > 0, batch > 0, rounds > 0 else { throw ValidationError("--images, --batch and --rounds must be positive") }
        guard (0...32).contains(cutout) else { throw ValidationError("--cutout must be between 0 and 32 (the image side)") }
    }

    func run() throws {
        var random = SplitMix64(seed: 1)
        let shape = ImageShape.cifar
        let pixels = (0..<(images * shape.bytes)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        let labels = (0..<images).map { _ in UInt8(random.next() % 10) }
        let data = LabeledImages(shape: shape, pixels: pixels, labels: labels)
        let (mean, std) = Augmentation.statistics(of: data, indices: Array(0..<images))
        let augmentation = Augmentation(mean: mean, std: std, cropAndFlip: cropAndFlip, cutout: cutout)
        var seconds: [Double] = []
        for round in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            let loader = BatchLoader(images: data, indices: Array(0..<images), batchSize: batch, augmentation: augmentation,
                                     training: true, random: SplitMix64(seed: UInt64(round)))
            var seen = 0
            while let b = loader.next() { seen += b.count }
            guard seen == images else {
                throw LabmakeExit(ExitStatus.stageFailed, "error: the loader delivered \(seen) of \(images) images")
            }
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let median = seconds.sorted()[seconds.count / 2]
        let rate = Double(images) / median
        if json {
            print(ConfigValue.object([
                "images": .int(images), "batch": .int(batch), "crop_and_flip": .bool(cropAndFlip), "cutout": .int(cutout),
                "images_per_second": .double((rate * 10).rounded() / 10),
                "microseconds_per_image": .double((median / Double(images) * 1e7).rounded() / 10),
            ]).canonicalJSON)
        } else {
            let steps = [cropAndFlip ? "crop and flip" : nil, cutout > 0 ? "cutout \(cutout)" : nil].compactMap { $0 }
            print("data loader, \(images) CIFAR-sized images, batch \(batch), \(steps.isEmpty ? "no augmentation" : steps.joined(separator: ", "))")
            print(String(format: "%.0f img/s on its one thread, %.1f µs an image (median of %d epochs)", rate, median / Double(images) * 1e6, rounds))
        }
    }
}
