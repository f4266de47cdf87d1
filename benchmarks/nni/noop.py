"""The smallest NNI trial: import the SDK, take the parameters, report twice (what per-trial overhead is measured on)."""
import nni

params = nni.get_next_parameter()
nni.report_intermediate_result(0.5)
nni.report_final_result(0.5)
