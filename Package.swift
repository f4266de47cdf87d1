// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "labmake",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "labmake", targets: ["labmake"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
    ],
    targets: [
        // MARK: - The command line

        /// `labmake`: the executable; everything it does is in CLI.
        .executableTarget(
            name: "labmake",
            dependencies: ["CLI"],
            swiftSettings: strict),
        /// The subcommands: parse, call Stages, Manifest and Pipeline, print.
        .target(
            name: "CLI",
            dependencies: [
                "Stages", "Dashboard", "NNI", "Manifest", "Pipeline", "SystemIO", "Executors", "Datasets", "Compute", "ComputeCPU", "ComputeVulkan",
                "ComputeDevices", "NN", "Training", "Tuner", "Randomness",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),

        // MARK: - Where the executor meets the stage kinds

        /// The built-in stage kinds (cifar10, sweep, tune, train, report) and their typed output files;
        /// command trials on an executor. The only place where the engine and the ML targets meet.
        .target(
            name: "Stages",
            dependencies: ["Pipeline", "SystemIO", "Executors", "Datasets", "Tuner", "Training", "NNI", "Compute", "ComputeDevices", "Randomness", "Report",
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),

        // MARK: - The dashboard

        /// `labmake serve`: a read-only live dashboard over a workspace (HTML pages, SVG charts shared with
        /// the report, server-sent events); reads what the engine writes and never writes.
        .target(
            name: "Dashboard",
            dependencies: ["Pipeline", "Stages", "Tuner", "NNI", "Report", "SystemIO",
                           .product(name: "FlyingFox", package: "FlyingFox"), .product(name: "FlyingSocks", package: "FlyingFox"),
                           .product(name: "Ink", package: "Ink")],
            swiftSettings: strict),

        // MARK: - NNI compatibility

        /// NNI's trial protocol (parameter.cfg, metric frames), its config files (v1 and v2) and its
        /// experiment databases: what lets an NNI experiment move over unchanged.
        .target(
            name: "NNI",
            dependencies: ["Tuner", "SystemIO", .product(name: "Yams", package: "Yams"), .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),

        // MARK: - The report

        /// The lab report: a Codable model rendered to Markdown through a Mustache template, and SVG charts.
        .target(name: "Report", dependencies: [.product(name: "Mustache", package: "swift-mustache")], swiftSettings: strict),

        // MARK: - Compute

        /// Tensors, the closed op set, reverse-mode autodiff, the backend protocol and registry.
        .target(name: "Compute", swiftSettings: strict),
        /// Layers with named parameters, PyTorch's initialisations, and the lab's models.
        .target(name: "NN", dependencies: ["Compute", "Randomness", "SystemIO"], swiftSettings: strict),
        /// Optimizers, schedules, data loading and augmentation, the training loop, checkpoints.
        .target(name: "Training", dependencies: ["NN", "Compute", "Datasets", "Randomness", "SystemIO"], swiftSettings: strict),
        /// Search spaces (NNI's format), samplers (grid, random, TPE, anneal, evolution, batch), sweeps,
        /// assessors and experiments; storage through a small protocol. No executor, no tensors.
        .target(name: "Tuner", dependencies: ["Randomness", "SystemIO", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        /// A seedable generator whose whole state is one number (datasets, models, training, tuning).
        .target(name: "Randomness", swiftSettings: strict),
        /// CPU backends: the reference implementation of every op, and fast kernels on oneDNN.
        .target(name: "ComputeCPU", dependencies: ["Compute", "CDNNL"], swiftSettings: strict),
        /// oneDNN (Debian's libdnnl-dev, C API) and the OpenMP calls that set its thread count.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        /// The Vulkan backend: every op as a GLSL compute shader (compiled to SPIR-V at build time), device
        /// memory pooled, a training step recorded into one command buffer.
        .target(name: "ComputeVulkan", dependencies: ["Compute", "CVulkan"], exclude: ["Shaders"], swiftSettings: strict,
                plugins: ["CompileShaders"]),
        /// libvulkan (Debian's libvulkan-dev) and C functions for the macros Swift does not import.
        .systemLibrary(name: "CVulkan", pkgConfig: "vulkan", providers: [.apt(["libvulkan-dev"])]),
        /// Compiles `Shaders/*.comp` with glslc and embeds the SPIR-V as Swift source.
        .plugin(name: "CompileShaders", capability: .buildTool(), dependencies: ["ShaderCompiler"]),
        /// The plugin's tool: glslc, then the SPIR-V as a base64 constant.
        .executableTarget(name: "ShaderCompiler", swiftSettings: strict),
        /// `device: auto | cpu | reference | vulkan[:N|:NAME]` → the backend to use, and the list of devices.
        .target(name: "ComputeDevices", dependencies: ["Compute", "ComputeCPU", "ComputeVulkan"], swiftSettings: strict),

        // MARK: - Data

        /// Download, verify, extract and parse datasets (CIFAR-10), with a per-user cache.
        .target(
            name: "Datasets",
            dependencies: ["CArchive", "CCurl", "Randomness", "SystemIO", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        /// libarchive, for safe extraction of tar.gz archives; loaded on first use.
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev"])]),
        /// libcurl, for downloads that resume (HTTP Range) and report progress; loaded on first use.
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // MARK: - The make-like engine (knows nothing about ML)

        /// Pipeline file → validated pipeline, with file:line:col errors.
        .target(
            name: "Manifest",
            dependencies: ["Pipeline", "SystemIO", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        /// DAG, staleness, artifact store, run records, executor.
        .target(
            name: "Pipeline",
            dependencies: [
                "SystemIO",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),

        // MARK: - The machine underneath

        /// The one seam for I/O: file system, clock and process launcher (each with a fake in
        /// LabmakeTesting), the bounded output reader, and "did you mean" suggestions.
        .target(name: "SystemIO", swiftSettings: strict),
        /// Where trials and stages run, behind one narrow protocol (submit, watch, cancel, attach):
        /// processes on this machine today.
        .target(name: "Executors", dependencies: ["SystemIO"], swiftSettings: strict),

        // MARK: - Tests

        /// Fakes and fixtures shared by the test targets: in-memory file system, fake clock and launcher, HTTP server, archives.
        .target(name: "LabmakeTesting", dependencies: ["Pipeline", "SystemIO", "CArchive", .product(name: "Crypto", package: "swift-crypto")],
                path: "Tests/LabmakeTesting",
                swiftSettings: strict, linkerSettings: [.linkedLibrary("archive")]),
        .testTarget(name: "SystemIOTests", dependencies: ["SystemIO"], swiftSettings: strict),
        .testTarget(name: "ExecutorsTests", dependencies: ["Executors", "SystemIO", "LabmakeTesting"], swiftSettings: strict),
        .testTarget(name: "StagesTests", dependencies: ["Stages", "Manifest", "Pipeline", "SystemIO", "Tuner", "Randomness", "LabmakeTesting"],
                    swiftSettings: strict),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "SystemIO", "LabmakeTesting"], swiftSettings: strict),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest", "Pipeline", "SystemIO", "LabmakeTesting"], swiftSettings: strict),
        .testTarget(name: "ComputeTests", dependencies: ["Compute", "ComputeCPU", "ComputeVulkan", "ComputeDevices"], swiftSettings: strict),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "NN", "Compute", "ComputeCPU", "ComputeVulkan", "Datasets", "Randomness", "LabmakeTesting"],
                    swiftSettings: strict),
        .testTarget(name: "NNITests", dependencies: ["NNI", "Tuner", "SystemIO", .product(name: "GRDB", package: "GRDB.swift")],
                    swiftSettings: strict),
        .testTarget(name: "TunerTests", dependencies: ["Tuner", "Randomness", "SystemIO"], swiftSettings: strict),
        .testTarget(name: "DashboardTests", dependencies: ["Dashboard", "Pipeline", "Stages", "Tuner", "Report", "SystemIO", "LabmakeTesting",
                                                       .product(name: "Yams", package: "Yams")],
                    swiftSettings: strict),
        .testTarget(name: "ReportTests", dependencies: ["Report"], exclude: ["golden"], swiftSettings: strict),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "LabmakeTesting"], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["labmake", "LabmakeTesting", "SystemIO"], swiftSettings: strict),
    ]
)
