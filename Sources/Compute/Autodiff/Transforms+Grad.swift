/// Evaluates `f` at `parameters` and returns its value and its gradient with respect to every
/// parameter, by reverse-mode differentiation. `f` must return a tensor of one element (a loss).
///
///     let (loss, gradients) = try valueAndGradient(of: { p in try (p["w"]! * x).sum() }, at: ["w": w])
public func valueAndGradient(of f: ([String: Tensor]) throws -> Tensor,
                             at parameters: [String: Tensor]) throws -> (value: Tensor, gradients: [String: Tensor]) {
    let names = parameters.keys.sorted()
    var tracked: [String: Tensor] = [:]
    var leafName: [ObjectIdentifier: String] = [:]
    for (k, name) in names.enumerated() {
        let p = parameters[name]!
        let node = Node(.leaf(k))
        tracked[name] = Tensor(shape: p.shape, storage: p.storage, node: node)
        leafName[ObjectIdentifier(node)] = name
    }
    let value = try f(tracked)
    guard value.shape.count == 1 else {
        throw ComputeError("valueAndGradient: the function must return one number, got shape \(value.shape)")
    }
    var gradients: [String: Tensor] = [:]
    func result() -> [String: Tensor] {
        // Parameters the value does not depend on get zeros.
        for name in names where gradients[name] == nil { gradients[name] = .zeros(parameters[name]!.shape) }
        return gradients
    }
    guard let root = value.node else { return (value.detached, result()) }

    // Topological order of the nodes reachable from the value, iteratively (deep models, no recursion).
    var order: [(Node, Tensor)] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(Tensor, Bool)] = [(value, false)]
    while let (tensor, expanded) = stack.popLast() {
        guard let node = tensor.node else { continue }
        if expanded {
            order.append((node, tensor))
            continue
        }
        guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
        stack.append((tensor, true))
        if case .op(_, let inputs) = node.kind { for input in inputs where input.node != nil { stack.append((input, false)) } }
    }

    // The shared constant 1 (a device keeps its copy), shaped as the value: backward uploads nothing.
    let seed = value.shape == Tensor.constant(1).shape ? Tensor.constant(1) : try Tensor.constant(1).reshaped(value.shape)
    var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
    for (node, output) in order.reversed() {
        guard let g = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
        switch node.kind {
        case .leaf:
            if let name = leafName[ObjectIdentifier(node)] { gradients[name] = try gradients[name].map { try $0 + g } ?? g.detached }
        case .op(let op, let inputs):
            let grads = try Gradients.of(op, inputs: inputs.map(\.detached), output: output.detached, gradient: g,
                                         needed: inputs.map { $0.node != nil })
            for (input, grad) in zip(inputs, grads) {
                guard let inputNode = input.node, let grad else { continue }
                let key = ObjectIdentifier(inputNode)
                pending[key] = try pending[key].map { try $0 + grad } ?? grad
            }
        }
    }
    return (value.detached, result())
}
