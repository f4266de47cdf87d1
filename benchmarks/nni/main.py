import argparse
import nni
from nni.utils import merge_parameter

def get_params():
    parser = argparse.ArgumentParser(description='An NNI trial in the shape of NNI examples')
    parser.add_argument('--initial_lr', type=float, default=0.01)
    parser.add_argument('--optimizer', type=str, default='sgd')
    parser.add_argument('--batch_size', type=int, default=64)
    parser.add_argument('--epochs', type=int, default=5)
    args, _ = parser.parse_known_args()
    return args

def accuracy(params, epoch):
    bonus = {'sgd': 0.0, 'adam': 0.05, 'rmsprop': 0.03}[params['optimizer']]
    return 0.5 + bonus + 0.3 * (epoch + 1) / params['epochs'] - abs(params['initial_lr'] - 0.05) - params['batch_size'] / 10000

def main(params):
    acc = 0.0
    for epoch in range(params['epochs']):
        acc = accuracy(params, epoch)
        nni.report_intermediate_result(acc)
        print('epoch', epoch, 'accuracy', acc)
    nni.report_final_result(acc)

if __name__ == '__main__':
    tuner_params = nni.get_next_parameter()
    params = vars(merge_parameter(get_params(), tuner_params))
    print(params)
    main(params)
