import Foundation
import LabmakeTesting
import Testing

/// A minimal `nni` package written for the tests: NNI 1.8–3.0's local file protocol, byte for byte
/// (`parameter.cfg` read after waiting for it, `ME%06d` frames appended to `.nni/metrics`, `print()`
/// sent to `trial.log` as NNI's SDK does, `{}` and printed results in standalone mode).
let miniNNI = #"""
    """A minimal NNI SDK for tests: NNI 1.8-3.0's local file protocol (parameter.cfg, .nni/metrics), byte for byte."""
    import json, os, sys, time
    from datetime import datetime

    _platform = os.environ.get('NNI_PLATFORM')
    _sys_dir = os.environ.get('NNI_SYS_DIR')
    _parameters = None
    _sequence = 0

    class _TrialLog:
        """NNI replaces sys.stdout with its trial log when NNI_PLATFORM is local."""
        def __init__(self, path):
            self._file = open(path, 'a')
            self._line = ''
        def write(self, text):
            self._line += text
            while '\n' in self._line:
                line, self._line = self._line.split('\n', 1)
                self._file.write('[%s] PRINT %s\n' % (datetime.now().strftime('%Y-%m-%d %H:%M:%S'), line))
            self._file.flush()
        def flush(self):
            self._file.flush()

    if _platform == 'local' and not os.environ.get('REUSE_MODE'):
        sys.stdout = _TrialLog(os.path.join(os.environ['NNI_OUTPUT_DIR'], 'trial.log'))

    def get_next_parameter():
        global _parameters
        if not _platform:
            return {}
        path = os.path.join(_sys_dir, 'parameter.cfg')
        while not (os.path.isfile(path) and os.path.getsize(path) > 0):
            time.sleep(3)
        with open(path) as f:
            _parameters = json.load(f)
        return _parameters['parameters']

    def _send(kind, metric, sequence):
        record = json.dumps({'parameter_id': _parameters['parameter_id'] if _parameters else None,
                             'trial_job_id': os.environ.get('NNI_TRIAL_JOB_ID'), 'type': kind,
                             'sequence': sequence, 'value': json.dumps(metric)})
        if not _platform:
            print('%s result: %s' % ('Final' if kind == 'FINAL' else 'Intermediate', metric))
            return
        if _platform != 'local' or os.environ.get('REUSE_MODE'):
            print("NNISDK_MEb'%s'" % record, file=sys.__stdout__, flush=True)
            return
        data = (record + '\n').encode('utf8')
        assert len(data) < 1000000, 'Metric too long'
        os.makedirs(os.path.join(_sys_dir, '.nni'), exist_ok=True)
        with open(os.path.join(_sys_dir, '.nni', 'metrics'), 'ab') as f:
            f.write(b'ME%06d%b' % (len(data), data))
            f.flush()

    def report_intermediate_result(metric):
        global _sequence
        _send('PERIODICAL', metric, _sequence)
        _sequence += 1

    def report_final_result(metric):
        _send('FINAL', metric, 0)

    def get_experiment_id():
        return os.environ.get('NNI_EXP_ID', 'STANDALONE')

    def get_trial_id():
        return os.environ.get('NNI_TRIAL_JOB_ID', 'STANDALONE')

    def get_sequence_id():
        return int(os.environ.get('NNI_TRIAL_SEQ_ID', 0))
    """#

/// `nni.utils.merge_parameter`, as NNI's examples use it over argparse defaults.
let miniNNIUtils = #"""
    def merge_parameter(base_params, override_params):
        """NNI's merge_parameter: the tuner's values over argparse defaults, each converted to the default's type."""
        if override_params is None:
            return base_params
        is_dict = isinstance(base_params, dict)
        for k, v in override_params.items():
            if is_dict:
                if k not in base_params:
                    raise ValueError('Key \'%s\' not found in base parameters.' % k)
                v = _ensure_compatible_type(k, base_params[k], v)
                base_params[k] = v
            else:
                if not hasattr(base_params, k):
                    raise ValueError('Key \'%s\' not found in base parameters.' % k)
                v = _ensure_compatible_type(k, getattr(base_params, k), v)
                setattr(base_params, k, v)
        return base_params

    def _ensure_compatible_type(key, base, override):
        if base is None:
            return override
        if isinstance(override, type(base)):
            return override
        if isinstance(base, float) and isinstance(override, int):
            return float(override)
        raise ValueError('Expected \'%s\' in override parameters to have type \'%s\', but found \'%s\'.' % (key, type(base), type(override)))
    """#

/// The NNI benchmark's trial (`benchmarks/nni/main.py`), in the shape of NNI's examples (argparse defaults,
/// merge_parameter, five epochs of report_intermediate_result, then report_final_result), and its search space:
/// the tests run the very files the benchmark runs with the real `nni` package.
let nniTrial = benchmarkFile("main.py")
let nniSpace = benchmarkFile("search_space.json")

private func benchmarkFile(_ name: String) -> String {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return (try? String(contentsOf: repository.appendingPathComponent("benchmarks/nni/" + name), encoding: .utf8)) ?? ""
}
