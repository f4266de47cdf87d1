/// What a compute shader asks of a device per workgroup, read from its SPIR-V: invocations (the local
/// size) and bytes of shared (Workgroup) memory. A device whose limits are lower cannot run it.
struct ShaderRequirements: Equatable, Sendable {
    var invocations: Int
    var sharedBytes: Int

    init(invocations: Int, sharedBytes: Int) { (self.invocations, self.sharedBytes) = (invocations, sharedBytes) }

    /// Reads the local size and the Workgroup variables' sizes from `words`.
    init(spirv words: [UInt32]) {
        var localSize = (1, 1, 1)
        var scalarBytes: [UInt32: Int] = [:]      // int, float: bytes
        var vectors: [UInt32: (UInt32, Int)] = [:] // vector: (component type, count)
        var arrays: [UInt32: (UInt32, UInt32)] = [:]  // array: (element type, length constant)
        var structs: [UInt32: [UInt32]] = [:]
        var constants: [UInt32: Int] = [:]
        var pointers: [UInt32: UInt32] = [:]      // Workgroup pointer: pointee type
        var sharedVariables: [UInt32] = []         // their pointer types
        var index = 5  // after the header
        while index < words.count {
            let count = Int(words[index] >> 16), opcode = words[index] & 0xffff
            guard count > 0, index + count <= words.count else { break }
            let operands = Array(words[(index + 1)..<(index + count)])
            switch opcode {
            case 16 where operands.count >= 5 && operands[1] == 17:  // OpExecutionMode LocalSize x y z
                localSize = (Int(operands[2]), Int(operands[3]), Int(operands[4]))
            case 21 where operands.count >= 2, 22 where operands.count >= 2:  // OpTypeInt, OpTypeFloat: result, width
                scalarBytes[operands[0]] = Int(operands[1]) / 8
            case 23 where operands.count >= 3:  // OpTypeVector: result, component, count
                vectors[operands[0]] = (operands[1], Int(operands[2]))
            case 28 where operands.count >= 3:  // OpTypeArray: result, element, length
                arrays[operands[0]] = (operands[1], operands[2])
            case 30 where !operands.isEmpty:  // OpTypeStruct: result, members
                structs[operands[0]] = Array(operands.dropFirst())
            case 43 where operands.count >= 3:  // OpConstant: type, result, value
                constants[operands[1]] = Int(operands[2])
            case 32 where operands.count >= 3 && operands[1] == 4:  // OpTypePointer Workgroup
                pointers[operands[0]] = operands[2]
            case 59 where operands.count >= 3 && operands[2] == 4:  // OpVariable Workgroup: type, result, class
                sharedVariables.append(operands[0])
            default:
                break
            }
            index += count
        }
        func size(_ type: UInt32) -> Int {
            if let bytes = scalarBytes[type] { return bytes }
            if let (component, count) = vectors[type] { return size(component) * count }
            if let (element, length) = arrays[type] { return size(element) * (constants[length] ?? 0) }
            if let members = structs[type] { return members.map(size).reduce(0, +) }
            return 4
        }
        invocations = localSize.0 * localSize.1 * localSize.2
        sharedBytes = sharedVariables.compactMap { pointers[$0] }.map(size).reduce(0, +)
    }

    /// Why a device with `info`'s limits cannot run a shader of these requirements, or nil when it can.
    func problem(on info: VulkanDeviceInfo) -> String? {
        var missing: [String] = []
        if invocations > info.maxWorkgroupInvocations {
            missing.append("\(invocations) invocations per workgroup (the device allows \(info.maxWorkgroupInvocations))")
        }
        if sharedBytes > info.maxSharedMemory {
            missing.append("\(sharedBytes) bytes of shared memory per workgroup (the device allows \(info.maxSharedMemory))")
        }
        return missing.isEmpty ? nil : missing.joined(separator: " and ")
    }
}
