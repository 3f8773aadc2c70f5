import numpy as np

import debugme


def smooth(signal, width):
    return debugme.moving_mean(signal, width)


print(smooth(np.arange(3.0), 5))
