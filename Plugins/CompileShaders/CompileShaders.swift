import Foundation
import PackagePlugin

/// Compiles a target's `Shaders/*.comp` (GLSL compute shaders) to SPIR-V with glslc and embeds each
/// as a Swift constant, so that the target needs no resource bundle. A shader error is a build error.
@main
struct CompileShaders: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let folder = target.directoryURL.appending(path: "Shaders")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let shaders = files.filter { $0.pathExtension == "comp" }
        let includes = files.filter { $0.pathExtension == "glsl" }
        let compiler = try context.tool(named: "ShaderCompiler")
        let glslc = Self.glslc()
        return shaders.map { shader in
            let name = shader.deletingPathExtension().lastPathComponent
            let output = context.pluginWorkDirectoryURL.appending(path: "Shader+\(name).swift")
            return .buildCommand(
                displayName: "Compiling shader \(shader.lastPathComponent)",
                executable: compiler.url,
                arguments: [glslc, shader.path, output.path],
                inputFiles: [shader] + includes,
                outputFiles: [output])
        }
    }

    /// glslc on the PATH, else /usr/bin/glslc (where Debian's package puts it).
    static func glslc() -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/glslc"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/glslc"
    }
}
