package io.c2f.models.importer;

import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a diffusers {@code UNet2DModel} safetensors checkpoint onto {@link UnetWeights} of a
 * {@link UnetConfig}: diffusers names are our names, except for attention, which older uploads
 * (google/ddpm-cifar10-32 among them) store under the deprecated {@code query/key/value/proj_attn}
 * names; both schemes hold the same [C, C] linears. The resolution-label table
 * ({@code class_embedding.weight}), which a plain diffusers checkpoint lacks, is created as zeros,
 * so the imported model computes exactly what the original does at every label until fine-tuned.
 */
final class DiffusersImporter {
    public static final String LABEL_TABLE = "class_embedding.weight";

    /** How the checkpoint named its attention projections. */
    public enum AttentionNaming {
        /** to_q, to_k, to_v, to_out.0 (diffusers since 0.15). */
        CURRENT,
        /** query, key, value, proj_attn (diffusers AttentionBlock, before 0.15). */
        DEPRECATED,
        /** both, in different blocks. */
        MIXED,
        /** the checkpoint has no attention tensors. */
        NONE
    }

    /**
     * @param checkpointParameters values in the checkpoint file (what the original model has)
     * @param labelTableZeroed true when the checkpoint had no label table and it was created as zeros
     */
    public record ImportedCheckpoint(UnetWeights weights, AttentionNaming attentionNaming, long checkpointParameters,
                                     boolean labelTableZeroed, Map<String, Integer> dtypes) {
        public ImportedCheckpoint {
            dtypes = Map.copyOf(dtypes);
        }
    }

    private static final Pattern DEPRECATED_ATTENTION =
            Pattern.compile("(.*\\.attentions\\.\\d+)\\.(query|key|value|proj_attn)\\.(weight|bias)");
    private static final Pattern CURRENT_ATTENTION =
            Pattern.compile(".*\\.attentions\\.\\d+\\.(to_q|to_k|to_v|to_out\\.0)\\.(weight|bias)");
    private static final Map<String, String> RENAMES = Map.of("query", "to_q", "key", "to_k", "value", "to_v",
            "proj_attn", "to_out.0");
    private static final int LISTED = 12;

    private DiffusersImporter() {
    }

    /** The current diffusers name of a checkpoint tensor name (deprecated attention names renamed). */
    public static String currentName(String checkpointName) {
        Matcher m = DEPRECATED_ATTENTION.matcher(checkpointName);
        return m.matches() ? m.group(1) + "." + RENAMES.get(m.group(2)) + "." + m.group(3) : checkpointName;
    }

    /**
     * Reads every tensor of the checkpoint into weights of {@code config}, checking that the file
     * has exactly the tensors the configuration needs (the label table may be absent) with the
     * right shapes. All problems are reported in one exception: unexpected tensors, missing
     * tensors, shape mismatches (file shape and expected shape), names that collide after renaming.
     */
    public static ImportedCheckpoint importCheckpoint(Path safetensors, UnetConfig config) throws IOException {
        CheckpointFile file = CheckpointFile.open(safetensors);
        Map<String, int[]> expected = config.parameterShapes();
        Map<String, CheckpointFile.Tensor> byName = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        List<String> collisions = new ArrayList<>();
        int deprecated = 0;
        int current = 0;
        long parameters = 0;
        Map<String, Integer> dtypes = new LinkedHashMap<>();
        for (CheckpointFile.Tensor t : file.tensors().values()) {
            String name = currentName(t.name());
            if (!name.equals(t.name())) {
                deprecated++;
            } else if (CURRENT_ATTENTION.matcher(name).matches()) {
                current++;
            }
            parameters += t.elements();
            dtypes.merge(t.dtype(), 1, Integer::sum);
            int[] shape = expected.get(name);
            if (shape == null) {
                unexpected.add(t.name() + " " + t.dtype() + Arrays.toString(t.shape()));
                continue;
            }
            if (!Arrays.equals(shape, t.shape())) {
                mismatched.add(t.name() + (name.equals(t.name()) ? "" : " (as " + name + ")") + ": file shape "
                        + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
            }
            CheckpointFile.Tensor previous = byName.put(name, t);
            if (previous != null) {
                collisions.add(previous.name() + " and " + t.name() + " are both " + name);
            }
        }
        List<String> missing = expected.keySet().stream()
                .filter(n -> !byName.containsKey(n) && !n.equals(LABEL_TABLE)).toList();
        List<String> problems = new ArrayList<>();
        section(problems, "unexpected tensors (not part of " + describe(config) + ")", unexpected);
        section(problems, "missing tensors", missing);
        section(problems, "shape mismatches", mismatched);
        section(problems, "name collisions after renaming deprecated attention names", collisions);
        if (!problems.isEmpty()) {
            throw new DiffusersImportException(safetensors + " does not fit the configuration:\n" + String.join("\n", problems));
        }
        Map<String, float[]> tensors = new LinkedHashMap<>();
        boolean zeroed = !byName.containsKey(LABEL_TABLE);
        for (Map.Entry<String, int[]> e : expected.entrySet()) {
            CheckpointFile.Tensor t = byName.get(e.getKey());
            tensors.put(e.getKey(), t != null ? file.read(t) : new float[e.getValue()[0] * e.getValue()[1]]);
        }
        AttentionNaming naming = deprecated > 0 && current > 0 ? AttentionNaming.MIXED
                : deprecated > 0 ? AttentionNaming.DEPRECATED : current > 0 ? AttentionNaming.CURRENT : AttentionNaming.NONE;
        return new ImportedCheckpoint(UnetWeights.of(config, tensors), naming, parameters, zeroed, dtypes);
    }

    private static void section(List<String> problems, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        StringBuilder b = new StringBuilder("  ").append(items.size()).append(' ').append(title).append(':');
        items.stream().limit(LISTED).forEach(i -> b.append("\n    ").append(i));
        if (items.size() > LISTED) {
            b.append("\n    ... and ").append(items.size() - LISTED).append(" more");
        }
        problems.add(b.toString());
    }

    static String describe(UnetConfig c) {
        List<Integer> channels = new ArrayList<>();
        for (int i = 0; i < c.levels(); i++) {
            channels.add(c.blockChannels(i));
        }
        return "a UNet with block_out_channels " + channels + ", layers_per_block " + c.resBlocksPerLevel()
                + ", attention at down levels " + c.attentionLevels().stream().sorted().toList() + ", time embedding "
                + c.timeEmbedDim() + ", " + c.numResolutionLabels() + " resolution labels";
    }
}
