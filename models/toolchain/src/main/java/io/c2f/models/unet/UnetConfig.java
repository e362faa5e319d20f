package io.c2f.models.unet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Architecture of a DDPM UNet, following diffusers UNet2DModel so that parameter names map 1:1:
 * per level a down block of {@code resBlocksPerLevel} ResnetBlock2D (+ attention where listed, then
 * a stride-2 conv except at the last level), a resnet-attention-resnet mid block, mirrored up blocks
 * of {@code resBlocksPerLevel + 1} resnets over concatenated skips (+ attention, then nearest 2x
 * + conv except at the last), GroupNorm + SiLU + conv out. Time embedding: sinusoidal
 * (flip_sin_to_cos=false, freq_shift=1) of size baseChannels, Linear-SiLU-Linear to timeEmbedDim.
 * Plus a resolution-label embedding (diffusers name "class_embedding.weight", numResolutionLabels x
 * timeEmbedDim) added to the time embedding: the "1DM-label" of METHOD.md; zero rows leave the
 * model unchanged.
 *
 * @param attentionLevels down levels (0 = full resolution) whose blocks carry attention; the up
 *     block at the same resolution (index levels-1-level) carries it too
 */
public record UnetConfig(int baseChannels, List<Integer> channelMultipliers, int resBlocksPerLevel,
                         Set<Integer> attentionLevels, int groups, int timeEmbedDim, int numResolutionLabels,
                         int inChannels, float normEps) {

    public UnetConfig {
        channelMultipliers = List.copyOf(channelMultipliers);
        attentionLevels = Set.copyOf(attentionLevels);
        if (channelMultipliers.isEmpty() || resBlocksPerLevel < 1 || numResolutionLabels < 1) {
            throw new IllegalArgumentException("need at least one level, one res block and one resolution label");
        }
        for (int m : channelMultipliers) {
            if ((baseChannels * m) % groups != 0) {
                throw new IllegalArgumentException("channels " + baseChannels * m + " not divisible by " + groups + " groups");
            }
        }
        for (int level : attentionLevels) {
            if (level < 0 || level >= channelMultipliers.size()) {
                throw new IllegalArgumentException("attention level " + level + " outside 0.." + (channelMultipliers.size() - 1));
            }
        }
        if (baseChannels % 2 != 0) {
            throw new IllegalArgumentException("baseChannels must be even (sinusoidal embedding), got " + baseChannels);
        }
    }

    /** google/ddpm-cifar10-32 (35.7M parameters) plus a 2-row resolution-label embedding. */
    public static UnetConfig ddpmCifar10() {
        return new UnetConfig(128, List.of(1, 2, 2, 2), 2, Set.of(1), 32, 512, 2, 3, 1e-6f);
    }

    /** A small UNet to train on CPU and run on edge devices: channels 32/64/64, attention at 8x8 (for 32x32 input). */
    public static UnetConfig edgeSmall() {
        return new UnetConfig(32, List.of(1, 2, 2), 2, Set.of(2), 8, 128, 2, 3, 1e-6f);
    }

    public int levels() {
        return channelMultipliers.size();
    }

    /** diffusers block_out_channels. */
    public int blockChannels(int level) {
        return baseChannels * channelMultipliers.get(level);
    }

    public boolean downAttention(int level) {
        return attentionLevels.contains(level);
    }

    /** Up block i runs at the resolution of down level levels-1-i. */
    public boolean upAttention(int upBlock) {
        return attentionLevels.contains(levels() - 1 - upBlock);
    }

    /** Spatial sizes must be divisible by this (one halving per level but the last). */
    public int sizeDivisor() {
        return 1 << (levels() - 1);
    }

    /** Every parameter with its PyTorch shape, in diffusers names and module order. */
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> p = new LinkedHashMap<>();
        int c0 = blockChannels(0);
        conv(p, "conv_in", inChannels, c0, 3);
        linear(p, "time_embedding.linear_1", c0, timeEmbedDim);
        linear(p, "time_embedding.linear_2", timeEmbedDim, timeEmbedDim);
        p.put("class_embedding.weight", new int[] {numResolutionLabels, timeEmbedDim});
        int prev = c0;
        for (int i = 0; i < levels(); i++) {
            int out = blockChannels(i);
            for (int j = 0; j < resBlocksPerLevel; j++) {
                resnet(p, "down_blocks." + i + ".resnets." + j, j == 0 ? prev : out, out);
                if (downAttention(i)) {
                    attention(p, "down_blocks." + i + ".attentions." + j, out);
                }
            }
            if (i < levels() - 1) {
                conv(p, "down_blocks." + i + ".downsamplers.0.conv", out, out, 3);
            }
            prev = out;
        }
        int mid = blockChannels(levels() - 1);
        resnet(p, "mid_block.resnets.0", mid, mid);
        attention(p, "mid_block.attentions.0", mid);
        resnet(p, "mid_block.resnets.1", mid, mid);
        int out = mid;
        for (int i = 0; i < levels(); i++) {
            int prevOut = out;
            out = blockChannels(levels() - 1 - i);
            int in = blockChannels(Math.max(levels() - 2 - i, 0));
            for (int j = 0; j <= resBlocksPerLevel; j++) {
                int skip = j == resBlocksPerLevel ? in : out;
                int resIn = j == 0 ? prevOut : out;
                resnet(p, "up_blocks." + i + ".resnets." + j, resIn + skip, out);
                if (upAttention(i)) {
                    attention(p, "up_blocks." + i + ".attentions." + j, out);
                }
            }
            if (i < levels() - 1) {
                conv(p, "up_blocks." + i + ".upsamplers.0.conv", out, out, 3);
            }
        }
        norm(p, "conv_norm_out", c0);
        conv(p, "conv_out", c0, inChannels, 3);
        return p;
    }

    public long parameterCount() {
        long n = 0;
        for (int[] shape : parameterShapes().values()) {
            long k = 1;
            for (int d : shape) {
                k *= d;
            }
            n += k;
        }
        return n;
    }

    private void resnet(Map<String, int[]> p, String prefix, int in, int out) {
        norm(p, prefix + ".norm1", in);
        conv(p, prefix + ".conv1", in, out, 3);
        linear(p, prefix + ".time_emb_proj", timeEmbedDim, out);
        norm(p, prefix + ".norm2", out);
        conv(p, prefix + ".conv2", out, out, 3);
        if (in != out) {
            conv(p, prefix + ".conv_shortcut", in, out, 1);
        }
    }

    private static void attention(Map<String, int[]> p, String prefix, int c) {
        norm(p, prefix + ".group_norm", c);
        for (String m : List.of("to_q", "to_k", "to_v", "to_out.0")) {
            linear(p, prefix + "." + m, c, c);
        }
    }

    private static void conv(Map<String, int[]> p, String prefix, int in, int out, int k) {
        p.put(prefix + ".weight", new int[] {out, in, k, k});
        p.put(prefix + ".bias", new int[] {out});
    }

    private static void linear(Map<String, int[]> p, String prefix, int in, int out) {
        p.put(prefix + ".weight", new int[] {out, in});
        p.put(prefix + ".bias", new int[] {out});
    }

    private static void norm(Map<String, int[]> p, String prefix, int c) {
        p.put(prefix + ".weight", new int[] {c});
        p.put(prefix + ".bias", new int[] {c});
    }

    /** Names of the resnet/attention modules in forward order (for documentation and debugging). */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        parameterShapes().forEach((k, v) -> lines.add(k + " " + java.util.Arrays.toString(v)));
        return lines;
    }
}
