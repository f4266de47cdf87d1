import Tuner

extension Configuration {
    /// The parameters with nested choices spread out, as the dashboard's columns, axes and filters name
    /// them: `{"optimizer": {"_name": "adam", "lr": 0.01}}` gives `optimizer = adam` and `optimizer.lr = 0.01`;
    /// a trial that took another option simply has no `optimizer.lr`.
    var flattened: [String: ParameterValue] {
        var result: [String: ParameterValue] = [:]
        func add(_ name: String, _ value: ParameterValue) {
            guard case .nested(let fields) = value else { result[name] = value; return }
            if let option = fields["_name"] { result[name] = option }
            for (key, inner) in fields where key != "_name" { add(name + "." + key, inner) }
        }
        for (name, value) in values { add(name, value) }
        return result
    }
}
