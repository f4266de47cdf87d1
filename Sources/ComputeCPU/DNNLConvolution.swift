import CDNNL
import Compute
import Foundation

/// oneDNN convolutions (forward, backward data, backward weights) on plain NCHW / (G)OIHW buffers,
/// with primitives created once per shape and kept.
final class DNNLConvolution: @unchecked Sendable {
    enum Direction: Hashable { case forward, inputGradient, weightGradient }

    private struct Key: Hashable {
        var direction: Direction
        var input: Shape, weight: Shape, output: Shape
        var conv: Conv2D
    }

    private let lock = NSLock()
    private var engine: dnnl_engine_t?
    private var stream: dnnl_stream_t?
    private var primitives: [Key: dnnl_primitive_t] = [:]
    private var forwardDescriptors: [Key: dnnl_primitive_desc_t] = [:]

    init(threads: Int) throws(ComputeError) {
        omp_set_num_threads(Int32(threads))
        try check(dnnl_engine_create(&engine, dnnl_cpu, 0), "creating the CPU engine")
        try check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "creating a stream")
    }

    /// Runs one direction of a convolution: `a` and `b` are (input, weight), (output gradient, weight)
    /// or (input, output gradient); returns the result of shape `result`.
    func run(_ direction: Direction, _ a: Tensor, _ b: Tensor, conv: Conv2D, input: Shape, weight: Shape, output: Shape, result: Shape) throws(ComputeError) -> [Float] {
        lock.lock()
        defer { lock.unlock() }
        let key = Key(direction: direction, input: input, weight: weight, output: output, conv: conv)
        let primitive = try primitive(for: key)
        let inputMD = try descriptor(input, conv.groups, isWeight: false)
        let weightMD = try descriptor(weight, conv.groups, isWeight: true)
        let outputMD = try descriptor(output, conv.groups, isWeight: false)
        var (mdA, mdB, mdOut) = descriptorsFor(direction, inputMD, weightMD, outputMD)
        let (argA, argB, argOut): (Int32, Int32, Int32) = switch direction {
        case .forward: (DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST)
        case .inputGradient: (DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC)
        case .weightGradient: (DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS)
        }
        // Buffers that stay put while oneDNN holds pointers to them.
        let bufferA = UnsafeMutableBufferPointer<Float>.allocate(capacity: a.shape.count)
        let bufferB = UnsafeMutableBufferPointer<Float>.allocate(capacity: b.shape.count)
        let bufferOut = UnsafeMutableBufferPointer<Float>.allocate(capacity: result.count)
        defer { bufferA.deallocate(); bufferB.deallocate(); bufferOut.deallocate() }
        _ = bufferA.initialize(from: a.values)
        _ = bufferB.initialize(from: b.values)
        var memories: [dnnl_memory_t?] = [nil, nil, nil]
        defer { for m in memories where m != nil { dnnl_memory_destroy(m) } }
        try check(dnnl_memory_create(&memories[0], &mdA, engine, bufferA.baseAddress), "wrapping a buffer")
        try check(dnnl_memory_create(&memories[1], &mdB, engine, bufferB.baseAddress), "wrapping a buffer")
        try check(dnnl_memory_create(&memories[2], &mdOut, engine, bufferOut.baseAddress), "wrapping a buffer")
        var args = [dnnl_exec_arg_t(arg: argA, memory: memories[0]),
                    dnnl_exec_arg_t(arg: argB, memory: memories[1]),
                    dnnl_exec_arg_t(arg: argOut, memory: memories[2])]
        try check(dnnl_primitive_execute(primitive, stream, 3, &args), "running a convolution")
        try check(dnnl_stream_wait(stream), "waiting for a convolution")
        return Array(bufferOut)
    }

    private func descriptorsFor(_ direction: Direction, _ i: dnnl_memory_desc_t, _ w: dnnl_memory_desc_t,
                                _ o: dnnl_memory_desc_t) -> (dnnl_memory_desc_t, dnnl_memory_desc_t, dnnl_memory_desc_t) {
        switch direction {
        case .forward: (i, w, o)
        case .inputGradient: (o, w, i)
        case .weightGradient: (i, o, w)
        }
    }

    private func primitive(for key: Key) throws(ComputeError) -> dnnl_primitive_t {
        if let cached = primitives[key] { return cached }
        var forwardKey = key
        forwardKey.direction = .forward
        var inputMD = try descriptor(key.input, key.conv.groups, isWeight: false)
        var weightMD = try descriptor(key.weight, key.conv.groups, isWeight: true)
        var outputMD = try descriptor(key.output, key.conv.groups, isWeight: false)
        var strides = dims([key.conv.stride.0, key.conv.stride.1])
        var padding = dims([key.conv.padding.0, key.conv.padding.1])

        var forwardPD = forwardDescriptors[forwardKey]
        if forwardPD == nil {
            var desc = dnnl_convolution_desc_t()
            try check(dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, dnnl_convolution_direct,
                                                         &inputMD, &weightMD, nil, &outputMD, &strides, &padding, &padding),
                      "describing a convolution")
            try check(dnnl_primitive_desc_create(&forwardPD, &desc, nil, engine, nil), "choosing a convolution")
            forwardDescriptors[forwardKey] = forwardPD
        }
        var pd: dnnl_primitive_desc_t?
        switch key.direction {
        case .forward:
            pd = forwardPD
        case .inputGradient:
            var desc = dnnl_convolution_desc_t()
            try check(dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &inputMD, &weightMD, &outputMD,
                                                               &strides, &padding, &padding), "describing a convolution gradient")
            try check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, forwardPD), "choosing a convolution gradient")
        case .weightGradient:
            var desc = dnnl_convolution_desc_t()
            try check(dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &inputMD, &weightMD, nil, &outputMD,
                                                                  &strides, &padding, &padding), "describing a convolution gradient")
            try check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, forwardPD), "choosing a convolution gradient")
        }
        var primitive: dnnl_primitive_t?
        try check(dnnl_primitive_create(&primitive, pd), "creating a convolution")
        if key.direction != .forward { dnnl_primitive_desc_destroy(pd) }
        guard let primitive else { throw ComputeError("conv2d: oneDNN returned no primitive") }
        primitives[key] = primitive
        return primitive
    }

    /// A plain layout: NCHW for activations, OIHW (or GOIHW with groups) for weights.
    private func descriptor(_ shape: Shape, _ groups: Int, isWeight: Bool) throws(ComputeError) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        if isWeight && groups > 1 {
            var d = dims([groups, shape[0] / groups, shape[1], shape[2], shape[3]])
            try check(dnnl_memory_desc_init_by_tag(&md, 5, &d, dnnl_f32, dnnl_goihw), "describing weights")
        } else {
            var d = dims(shape.dims)
            try check(dnnl_memory_desc_init_by_tag(&md, 4, &d, dnnl_f32, isWeight ? dnnl_oihw : dnnl_nchw), "describing a tensor")
        }
        return md
    }

    /// A `dnnl_dims_t` (12 entries) as an array, which C receives as a pointer.
    private func dims(_ values: [Int]) -> [dnnl_dim_t] {
        values.map { dnnl_dim_t($0) } + Array(repeating: 0, count: 12 - values.count)
    }
}

/// Throws a ComputeError naming what failed when oneDNN does not succeed.
func check(_ status: dnnl_status_t, _ what: String) throws(ComputeError) {
    guard status == dnnl_success else { throw ComputeError("oneDNN failed \(what): status \(status.rawValue)") }
}
