import CDNNL
import Compute
import Foundation

/// oneDNN convolutions (forward, backward data, backward weights) on channels-last (NHWC) activations
/// and plain (G)OIHW weights. Each shape gets a plan once: activations stay NHWC, which oneDNN's JIT
/// kernels read and write directly; for weights it picks its fastest (blocked) layout, and the plan
/// keeps the reorders between that layout and ours and the buffers they write, reused by every later
/// step instead of being allocated per call. Some input gradients run on forward kernels instead of
/// backward-data ones (`InputGradientRoute`).
final class DNNLConvolution: @unchecked Sendable {
    enum Direction: Hashable { case forward, inputGradient, weightGradient }

    struct Key: Hashable {
        var direction: Direction
        var input: Shape, weight: Shape, output: Shape
        var conv: Conv2D
    }

    /// One operand of a planned convolution: our plain layout, oneDNN's chosen one, and the
    /// reorder between them (nil when they agree).
    private struct Operand {
        var arg: Int32
        var plain: dnnl_memory_desc_t
        var chosen: dnnl_memory_desc_t
        var reorder: dnnl_primitive_t?
        var buffer: UnsafeMutableRawPointer?
    }

    private struct Plan {
        var primitive: dnnl_primitive_t
        var a: Operand, b: Operand, result: Operand
    }

    private let lock = NSLock()
    private var engine: dnnl_engine_t?
    private var stream: dnnl_stream_t?
    private var plans: [Key: Plan] = [:]
    private var forwardDescriptors: [Key: dnnl_primitive_desc_t] = [:]
    /// Transposed, rotated weights of input gradients run as forward convolutions, by their shape.
    var rotatedWeights: [Shape: UnsafeMutablePointer<Float>] = [:]

    let threads: Int

    init(threads: Int) throws(ComputeError) {
        self.threads = threads
        OneDNN.api.omp_set_num_threads!(Int32(threads))
        try check(OneDNN.api.dnnl_engine_create!(&engine, dnnl_cpu, 0), "creating the CPU engine")
        try check(OneDNN.api.dnnl_stream_create!(&stream, engine, dnnl_stream_default_flags.rawValue), "creating a stream")
    }

    /// Runs one direction of a convolution: `a` and `b` are (input, weight), (output gradient, weight)
    /// or (input, output gradient), activations NHWC; returns the result of shape `result` (NHWC for an
    /// activation's, OIHW for the weight gradient).
    func run(_ direction: Direction, _ a: [Float], _ b: [Float], conv: Conv2D, input: Shape, weight: Shape, output: Shape, result: Shape) throws(ComputeError) -> [Float] {
        lock.lock()
        defer { lock.unlock() }
        if direction == .inputGradient {
            switch InputGradientRoute.of(conv, weight: weight, output: output) {
            case .backwardData:
                break
            case .rotatedForward(let transposed, let rotatedShape):
                return try inputGradientByRotatedForward(a, b, conv: transposed, weight: weight, rotated: rotatedShape, input: input, output: output)
            case .pointwiseScatter(let transposedShape):
                return try inputGradientByPointwiseScatter(a, b, conv: conv, weight: weight, transposed: transposedShape, input: input, output: output)
            }
        }
        return try execute(Key(direction: direction, input: input, weight: weight, output: output, conv: conv), a, b, count: result.count)
    }

    /// Runs the plan of `key` on `a` and `b`, returning its result of `count` elements.
    func execute(_ key: Key, _ a: [Float], _ b: UnsafePointer<Float>, count: Int) throws(ComputeError) -> [Float] {
        let plan = try plan(for: key)
        var status = dnnl_success
        let values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            a.withUnsafeBufferPointer { pa in
                status = execute(plan, UnsafeMutableRawPointer(mutating: pa.baseAddress!),
                                 UnsafeMutableRawPointer(mutating: b), UnsafeMutableRawPointer(out.baseAddress!))
            }
            initialized = count
        }
        try check(status, "running a convolution")
        return values
    }

    /// Runs the plan of `key` on `a` and `b`, returning its result of `count` elements.
    func execute(_ key: Key, _ a: [Float], _ b: [Float], count: Int) throws(ComputeError) -> [Float] {
        try b.withUnsafeBufferPointer { (pb) throws(ComputeError) -> [Float] in try execute(key, a, pb.baseAddress!, count: count) }
    }

    /// Reorders the operands into oneDNN's layouts, convolves, and reorders the result back.
    private func execute(_ plan: Plan, _ a: UnsafeMutableRawPointer, _ b: UnsafeMutableRawPointer, _ out: UnsafeMutableRawPointer) -> dnnl_status_t {
        var memories: [dnnl_memory_t?] = []
        defer { for m in memories { _ = OneDNN.api.dnnl_memory_destroy!(m) } }
        func memory(_ md: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer?) -> dnnl_memory_t? {
            var md = md, m: dnnl_memory_t?
            guard OneDNN.api.dnnl_memory_create!(&m, &md, engine, pointer) == dnnl_success else { return nil }
            memories.append(m)
            return m
        }
        func reorder(_ p: dnnl_primitive_t, _ from: dnnl_memory_t?, _ to: dnnl_memory_t?) -> dnnl_status_t {
            var args = [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: from), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: to)]
            return OneDNN.api.dnnl_primitive_execute!(p, stream, 2, &args)
        }
        var args: [dnnl_exec_arg_t] = []
        for (operand, pointer) in [(plan.a, a), (plan.b, b)] {
            guard let plain = memory(operand.plain, pointer) else { return dnnl_out_of_memory }
            guard let reorderIn = operand.reorder else {
                args.append(dnnl_exec_arg_t(arg: operand.arg, memory: plain))
                continue
            }
            guard let chosen = memory(operand.chosen, operand.buffer) else { return dnnl_out_of_memory }
            let status = reorder(reorderIn, plain, chosen)
            guard status == dnnl_success else { return status }
            args.append(dnnl_exec_arg_t(arg: operand.arg, memory: chosen))
        }
        guard let plainOut = memory(plan.result.plain, out) else { return dnnl_out_of_memory }
        var chosenOut = plainOut
        if plan.result.reorder != nil {
            guard let m = memory(plan.result.chosen, plan.result.buffer) else { return dnnl_out_of_memory }
            chosenOut = m
        }
        args.append(dnnl_exec_arg_t(arg: plan.result.arg, memory: chosenOut))
        var status = OneDNN.api.dnnl_primitive_execute!(plan.primitive, stream, Int32(args.count), &args)
        if status == dnnl_success, let reorderOut = plan.result.reorder { status = reorder(reorderOut, chosenOut, plainOut) }
        if status == dnnl_success { status = OneDNN.api.dnnl_stream_wait!(stream) }
        return status
    }

    private func plan(for key: Key) throws(ComputeError) -> Plan {
        if let cached = plans[key] { return cached }
        let pd = try primitiveDescriptor(for: key)
        defer { if key.direction != .forward { _ = OneDNN.api.dnnl_primitive_desc_destroy!(pd) } }
        var primitive: dnnl_primitive_t?
        try check(OneDNN.api.dnnl_primitive_create!(&primitive, pd), "creating a convolution")
        guard let primitive else { throw ComputeError("conv2d: oneDNN returned no primitive") }

        let inputMD = try descriptor(key.input, key.conv.groups, isWeight: false)
        let weightMD = try descriptor(key.weight, key.conv.groups, isWeight: true)
        let outputMD = try descriptor(key.output, key.conv.groups, isWeight: false)
        let plan: Plan
        switch key.direction {
        case .forward:
            plan = Plan(primitive: primitive,
                        a: try operand(DNNL_ARG_SRC, inputMD, pd, dnnl_query_src_md, isResult: false),
                        b: try operand(DNNL_ARG_WEIGHTS, weightMD, pd, dnnl_query_weights_md, isResult: false),
                        result: try operand(DNNL_ARG_DST, outputMD, pd, dnnl_query_dst_md, isResult: true))
        case .inputGradient:
            plan = Plan(primitive: primitive,
                        a: try operand(DNNL_ARG_DIFF_DST, outputMD, pd, dnnl_query_diff_dst_md, isResult: false),
                        b: try operand(DNNL_ARG_WEIGHTS, weightMD, pd, dnnl_query_weights_md, isResult: false),
                        result: try operand(DNNL_ARG_DIFF_SRC, inputMD, pd, dnnl_query_diff_src_md, isResult: true))
        case .weightGradient:
            plan = Plan(primitive: primitive,
                        a: try operand(DNNL_ARG_SRC, inputMD, pd, dnnl_query_src_md, isResult: false),
                        b: try operand(DNNL_ARG_DIFF_DST, outputMD, pd, dnnl_query_diff_dst_md, isResult: false),
                        result: try operand(DNNL_ARG_DIFF_WEIGHTS, weightMD, pd, dnnl_query_diff_weights_md, isResult: true))
        }
        plans[key] = plan
        return plan
    }

    /// The operand `arg` of `pd`: the layout oneDNN chose, and a reorder and buffer when it is not ours.
    private func operand(_ arg: Int32, _ plain: dnnl_memory_desc_t, _ pd: dnnl_primitive_desc_t, _ query: dnnl_query_t,
                         isResult: Bool) throws(ComputeError) -> Operand {
        guard let chosenPointer = OneDNN.api.dnnl_primitive_desc_query_md!(pd, query, 0) else {
            throw ComputeError("conv2d: oneDNN reported no layout for an operand")
        }
        var plainMD = plain, chosen = chosenPointer.pointee
        var result = Operand(arg: arg, plain: plain, chosen: chosen, reorder: nil, buffer: nil)
        guard OneDNN.api.dnnl_memory_desc_equal!(&plainMD, &chosen) == 0 else { return result }
        var reorderPD: dnnl_primitive_desc_t?
        try check(isResult ? OneDNN.api.dnnl_reorder_primitive_desc_create!(&reorderPD, &chosen, engine, &plainMD, engine, nil)
                           : OneDNN.api.dnnl_reorder_primitive_desc_create!(&reorderPD, &plainMD, engine, &chosen, engine, nil),
                  "planning a reorder")
        defer { _ = OneDNN.api.dnnl_primitive_desc_destroy!(reorderPD) }
        try check(OneDNN.api.dnnl_primitive_create!(&result.reorder, reorderPD), "creating a reorder")
        result.buffer = UnsafeMutableRawPointer.allocate(byteCount: OneDNN.api.dnnl_memory_desc_get_size!(&chosen), alignment: 64)
        return result
    }

    /// oneDNN's choice of implementation for `key`, with NHWC activations and weights in any layout.
    private func primitiveDescriptor(for key: Key) throws(ComputeError) -> dnnl_primitive_desc_t {
        var forwardKey = key
        forwardKey.direction = .forward
        var inputMD = try descriptor(key.input, key.conv.groups, isWeight: false)
        var weightMD = try descriptor(key.weight, key.conv.groups, isWeight: true, any: true)
        var outputMD = try descriptor(key.output, key.conv.groups, isWeight: false)
        var strides = dims([key.conv.stride.0, key.conv.stride.1])
        var padding = dims([key.conv.padding.0, key.conv.padding.1])

        var forwardPD = forwardDescriptors[forwardKey]
        if forwardPD == nil {
            var desc = dnnl_convolution_desc_t()
            try check(OneDNN.api.dnnl_convolution_forward_desc_init!(&desc, dnnl_forward_training, dnnl_convolution_direct,
                                                         &inputMD, &weightMD, nil, &outputMD, &strides, &padding, &padding),
                      "describing a convolution")
            try check(OneDNN.api.dnnl_primitive_desc_create!(&forwardPD, &desc, nil, engine, nil), "choosing a convolution")
            forwardDescriptors[forwardKey] = forwardPD
        }
        var pd: dnnl_primitive_desc_t?
        switch key.direction {
        case .forward:
            pd = forwardPD
        case .inputGradient:
            var desc = dnnl_convolution_desc_t()
            try check(OneDNN.api.dnnl_convolution_backward_data_desc_init!(&desc, dnnl_convolution_direct, &inputMD, &weightMD, &outputMD,
                                                               &strides, &padding, &padding), "describing a convolution gradient")
            try check(OneDNN.api.dnnl_primitive_desc_create!(&pd, &desc, nil, engine, forwardPD), "choosing a convolution gradient")
        case .weightGradient:
            var desc = dnnl_convolution_desc_t()
            try check(OneDNN.api.dnnl_convolution_backward_weights_desc_init!(&desc, dnnl_convolution_direct, &inputMD, &weightMD, nil, &outputMD,
                                                                  &strides, &padding, &padding), "describing a convolution gradient")
            try check(OneDNN.api.dnnl_primitive_desc_create!(&pd, &desc, nil, engine, forwardPD), "choosing a convolution gradient")
        }
        guard let pd else { throw ComputeError("conv2d: oneDNN returned no implementation") }
        return pd
    }

    /// Our layout (NHWC for activations, OIHW or GOIHW with groups for weights), or, for weights, `any` layout.
    private func descriptor(_ shape: Shape, _ groups: Int, isWeight: Bool, any: Bool = false) throws(ComputeError) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        if isWeight && groups > 1 {
            var d = dims([groups, shape[0] / groups, shape[1], shape[2], shape[3]])
            try check(OneDNN.api.dnnl_memory_desc_init_by_tag!(&md, 5, &d, dnnl_f32, any ? dnnl_format_tag_any : dnnl_goihw), "describing weights")
        } else {
            var d = dims(shape.dims)
            let tag = !isWeight ? dnnl_nhwc : any ? dnnl_format_tag_any : dnnl_oihw
            try check(OneDNN.api.dnnl_memory_desc_init_by_tag!(&md, 4, &d, dnnl_f32, tag), "describing a tensor")
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
