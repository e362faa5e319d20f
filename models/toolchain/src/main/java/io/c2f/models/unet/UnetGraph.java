package io.c2f.models.unet;

import io.c2f.models.writer.Layers;
import io.c2f.models.writer.Subgraph;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/** Emits the UNet forward pass of a {@link UnetConfig} into a subgraph. */
final class UnetGraph {
    private final UnetConfig cfg;
    private final UnetWeights weights;

    public UnetGraph(UnetWeights weights) {
        this.cfg = weights.config();
        this.weights = weights;
    }

    /**
     * A fixed-resolution graph: inputs "x" [B,H,W,C] and "t" [B] (batch resizable, -1 in the
     * signature), output "eps"; the resolution label's embedding row is a constant.
     */
    public void emitFixed(Subgraph s, int height, int width, int label) {
        checkLabel(label);
        checkSize(height, width);
        int x = s.input("x", new int[] {1, height, width, cfg.inChannels()}, new int[] {-1, height, width, cfg.inChannels()});
        int t = s.input("t", new int[] {1}, new int[] {-1});
        int d = cfg.timeEmbedDim();
        float[] row = Arrays.copyOfRange(weights.get("class_embedding.weight"), label * d, (label + 1) * d);
        int labelEmb = s.weight("class_embedding.weight[" + label + "]", row, new int[] {1, d});
        s.output("eps", body(s, x, t, labelEmb, false));
    }

    /**
     * A shape-free graph: inputs "x" [B,H,W,C] (any batch and size divisible by
     * {@link UnetConfig#sizeDivisor()}), "t" [B], "label" int32 [B]; output "eps".
     */
    public void emitShapeFree(Subgraph s, int nominalSide) {
        int x = s.input("x", new int[] {1, nominalSide, nominalSide, cfg.inChannels()}, new int[] {-1, -1, -1, cfg.inChannels()});
        int t = s.input("t", new int[] {1}, new int[] {-1});
        int label = s.inputInt32("label", new int[] {1}, new int[] {-1});
        int table = s.weight("class_embedding.weight", weights.get("class_embedding.weight"),
                new int[] {cfg.numResolutionLabels(), cfg.timeEmbedDim()});
        s.output("eps", body(s, x, t, s.gather(table, label), true));
    }

    private int body(Subgraph s, int x, int t, int labelEmb, boolean resizable) {
        Layers l = new Layers(s, weights::get);
        int c0 = cfg.blockChannels(0);
        int temb = l.timestepEmbedding(t, c0, false, 1f);
        temb = l.linear(l.silu(l.linear(temb, "time_embedding.linear_1", c0, cfg.timeEmbedDim())),
                "time_embedding.linear_2", cfg.timeEmbedDim(), cfg.timeEmbedDim());
        temb = s.add(temb, labelEmb);
        int tembAct = l.silu(temb); // every ResnetBlock2D applies SiLU before its time projection

        int h = l.conv(x, "conv_in", cfg.inChannels(), c0, 3);
        Deque<Integer> skips = new ArrayDeque<>();
        Deque<Integer> skipChannels = new ArrayDeque<>();
        skips.push(h);
        skipChannels.push(c0);
        int ch = c0;
        for (int i = 0; i < cfg.levels(); i++) {
            int out = cfg.blockChannels(i);
            for (int j = 0; j < cfg.resBlocksPerLevel(); j++) {
                h = resnet(l, h, tembAct, "down_blocks." + i + ".resnets." + j, ch, out);
                ch = out;
                if (cfg.downAttention(i)) {
                    h = l.attention(h, "down_blocks." + i + ".attentions." + j, out, cfg.groups(), cfg.normEps(), resizable);
                }
                skips.push(h);
                skipChannels.push(out);
            }
            if (i < cfg.levels() - 1) {
                h = l.convStride2(h, "down_blocks." + i + ".downsamplers.0.conv", out, out);
                skips.push(h);
                skipChannels.push(out);
            }
        }
        h = resnet(l, h, tembAct, "mid_block.resnets.0", ch, ch);
        h = l.attention(h, "mid_block.attentions.0", ch, cfg.groups(), cfg.normEps(), resizable);
        h = resnet(l, h, tembAct, "mid_block.resnets.1", ch, ch);
        for (int i = 0; i < cfg.levels(); i++) {
            int out = cfg.blockChannels(cfg.levels() - 1 - i);
            for (int j = 0; j <= cfg.resBlocksPerLevel(); j++) {
                int skip = skips.pop();
                int skipCh = skipChannels.pop();
                h = s.concat(3, h, skip);
                h = resnet(l, h, tembAct, "up_blocks." + i + ".resnets." + j, ch + skipCh, out);
                ch = out;
                if (cfg.upAttention(i)) {
                    h = l.attention(h, "up_blocks." + i + ".attentions." + j, out, cfg.groups(), cfg.normEps(), resizable);
                }
            }
            if (i < cfg.levels() - 1) {
                h = l.conv(l.upsampleNearest2x(h), "up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
            }
        }
        h = l.silu(l.groupNorm(h, "conv_norm_out", c0, cfg.groups(), cfg.normEps()));
        return l.conv(h, "conv_out", c0, cfg.inChannels(), 3);
    }

    private int resnet(Layers l, int x, int tembAct, String p, int in, int out) {
        Subgraph s = l.graph();
        int h = l.conv(l.silu(l.groupNorm(x, p + ".norm1", in, cfg.groups(), cfg.normEps())), p + ".conv1", in, out, 3);
        int proj = s.reshape(l.linear(tembAct, p + ".time_emb_proj", cfg.timeEmbedDim(), out), -1, 1, 1, out);
        h = s.add(h, proj);
        h = l.conv(l.silu(l.groupNorm(h, p + ".norm2", out, cfg.groups(), cfg.normEps())), p + ".conv2", out, out, 3);
        int shortcut = in != out ? l.conv(x, p + ".conv_shortcut", in, out, 1) : x;
        return s.add(shortcut, h);
    }

    private void checkLabel(int label) {
        if (label < 0 || label >= cfg.numResolutionLabels()) {
            throw new IllegalArgumentException("resolution label " + label + " outside 0.." + (cfg.numResolutionLabels() - 1));
        }
    }

    private void checkSize(int height, int width) {
        if (height % cfg.sizeDivisor() != 0 || width % cfg.sizeDivisor() != 0) {
            throw new IllegalArgumentException("resolution " + height + "x" + width + " not divisible by "
                    + cfg.sizeDivisor() + " (" + cfg.levels() + " levels)");
        }
    }
}
