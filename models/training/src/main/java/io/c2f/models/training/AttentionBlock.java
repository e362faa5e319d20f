package io.c2f.models.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** diffusers Attention, one head over all channels: GN, q/k/v, softmax(q k^T / sqrt(C)) v, to_out, residual. */
final class AttentionBlock {
    private final GroupNorm norm;
    private final NDArray qW;
    private final NDArray qB;
    private final NDArray kW;
    private final NDArray kB;
    private final NDArray vW;
    private final NDArray vB;
    private final NDArray oW;
    private final NDArray oB;

    AttentionBlock(ParameterStore p, String prefix, int groups, float eps) {
        norm = new GroupNorm(p, prefix + ".group_norm", groups, eps);
        qW = p.get(prefix + ".to_q.weight");
        qB = p.get(prefix + ".to_q.bias");
        kW = p.get(prefix + ".to_k.weight");
        kB = p.get(prefix + ".to_k.bias");
        vW = p.get(prefix + ".to_v.weight");
        vB = p.get(prefix + ".to_v.bias");
        oW = p.get(prefix + ".to_out.0.weight");
        oB = p.get(prefix + ".to_out.0.bias");
    }

    NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        // [N, C, H, W] -> tokens [N, HW, C]
        NDArray tokens = norm.forward(x).reshape(n, c, -1).transpose(0, 2, 1);
        NDArray q = Nn.linear(tokens, qW, qB);
        NDArray k = Nn.linear(tokens, kW, kB);
        NDArray v = Nn.linear(tokens, vW, vB);
        NDArray scores = q.batchMatMul(k.transpose(0, 2, 1)).mul(1.0 / Math.sqrt(c));
        NDArray attended = scores.softmax(2).batchMatMul(v);
        NDArray out = Nn.linear(attended, oW, oB).transpose(0, 2, 1).reshape(s);
        return out.add(x);
    }
}
