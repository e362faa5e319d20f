package io.c2f.models.unet;

import io.c2f.models.writer.GraphForm;
import io.c2f.models.writer.LayerBackend;
import io.c2f.models.writer.Subgraph;
import io.c2f.models.writer.TfliteBackend;
import io.c2f.models.writer.onnx.OnnxBackend;
import io.c2f.models.writer.onnx.OnnxGraph;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The UNet forward pass of a {@link UnetConfig}, described once in {@link LayerBackend} layers and
 * written as TFLite subgraphs or (through {@code OnnxBackend}) one ONNX graph.
 */
public final class UnetGraph {
    private final UnetConfig cfg;
    private final UnetWeights weights;

    public UnetGraph(UnetWeights weights) {
        this.cfg = weights.config();
        this.weights = weights;
    }

    /**
     * A fixed-resolution TFLite graph: inputs "x" [B,H,W,C] and "t" [B] (batch resizable, -1 in the
     * signature), output "eps"; the resolution label's embedding row is a constant.
     */
    public void emitFixed(Subgraph s, int height, int width, int label, GraphForm form) {
        checkLabel(label);
        checkSize(height, width);
        emit(TfliteBackend.fixed(s, weights::get, height, width, cfg.inChannels(), label, form));
    }

    /**
     * A shape-free TFLite graph: inputs "x" [B,H,W,C] (any batch and size divisible by
     * {@link UnetConfig#sizeDivisor()}), "t" [B], "label" int32 [B]; output "eps".
     */
    public void emitShapeFree(Subgraph s, int nominalSide, GraphForm form) {
        emit(TfliteBackend.shapeFree(s, weights::get, nominalSide, cfg.inChannels(), form));
    }

    /**
     * The ONNX graph for every batch and resolution: inputs "x" [batch, height, width, C] float,
     * "t" [batch] float, "label" [batch] int64; output "eps" (see {@link OnnxBackend}).
     */
    public void emitOnnx(OnnxGraph g) {
        emit(new OnnxBackend(g, weights::get));
    }

    /** The model description, written through any backend: inputs x, t and the label embedding; output eps. */
    public void emit(LayerBackend l) {
        int x = l.imageInput("x", cfg.inChannels());
        int t = l.timeInput("t");
        int labelEmb = l.labelEmbedding("class_embedding.weight", cfg.numResolutionLabels(), cfg.timeEmbedDim());
        l.output("eps", body(l, x, t, labelEmb));
    }

    private int body(LayerBackend l, int x, int t, int labelEmb) {
        int c0 = cfg.blockChannels(0);
        int temb = l.timestepEmbedding(t, c0, false, 1f);
        temb = l.linear(l.silu(l.linear(temb, "time_embedding.linear_1", c0, cfg.timeEmbedDim())),
                "time_embedding.linear_2", cfg.timeEmbedDim(), cfg.timeEmbedDim());
        temb = l.add(temb, labelEmb);
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
                    h = l.attention(h, "down_blocks." + i + ".attentions." + j, out, cfg.groups(), cfg.normEps());
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
        h = l.attention(h, "mid_block.attentions.0", ch, cfg.groups(), cfg.normEps());
        h = resnet(l, h, tembAct, "mid_block.resnets.1", ch, ch);
        for (int i = 0; i < cfg.levels(); i++) {
            int out = cfg.blockChannels(cfg.levels() - 1 - i);
            for (int j = 0; j <= cfg.resBlocksPerLevel(); j++) {
                int skip = skips.pop();
                int skipCh = skipChannels.pop();
                h = l.concatChannels(h, skip);
                h = resnet(l, h, tembAct, "up_blocks." + i + ".resnets." + j, ch + skipCh, out);
                ch = out;
                if (cfg.upAttention(i)) {
                    h = l.attention(h, "up_blocks." + i + ".attentions." + j, out, cfg.groups(), cfg.normEps());
                }
            }
            if (i < cfg.levels() - 1) {
                h = l.conv(l.upsampleNearest2x(h), "up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
            }
        }
        h = l.silu(l.groupNorm(h, "conv_norm_out", c0, cfg.groups(), cfg.normEps()));
        return l.conv(h, "conv_out", c0, cfg.inChannels(), 3);
    }

    private int resnet(LayerBackend l, int x, int tembAct, String p, int in, int out) {
        int h = l.conv(l.silu(l.groupNorm(x, p + ".norm1", in, cfg.groups(), cfg.normEps())), p + ".conv1", in, out, 3);
        h = l.addProjection(h, tembAct, p + ".time_emb_proj", cfg.timeEmbedDim(), out);
        h = l.conv(l.silu(l.groupNorm(h, p + ".norm2", out, cfg.groups(), cfg.normEps())), p + ".conv2", out, out, 3);
        int shortcut = in != out ? l.conv(x, p + ".conv_shortcut", in, out, 1) : x;
        return l.add(shortcut, h);
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
