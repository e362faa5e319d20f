package io.c2f.models.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * torch.nn.GroupNorm over NCHW (DJL 0.36 has no GroupNorm block): statistics per (image, group)
 * over the group's channels and all pixels, biased variance, then a per-channel affine map.
 */
final class GroupNorm {
    private final NDArray gamma;
    private final NDArray beta;
    private final int groups;
    private final float eps;

    GroupNorm(ParameterStore p, String prefix, int groups, float eps) {
        this.gamma = p.get(prefix + ".weight");
        this.beta = p.get(prefix + ".bias");
        this.groups = groups;
        this.eps = eps;
    }

    NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        NDArray g = x.reshape(n, groups, -1);
        NDArray mean = g.mean(new int[] {2}, true);
        NDArray centred = g.sub(mean);
        NDArray var = centred.square().mean(new int[] {2}, true);
        NDArray normed = centred.div(var.add(eps).sqrt()).reshape(s);
        NDArray scale = ParameterStore.onStep(gamma.reshape(1, c, 1, 1), x.getManager());
        NDArray shift = ParameterStore.onStep(beta.reshape(1, c, 1, 1), x.getManager());
        return normed.mul(scale).add(shift);
    }
}
