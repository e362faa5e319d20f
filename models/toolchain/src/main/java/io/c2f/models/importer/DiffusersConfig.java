package io.c2f.models.importer;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.c2f.models.unet.UnetConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The architecture keys of a diffusers {@code UNet2DModel} config.json. A key missing from the file
 * takes the diffusers default (as {@code UNet2DModel.__init__} would), so a file that omits
 * {@code flip_sin_to_cos} means {@code true} and is refused like one that says so.
 *
 * @param attentionHeadDim null: one head per attention block (diffusers then uses the channel count)
 * @param timeEmbeddingDim null: 4 x block_out_channels[0]
 * @param numClassEmbeds null: no class embedding table in the checkpoint
 * @param unknownKeys keys this importer does not know (reported, not interpreted)
 */
record DiffusersConfig(String className, List<Integer> blockOutChannels, int layersPerBlock,
                              List<String> downBlockTypes, List<String> upBlockTypes, int normNumGroups,
                              Integer attnNormNumGroups, double normEps, boolean flipSinToCos, double freqShift,
                              int downsamplePadding, Integer attentionHeadDim, String timeEmbeddingType,
                              Integer timeEmbeddingDim, String actFn, int inChannels, int outChannels,
                              boolean centerInputSample, double midBlockScaleFactor, String resnetTimeScaleShift,
                              boolean addAttention, String classEmbedType, Integer numClassEmbeds,
                              String downsampleType, String upsampleType, Integer sampleSize,
                              List<String> unknownKeys) {

    public static final String DOWN = "DownBlock2D";
    public static final String ATTN_DOWN = "AttnDownBlock2D";
    public static final String UP = "UpBlock2D";
    public static final String ATTN_UP = "AttnUpBlock2D";

    /** Keys that do not change the inference graph (training and bookkeeping). */
    private static final Set<String> IGNORED = Set.of("dropout", "num_train_timesteps", "_diffusers_version",
            "_name_or_path", "_use_default_values");

    public DiffusersConfig {
        blockOutChannels = List.copyOf(blockOutChannels);
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        unknownKeys = List.copyOf(unknownKeys);
    }

    public static DiffusersConfig read(Path file) throws IOException {
        Struct.Builder json = Struct.newBuilder();
        try {
            JsonFormat.parser().merge(Files.readString(file, StandardCharsets.UTF_8), json);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new DiffusersImportException(file + " is not a JSON object: " + e.getMessage(), e);
        }
        Keys k = new Keys(file, json.getFieldsMap());
        return new DiffusersConfig(
                k.string("_class_name", "UNet2DModel"),
                k.ints("block_out_channels", List.of(224, 448, 672, 896)),
                k.integer("layers_per_block", 2),
                k.strings("down_block_types", List.of(DOWN, ATTN_DOWN, ATTN_DOWN, ATTN_DOWN)),
                k.strings("up_block_types", List.of(ATTN_UP, ATTN_UP, ATTN_UP, UP)),
                k.integer("norm_num_groups", 32),
                k.optionalInteger("attn_norm_num_groups", null),
                k.number("norm_eps", 1e-5),
                k.bool("flip_sin_to_cos", true),
                k.number("freq_shift", 0),
                k.integer("downsample_padding", 1),
                k.optionalInteger("attention_head_dim", 8),
                k.string("time_embedding_type", "positional"),
                k.optionalInteger("time_embedding_dim", null),
                k.string("act_fn", "silu"),
                k.integer("in_channels", 3),
                k.integer("out_channels", 3),
                k.bool("center_input_sample", false),
                k.number("mid_block_scale_factor", 1),
                k.string("resnet_time_scale_shift", "default"),
                k.bool("add_attention", true),
                k.optionalString("class_embed_type"),
                k.optionalInteger("num_class_embeds", null),
                k.string("downsample_type", "conv"),
                k.string("upsample_type", "conv"),
                k.optionalInteger("sample_size", null),
                k.unknown()); // evaluated last: after every key above was looked up
    }

    /**
     * The {@link UnetConfig} this checkpoint fits, or an exception listing every setting the graph
     * does not implement (all of them at once, so one run tells the user everything).
     *
     * @param resolutionLabels rows of the resolution-label table when the checkpoint has no class
     *     embedding (with {@code num_class_embeds} its table is taken as the resolution labels)
     */
    public UnetConfig toUnetConfig(int resolutionLabels) throws DiffusersImportException {
        List<String> problems = new ArrayList<>();
        require(problems, "UNet2DModel".equals(className), "_class_name is " + className + ", only UNet2DModel is supported");
        require(problems, "positional".equals(timeEmbeddingType), "time_embedding_type is " + timeEmbeddingType
                + ", only positional (sinusoidal) is supported");
        require(problems, !flipSinToCos, "flip_sin_to_cos is true, the graph implements false (sin before cos)");
        require(problems, freqShift == 1, "freq_shift is " + freqShift + ", the graph implements 1");
        require(problems, downsamplePadding == 0, "downsample_padding is " + downsamplePadding
                + ", the graph implements 0 (pad right/bottom by 1, then stride-2 conv)");
        require(problems, "silu".equals(actFn) || "swish".equals(actFn), "act_fn is " + actFn + ", only silu is supported");
        require(problems, inChannels == outChannels, "in_channels " + inChannels + " != out_channels " + outChannels);
        require(problems, !centerInputSample, "center_input_sample is true, not supported");
        require(problems, midBlockScaleFactor == 1, "mid_block_scale_factor is " + midBlockScaleFactor + ", only 1 is supported");
        require(problems, "default".equals(resnetTimeScaleShift), "resnet_time_scale_shift is " + resnetTimeScaleShift
                + ", only default (additive time embedding) is supported");
        require(problems, addAttention, "add_attention is false (no mid-block attention), not supported");
        require(problems, classEmbedType == null, "class_embed_type is " + classEmbedType
                + ", only the plain embedding table (class_embed_type null) is supported");
        require(problems, "conv".equals(downsampleType), "downsample_type is " + downsampleType + ", only conv is supported");
        require(problems, "conv".equals(upsampleType), "upsample_type is " + upsampleType + ", only conv is supported");
        require(problems, attnNormNumGroups == null || attnNormNumGroups == normNumGroups,
                "attn_norm_num_groups " + attnNormNumGroups + " differs from norm_num_groups " + normNumGroups);
        int levels = blockOutChannels.size();
        require(problems, levels > 0, "block_out_channels is empty");
        require(problems, downBlockTypes.size() == levels && upBlockTypes.size() == levels, "block_out_channels has "
                + levels + " entries, down_block_types " + downBlockTypes.size() + ", up_block_types " + upBlockTypes.size());
        Set<Integer> attention = new LinkedHashSet<>();
        List<Integer> multipliers = new ArrayList<>();
        int base = levels > 0 ? blockOutChannels.get(0) : 1;
        for (int i = 0; i < levels && downBlockTypes.size() == levels && upBlockTypes.size() == levels; i++) {
            String down = downBlockTypes.get(i);
            String up = upBlockTypes.get(levels - 1 - i);
            require(problems, down.equals(DOWN) || down.equals(ATTN_DOWN), "down_block_types[" + i + "] is " + down
                    + ", supported: " + DOWN + ", " + ATTN_DOWN);
            require(problems, up.equals(UP) || up.equals(ATTN_UP), "up_block_types[" + (levels - 1 - i) + "] is " + up
                    + ", supported: " + UP + ", " + ATTN_UP);
            boolean downAttn = down.equals(ATTN_DOWN);
            require(problems, downAttn == up.equals(ATTN_UP), "down_block_types[" + i + "] " + down + " and up_block_types["
                    + (levels - 1 - i) + "] " + up + " (same resolution) must both have attention or both not");
            if (downAttn) {
                attention.add(i);
                requireSingleHead(problems, "down_blocks." + i, blockOutChannels.get(i));
            }
            int c = blockOutChannels.get(i);
            require(problems, c > 0 && c % base == 0, "block_out_channels[" + i + "] = " + c
                    + " is not a multiple of block_out_channels[0] = " + base);
            multipliers.add(base > 0 ? c / base : 0);
        }
        if (levels > 0) {
            requireSingleHead(problems, "mid_block", blockOutChannels.get(levels - 1));
        }
        int labels = numClassEmbeds != null ? numClassEmbeds : resolutionLabels;
        if (!problems.isEmpty()) {
            throw new DiffusersImportException("unsupported diffusers UNet2DModel configuration:\n  - "
                    + String.join("\n  - ", problems));
        }
        try {
            return new UnetConfig(base, multipliers, layersPerBlock, attention, normNumGroups,
                    timeEmbeddingDim != null ? timeEmbeddingDim : 4 * base, labels, inChannels, (float) normEps);
        } catch (IllegalArgumentException e) {
            throw new DiffusersImportException("unsupported diffusers UNet2DModel configuration: " + e.getMessage(), e);
        }
    }

    private void requireSingleHead(List<String> problems, String block, int channels) {
        // diffusers: heads = channels / attention_head_dim, attention_head_dim null meaning channels.
        require(problems, attentionHeadDim == null || attentionHeadDim == channels, "attention_head_dim is "
                + attentionHeadDim + ": " + block + " would have " + (attentionHeadDim == null || attentionHeadDim == 0 ? "?"
                : channels / attentionHeadDim) + " heads over " + channels + " channels; the graph implements single-head "
                + "attention (attention_head_dim null or equal to the channel count)");
    }

    private static void require(List<String> problems, boolean ok, String problem) {
        if (!ok) {
            problems.add(problem);
        }
    }

    /** Typed access to the JSON keys with diffusers defaults; remembers which keys were used. */
    private static final class Keys {
        private final Path file;
        private final Map<String, Value> fields;
        private final Set<String> used = new LinkedHashSet<>();

        Keys(Path file, Map<String, Value> fields) {
            this.file = file;
            this.fields = fields;
        }

        private Value get(String key) {
            used.add(key);
            return fields.get(key);
        }

        private DiffusersImportException wrong(String key, String expected) {
            String json;
            try {
                json = JsonFormat.printer().omittingInsignificantWhitespace().print(fields.get(key));
            } catch (InvalidProtocolBufferException e) {
                json = fields.get(key).toString().strip();
            }
            return new DiffusersImportException(file + ": " + key + " is " + json + ", expected " + expected);
        }

        String string(String key, String def) throws DiffusersImportException {
            Value v = get(key);
            if (v == null) {
                return def;
            }
            if (!v.hasStringValue()) {
                throw wrong(key, "a string");
            }
            return v.getStringValue();
        }

        String optionalString(String key) throws DiffusersImportException {
            Value v = get(key);
            return v == null || v.hasNullValue() ? null : string(key, null);
        }

        double number(String key, double def) throws DiffusersImportException {
            Value v = get(key);
            if (v == null) {
                return def;
            }
            if (!v.hasNumberValue()) {
                throw wrong(key, "a number");
            }
            return v.getNumberValue();
        }

        int integer(String key, int def) throws DiffusersImportException {
            Value v = get(key);
            if (v == null) {
                return def;
            }
            return toInt(key, v);
        }

        Integer optionalInteger(String key, Integer def) throws DiffusersImportException {
            Value v = get(key);
            if (v == null) {
                return def;
            }
            return v.hasNullValue() ? null : toInt(key, v);
        }

        private int toInt(String key, Value v) throws DiffusersImportException {
            double d = v.getNumberValue();
            if (!v.hasNumberValue() || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw wrong(key, "an integer");
            }
            return (int) d;
        }

        boolean bool(String key, boolean def) throws DiffusersImportException {
            Value v = get(key);
            if (v == null) {
                return def;
            }
            if (!v.hasBoolValue()) {
                throw wrong(key, "true or false");
            }
            return v.getBoolValue();
        }

        List<Integer> ints(String key, List<Integer> def) throws DiffusersImportException {
            Value v = get(key);
            if (v == null) {
                return def;
            }
            if (!v.hasListValue()) {
                throw wrong(key, "a list of integers");
            }
            List<Integer> out = new ArrayList<>();
            for (Value e : v.getListValue().getValuesList()) {
                double d = e.getNumberValue();
                if (!e.hasNumberValue() || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                    throw wrong(key, "a list of integers");
                }
                out.add((int) d);
            }
            return out;
        }

        List<String> strings(String key, List<String> def) throws DiffusersImportException {
            Value v = get(key);
            if (v == null) {
                return def;
            }
            if (!v.hasListValue()) {
                throw wrong(key, "a list of strings");
            }
            List<String> out = new ArrayList<>();
            for (Value e : v.getListValue().getValuesList()) {
                if (!e.hasStringValue()) {
                    throw wrong(key, "a list of strings");
                }
                out.add(e.getStringValue());
            }
            return out;
        }

        List<String> unknown() {
            return fields.keySet().stream().filter(k -> !used.contains(k) && !IGNORED.contains(k)).sorted().toList();
        }
    }
}
