package io.c2f.models.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;

/** Stateless layers with PyTorch semantics over NCHW arrays; results live on the input's manager. */
final class Nn {
    private Nn() {
    }

    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    /** Conv2d, stride 1, padding k/2 (k from the weight). */
    static NDArray conv(NDArray x, NDArray weight, NDArray bias) {
        long k = weight.getShape().get(2);
        return Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(k / 2, k / 2)).singletonOrThrow();
    }

    static NDArray conv(NDArray x, NDArray weight, NDArray bias, int stride) {
        return Conv2d.conv2d(x, weight, bias, new Shape(stride, stride), new Shape(0, 0)).singletonOrThrow();
    }

    /** x [..., in] -> [..., out], weight [out, in]. */
    static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
