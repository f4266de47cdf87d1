"""Held-out objectives for labmake's tuner: five more, beside the shared benchmark's four, so that the
TPE is not tuned to those alone. `held-out.sh` copies ../shared/bench/tuner to a scratch folder,
registers these in its OBJECTIVES (same schema: space, direction, optimum, fn) and runs Optuna's TPE
and labmake's on them.

hartmann3    3-D in [0,1]^3, minimize, f* = -3.86278 (four basins)
ackley4      4-D in [-5,10]^4, minimize, f* = 0 at a shifted point (many local minima)
styblinski5  5-D in [-5,5]^5, minimize, f* = -39.16617*5 (2^5 basins)
cnnlab       a CIFAR-10 tuning lab's space: log-scale lr and weight decay, momentum, batch size,
             optimizer and augmentation choices, quantized dropout, integer width; the best lr
             depends on the optimizer and batch size. Minimize (an error rate), f* = 0.07.
translab     a fine-tuning lab's space, half of it choices (optimizer, schedule, warm-up steps, batch
             size) beside log-scale lr and weight decay, quantized label smoothing and an integer
             count of frozen layers; the best lr depends on the optimizer and the batch size, the
             best weight decay on the optimizer. Written before any tuner was run on it, to check
             the choice-heavy rule of `tuner: auto` on a space it was not drawn from. f* = 0.10.
"""
import math
from objectives import OBJECTIVES

H3_A = ((3.0, 10, 30), (0.1, 10, 35), (3.0, 10, 30), (0.1, 10, 35))
H3_P = ((0.3689, 0.1170, 0.2673), (0.4699, 0.4387, 0.7470), (0.1091, 0.8732, 0.5547), (0.0381, 0.5743, 0.8828))
H3_ALPHA = (1.0, 1.2, 3.0, 3.2)
def hartmann3(p):
    x = [float(p[f"x{i}"]) for i in range(1, 4)]
    return -sum(H3_ALPHA[i] * math.exp(-sum(H3_A[i][j] * (x[j] - H3_P[i][j]) ** 2 for j in range(3))) for i in range(4))

SHIFT = (1.37, -0.81, 2.29, 0.53)
def ackley4(p):
    x = [float(p[f"x{i}"]) - SHIFT[i - 1] for i in range(1, 5)]
    n = len(x)
    return (-20 * math.exp(-0.2 * math.sqrt(sum(v * v for v in x) / n))
            - math.exp(sum(math.cos(2 * math.pi * v) for v in x) / n) + 20 + math.e)

def styblinski5(p):
    x = [float(p[f"x{i}"]) for i in range(1, 6)]
    return sum(v ** 4 - 16 * v ** 2 + 5 * v for v in x) / 2

LR_BEST = {"sgd": 0.1, "adam": 1e-3, "rmsprop": 3e-4}
WD_BEST = {"sgd": 5e-4, "adam": 1e-5, "rmsprop": 1e-5}
OPT_PEN = {"sgd": 0.0, "adam": 0.01, "rmsprop": 0.02}
AUG_PEN = {"none": 0.08, "flip": 0.04, "flip+crop": 0.0, "cutout": 0.01}
BS_PEN = {32: 0.01, 64: 0.0, 128: 0.002, 256: 0.01}
def cnnlab(p):
    opt, aug, bs = str(p["optimizer"]), str(p["augment"]), int(p["batch_size"])
    lr_best = LR_BEST[opt] * (bs / 128 if opt == "sgd" else 1)
    err = 0.07 + OPT_PEN[opt] + AUG_PEN[aug] + BS_PEN[bs]
    err += 0.03 * (math.log10(float(p["lr"])) - math.log10(lr_best)) ** 2
    err += 0.004 * (math.log10(float(p["weight_decay"])) - math.log10(WD_BEST[opt])) ** 2
    if opt == "sgd":
        err += 0.5 * (float(p["momentum"]) - 0.9) ** 2
    err += 0.2 * (float(p["dropout"]) - (0.3 if aug == "none" else 0.15)) ** 2
    err += 0.004 * (int(p["width"]) - 3) ** 2
    return err

T_LR_BEST = {"adamw": 3e-5, "sgd": 3e-3}
T_WD_BEST = {"adamw": 1e-2, "sgd": 1e-4}
T_OPT_PEN = {"adamw": 0.0, "sgd": 0.02}
T_SCHED_PEN = {"constant": 0.015, "linear": 0.0, "cosine": 0.002}
T_WARMUP_PEN = {0: 0.012, 100: 0.003, 500: 0.0, 1000: 0.002}
T_BS_PEN = {8: 0.006, 16: 0.0, 32: 0.001, 64: 0.004}
def translab(p):
    opt, sched, warmup, bs = str(p["optimizer"]), str(p["schedule"]), int(p["warmup"]), int(p["batch_size"])
    lr_best = T_LR_BEST[opt] * math.sqrt(bs / 16)
    err = 0.10 + T_OPT_PEN[opt] + T_SCHED_PEN[sched] + T_WARMUP_PEN[warmup] + T_BS_PEN[bs]
    err += 0.02 * (math.log10(float(p["lr"])) - math.log10(lr_best)) ** 2
    err += 0.003 * (math.log10(float(p["weight_decay"])) - math.log10(T_WD_BEST[opt])) ** 2
    err += 0.1 * (float(p["label_smoothing"]) - 0.1) ** 2
    err += 0.0008 * (int(p["frozen_layers"]) - 2) ** 2
    return err

OBJECTIVES["hartmann3"] = {"space": {f"x{i}": {"_type": "uniform", "_value": [0.0, 1.0]} for i in range(1, 4)},
    "direction": "minimize", "optimum": -3.86278214782076, "fn": hartmann3}
OBJECTIVES["ackley4"] = {"space": {f"x{i}": {"_type": "uniform", "_value": [-5.0, 10.0]} for i in range(1, 5)},
    "direction": "minimize", "optimum": 0.0, "fn": ackley4}
OBJECTIVES["styblinski5"] = {"space": {f"x{i}": {"_type": "uniform", "_value": [-5.0, 5.0]} for i in range(1, 6)},
    "direction": "minimize", "optimum": -39.16616570377142 * 5, "fn": styblinski5}
OBJECTIVES["cnnlab"] = {"space": {
    "lr": {"_type": "loguniform", "_value": [1e-5, 1.0]},
    "weight_decay": {"_type": "loguniform", "_value": [1e-7, 1e-2]},
    "momentum": {"_type": "uniform", "_value": [0.5, 0.99]},
    "batch_size": {"_type": "choice", "_value": [32, 64, 128, 256]},
    "optimizer": {"_type": "choice", "_value": ["sgd", "adam", "rmsprop"]},
    "augment": {"_type": "choice", "_value": ["none", "flip", "flip+crop", "cutout"]},
    "dropout": {"_type": "quniform", "_value": [0.0, 0.6, 0.05]},
    "width": {"_type": "randint", "_value": [1, 6]}},
    "direction": "minimize", "optimum": 0.07, "fn": cnnlab}
OBJECTIVES["translab"] = {"space": {
    "optimizer": {"_type": "choice", "_value": ["adamw", "sgd"]},
    "schedule": {"_type": "choice", "_value": ["constant", "linear", "cosine"]},
    "warmup": {"_type": "choice", "_value": [0, 100, 500, 1000]},
    "batch_size": {"_type": "choice", "_value": [8, 16, 32, 64]},
    "lr": {"_type": "loguniform", "_value": [1e-6, 1e-1]},
    "weight_decay": {"_type": "loguniform", "_value": [1e-6, 1e-1]},
    "label_smoothing": {"_type": "quniform", "_value": [0.0, 0.3, 0.05]},
    "frozen_layers": {"_type": "randint", "_value": [0, 12]}},
    "direction": "minimize", "optimum": 0.10, "fn": translab}
