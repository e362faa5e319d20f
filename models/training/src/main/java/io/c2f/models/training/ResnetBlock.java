package io.c2f.models.training;

import ai.djl.ndarray.NDArray;

/** diffusers ResnetBlock2D: GN-SiLU-conv, + projected time embedding, GN-SiLU-conv, 1x1 shortcut when channels change. */
final class ResnetBlock {
    private final GroupNorm norm1;
    private final GroupNorm norm2;
    private final NDArray conv1W;
    private final NDArray conv1B;
    private final NDArray conv2W;
    private final NDArray conv2B;
    private final NDArray projW;
    private final NDArray projB;
    private final NDArray shortcutW;
    private final NDArray shortcutB;

    ResnetBlock(ParameterStore p, String prefix, int groups, float eps, boolean shortcut) {
        norm1 = new GroupNorm(p, prefix + ".norm1", groups, eps);
        norm2 = new GroupNorm(p, prefix + ".norm2", groups, eps);
        conv1W = p.get(prefix + ".conv1.weight");
        conv1B = p.get(prefix + ".conv1.bias");
        conv2W = p.get(prefix + ".conv2.weight");
        conv2B = p.get(prefix + ".conv2.bias");
        projW = p.get(prefix + ".time_emb_proj.weight");
        projB = p.get(prefix + ".time_emb_proj.bias");
        shortcutW = shortcut ? p.get(prefix + ".conv_shortcut.weight") : null;
        shortcutB = shortcut ? p.get(prefix + ".conv_shortcut.bias") : null;
    }

    /** @param embSilu SiLU of the time(+label) embedding, [N, D] */
    NDArray forward(NDArray x, NDArray embSilu) {
        NDArray h = Nn.conv(Nn.silu(norm1.forward(x)), conv1W, conv1B);
        long n = h.getShape().get(0);
        long c = h.getShape().get(1);
        h = h.add(Nn.linear(embSilu, projW, projB).reshape(n, c, 1, 1));
        h = Nn.conv(Nn.silu(norm2.forward(h)), conv2W, conv2B);
        NDArray skip = shortcutW != null ? Nn.conv(x, shortcutW, shortcutB) : x;
        return skip.add(h);
    }
}
