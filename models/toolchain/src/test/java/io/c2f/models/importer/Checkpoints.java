package io.c2f.models.importer;

import io.c2f.models.writer.Half;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** Writes diffusers-style safetensors checkpoints for the tests (any dtype, any header). */
final class Checkpoints {
    private Checkpoints() {
    }

    /**
     * The tensors of google/ddpm-cifar10-32's diffusion_pytorch_model.safetensors, enumerated here
     * from the diffusers UNet2DModel constructor (not from UnetConfig, which is under test): deprecated
     * attention names, no class embedding.
     */
    static Map<String, int[]> ddpmCifar10Layout() {
        int[] blockOut = {128, 256, 256, 256};
        boolean[] downAttn = {false, true, false, false};
        boolean[] upAttn = {false, false, true, false};
        int layers = 2;
        int temb = 4 * blockOut[0];
        Map<String, int[]> p = new LinkedHashMap<>();
        p.put("conv_in.weight", new int[] {128, 3, 3, 3});
        p.put("conv_in.bias", new int[] {128});
        p.put("time_embedding.linear_1.weight", new int[] {temb, 128});
        p.put("time_embedding.linear_1.bias", new int[] {temb});
        p.put("time_embedding.linear_2.weight", new int[] {temb, temb});
        p.put("time_embedding.linear_2.bias", new int[] {temb});
        int output = blockOut[0];
        for (int i = 0; i < blockOut.length; i++) {
            int input = output;
            output = blockOut[i];
            for (int j = 0; j < layers; j++) {
                resnet(p, "down_blocks." + i + ".resnets." + j, j == 0 ? input : output, output, temb);
                if (downAttn[i]) {
                    deprecatedAttention(p, "down_blocks." + i + ".attentions." + j, output);
                }
            }
            if (i < blockOut.length - 1) {
                p.put("down_blocks." + i + ".downsamplers.0.conv.weight", new int[] {output, output, 3, 3});
                p.put("down_blocks." + i + ".downsamplers.0.conv.bias", new int[] {output});
            }
        }
        int mid = blockOut[blockOut.length - 1];
        resnet(p, "mid_block.resnets.0", mid, mid, temb);
        deprecatedAttention(p, "mid_block.attentions.0", mid);
        resnet(p, "mid_block.resnets.1", mid, mid, temb);
        int[] reversed = {256, 256, 256, 128};
        output = reversed[0];
        for (int i = 0; i < reversed.length; i++) {
            int prevOutput = output;
            output = reversed[i];
            int input = reversed[Math.min(i + 1, reversed.length - 1)];
            for (int j = 0; j <= layers; j++) {
                int skip = j == layers ? input : output;
                resnet(p, "up_blocks." + i + ".resnets." + j, (j == 0 ? prevOutput : output) + skip, output, temb);
                if (upAttn[i]) {
                    deprecatedAttention(p, "up_blocks." + i + ".attentions." + j, output);
                }
            }
            if (i < reversed.length - 1) {
                p.put("up_blocks." + i + ".upsamplers.0.conv.weight", new int[] {output, output, 3, 3});
                p.put("up_blocks." + i + ".upsamplers.0.conv.bias", new int[] {output});
            }
        }
        p.put("conv_norm_out.weight", new int[] {128});
        p.put("conv_norm_out.bias", new int[] {128});
        p.put("conv_out.weight", new int[] {3, 128, 3, 3});
        p.put("conv_out.bias", new int[] {3});
        return p;
    }

    /** config.json of google/ddpm-cifar10-32 as published (diffusers 0.1.0 era). */
    static final String DDPM_CIFAR10_CONFIG = """
            {
              "_class_name": "UNet2DModel",
              "_diffusers_version": "0.1.0",
              "act_fn": "silu",
              "attention_head_dim": null,
              "block_out_channels": [128, 256, 256, 256],
              "center_input_sample": false,
              "down_block_types": ["DownBlock2D", "AttnDownBlock2D", "DownBlock2D", "DownBlock2D"],
              "downsample_padding": 0,
              "flip_sin_to_cos": false,
              "freq_shift": 1,
              "in_channels": 3,
              "layers_per_block": 2,
              "mid_block_scale_factor": 1,
              "norm_eps": 1e-06,
              "norm_num_groups": 32,
              "out_channels": 3,
              "sample_size": 32,
              "time_embedding_type": "positional",
              "up_block_types": ["UpBlock2D", "UpBlock2D", "AttnUpBlock2D", "UpBlock2D"]
            }
            """;

    private static void resnet(Map<String, int[]> p, String prefix, int in, int out, int temb) {
        p.put(prefix + ".norm1.weight", new int[] {in});
        p.put(prefix + ".norm1.bias", new int[] {in});
        p.put(prefix + ".conv1.weight", new int[] {out, in, 3, 3});
        p.put(prefix + ".conv1.bias", new int[] {out});
        p.put(prefix + ".time_emb_proj.weight", new int[] {out, temb});
        p.put(prefix + ".time_emb_proj.bias", new int[] {out});
        p.put(prefix + ".norm2.weight", new int[] {out});
        p.put(prefix + ".norm2.bias", new int[] {out});
        p.put(prefix + ".conv2.weight", new int[] {out, out, 3, 3});
        p.put(prefix + ".conv2.bias", new int[] {out});
        if (in != out) {
            p.put(prefix + ".conv_shortcut.weight", new int[] {out, in, 1, 1});
            p.put(prefix + ".conv_shortcut.bias", new int[] {out});
        }
    }

    private static void deprecatedAttention(Map<String, int[]> p, String prefix, int c) {
        p.put(prefix + ".group_norm.weight", new int[] {c});
        p.put(prefix + ".group_norm.bias", new int[] {c});
        for (String m : List.of("query", "key", "value", "proj_attn")) {
            p.put(prefix + "." + m + ".weight", new int[] {c, c});
            p.put(prefix + "." + m + ".bias", new int[] {c});
        }
    }

    /** Current diffusers names -> the deprecated attention names of older uploads. */
    static Map<String, int[]> deprecatedNames(Map<String, int[]> current) {
        Map<String, int[]> out = new LinkedHashMap<>();
        current.forEach((name, shape) -> out.put(name.replace(".to_q.", ".query.").replace(".to_k.", ".key.")
                .replace(".to_v.", ".value.").replace(".to_out.0.", ".proj_attn."), shape));
        return out;
    }

    static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * Random values (conv/linear weights scaled by 1/sqrt(fan_in), norm scales around 1, small
     * biases) for each tensor, as the given dtype will store them (F16 values are rounded to half).
     */
    static Map<String, float[]> randomValues(Map<String, int[]> shapes, long seed, String dtype) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> values = new LinkedHashMap<>();
        shapes.forEach((name, shape) -> {
            float[] a = new float[(int) numel(shape)];
            boolean norm = name.contains("norm") && shape.length == 1;
            double scale = shape.length > 1 ? Math.sqrt(3.0 / (numel(shape) / shape[0])) : norm ? 0.1 : 0.05;
            for (int i = 0; i < a.length; i++) {
                float v = (float) ((norm && name.endsWith(".weight") ? 1 : 0) + scale * (2 * random.nextDouble() - 1));
                a[i] = dtype.equals("F16") ? Half.toFloat(Half.fromFloat(v)) : v;
            }
            values.put(name, a);
        });
        return values;
    }

    /** One header entry: the data is written as dtype (F32 or F16) unless raw bytes are given. */
    record Entry(String dtype, int[] shape, float[] values, byte[] raw) {
        static Entry of(String dtype, int[] shape, float[] values) {
            return new Entry(dtype, shape, values, null);
        }

        byte[] bytes() {
            if (raw != null) {
                return raw;
            }
            int width = dtype.equals("F16") ? 2 : 4;
            ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values) {
                if (width == 2) {
                    b.putShort(Half.fromFloat(v));
                } else {
                    b.putFloat(v);
                }
            }
            return b.array();
        }
    }

    /** Writes the tensors sorted by name, as the safetensors library orders same-dtype tensors. */
    static void write(Path file, Map<String, float[]> values, Map<String, int[]> shapes, String dtype)
            throws IOException {
        Map<String, Entry> entries = new TreeMap<>();
        values.forEach((name, v) -> entries.put(name, Entry.of(dtype, shapes.get(name), v)));
        write(file, entries);
    }

    static void write(Path file, Map<String, Entry> entries) throws IOException {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        List<byte[]> blobs = new ArrayList<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            byte[] bytes = e.getValue().bytes();
            blobs.add(bytes);
            json.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"").append(e.getValue().dtype())
                    .append("\",\"shape\":").append(Arrays.toString(e.getValue().shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes.length).append("]}");
            offset += bytes.length;
        }
        json.append('}');
        while (json.length() % 8 != 0) {
            json.append(' ');
        }
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (byte[] b : blobs) {
                out.write(b);
            }
        }
    }
}
