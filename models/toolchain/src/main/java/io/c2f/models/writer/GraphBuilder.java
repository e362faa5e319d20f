package io.c2f.models.writer;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SignatureDefT;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.TensorMapT;

/**
 * Builds a TensorFlow Lite model: model-wide constant buffers and operator codes, several
 * {@link Subgraph}s, and signature defs.
 *
 * <p>Constant buffers are shared: a weight registered under one key is stored once, however many
 * subgraphs use it. Graph structure is packed through the schema object API; weight bytes are
 * written straight into the flatbuffer ({@code createUnintializedVector}), since the object API
 * copies them one int per byte.
 *
 * <p>{@link #serialize(List)} can embed extra "views": further Model tables inside the same file
 * whose root header sits at a known offset, so a runtime that can only run subgraph 0 opens
 * another subgraph as the primary one from a slice of the same bytes (see MODEL_FORMAT.md).
 */
public final class GraphBuilder {
    /** Magic prefix of the root model description that lists the embedded views. */
    public static final String VIEWS_PREFIX = "c2f-views:";

    private final WeightType weightType;
    private final List<byte[]> buffers = new ArrayList<>();
    private final Map<String, Integer> bufferByKey = new HashMap<>();
    private final List<OperatorCodeT> opcodes = new ArrayList<>();
    private final Map<Integer, Integer> opcodeIndex = new HashMap<>();
    private final List<Subgraph> subgraphs = new ArrayList<>();
    private long weightBytes;

    public GraphBuilder(WeightType weightType) {
        this.weightType = weightType;
        buffers.add(new byte[0]); // buffer 0: the empty sentinel every non-constant tensor points to
    }

    public WeightType weightType() {
        return weightType;
    }

    /** Starts a new subgraph; its index is the order of creation. */
    public Subgraph addSubgraph(String name) {
        Subgraph s = new Subgraph(this, subgraphs.size(), name);
        subgraphs.add(s);
        return s;
    }

    public List<Subgraph> subgraphs() {
        return List.copyOf(subgraphs);
    }

    /** Bytes of constant data registered so far. */
    public long constantBytes() {
        return weightBytes;
    }

    /** Registers (or finds, by key) a constant buffer. The key must identify the content. */
    int buffer(String key, byte[] data) {
        Integer existing = bufferByKey.get(key);
        if (existing != null) {
            if (buffers.get(existing).length != data.length) {
                throw new IllegalArgumentException("constant key '" + key + "' reused for data of another size");
            }
            return existing;
        }
        buffers.add(data);
        weightBytes += data.length;
        bufferByKey.put(key, buffers.size() - 1);
        return buffers.size() - 1;
    }

    boolean hasBuffer(String key) {
        return bufferByKey.containsKey(key);
    }

    int opcode(int builtin) {
        return opcodeIndex.computeIfAbsent(builtin, b -> {
            OperatorCodeT code = new OperatorCodeT();
            code.setBuiltinCode(b);
            // Runtimes before schema v3a read only the deprecated byte field.
            code.setDeprecatedBuiltinCode((byte) Math.min(b, 127));
            code.setVersion(1);
            opcodes.add(code);
            return opcodes.size() - 1;
        });
    }

    /** A signature of a model view: names for the inputs and outputs of one subgraph. */
    public record SignatureSpec(String key, int subgraphIndex, Map<String, Integer> inputs,
                                Map<String, Integer> outputs) {
        public static SignatureSpec of(String key, Subgraph s) {
            return new SignatureSpec(key, s.index(), s.namedInputs(), s.namedOutputs());
        }
    }

    /**
     * A Model table in the file: which subgraphs it lists (the first is its primary one) and its
     * signatures, whose subgraph indices refer to positions in {@code subgraphIndices}.
     */
    public record View(String key, List<Integer> subgraphIndices, List<SignatureSpec> signatures) {
    }

    /** Serialises a single-view model: all subgraphs, the given signatures. */
    public byte[] serialize(List<SignatureSpec> signatures) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < subgraphs.size(); i++) {
            all.add(i);
        }
        return serialize(new View("root", all, signatures), List.of());
    }

    /**
     * Serialises the model with {@code root} as the file's root Model and each of {@code embedded}
     * as an extra Model table with its own root header. The root's description lists where they
     * are: {@value #VIEWS_PREFIX}key=distanceFromEnd,... (the header of view k starts at
     * fileSize - distance).
     */
    public byte[] serialize(View root, List<View> embedded) {
        long estimate = weightBytes + 4L * buffers.size() * 16 + 1_000_000L + subgraphs.size() * 200_000L;
        if (estimate > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("model of " + estimate + " bytes exceeds the 2 GiB flatbuffer limit");
        }
        FlatBufferBuilder fbb = new FlatBufferBuilder(
                ByteBuffer.allocate((int) estimate).order(ByteOrder.LITTLE_ENDIAN));
        // Weights first: they end up at the end of the file, after every table that points at them.
        int[] bufferOffsets = new int[buffers.size()];
        for (int i = buffers.size() - 1; i >= 0; i--) {
            byte[] data = buffers.get(i);
            int dataOffset = 0;
            if (data.length > 0) {
                ByteBuffer target = fbb.createUnintializedVector(1, data.length, 16);
                target.put(data);
                dataOffset = fbb.endVector();
            }
            Buffer.startBuffer(fbb);
            if (data.length > 0) {
                Buffer.addData(fbb, dataOffset);
            }
            bufferOffsets[i] = Buffer.endBuffer(fbb);
        }
        int buffersVector = Model.createBuffersVector(fbb, bufferOffsets);
        int[] codeOffsets = new int[opcodes.size()];
        for (int i = 0; i < opcodes.size(); i++) {
            codeOffsets[i] = OperatorCode.pack(fbb, opcodes.get(i));
        }
        int codesVector = Model.createOperatorCodesVector(fbb, codeOffsets);
        int[] subgraphOffsets = new int[subgraphs.size()];
        for (int i = 0; i < subgraphs.size(); i++) {
            subgraphOffsets[i] = SubGraph.pack(fbb, subgraphs.get(i).toSchema());
        }
        Map<String, Integer> distances = new LinkedHashMap<>();
        for (View view : embedded) {
            int model = modelTable(fbb, view, subgraphOffsets, codesVector, buffersVector, "c2f view " + view.key());
            fbb.prep(16, 8);
            byte[] id = "TFL3".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 3; i >= 0; i--) {
                fbb.addByte(id[i]);
            }
            fbb.addOffset(model);
            distances.put(view.key(), fbb.offset());
        }
        StringBuilder description = new StringBuilder(VIEWS_PREFIX);
        distances.forEach((k, d) -> description.append(k).append('=').append(d).append(','));
        int model = modelTable(fbb, root, subgraphOffsets, codesVector, buffersVector, description.toString());
        Model.finishModelBuffer(fbb, model);
        return fbb.sizedByteArray();
    }

    /** Start offset of each embedded view's root header, read from the root model's description. */
    public static Map<String, Integer> viewOffsets(byte[] model) {
        String description = Model.getRootAsModel(ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN)).description();
        if (description == null || !description.startsWith(VIEWS_PREFIX)) {
            throw new IllegalArgumentException("model has no view directory in its description: " + description);
        }
        Map<String, Integer> offsets = new LinkedHashMap<>();
        for (String entry : description.substring(VIEWS_PREFIX.length()).split(",")) {
            if (!entry.isBlank()) {
                String[] kv = entry.split("=");
                offsets.put(kv[0], model.length - Integer.parseInt(kv[1]));
            }
        }
        return offsets;
    }

    /** The bytes of one embedded view: a complete model whose primary subgraph is the view's. */
    public static ByteBuffer view(byte[] model, String key) {
        Integer offset = viewOffsets(model).get(key);
        if (offset == null) {
            throw new IllegalArgumentException("model has no view " + key + "; it has " + viewOffsets(model).keySet());
        }
        return ByteBuffer.wrap(model, offset, model.length - offset).slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int modelTable(FlatBufferBuilder fbb, View view, int[] subgraphOffsets, int codesVector,
                                  int buffersVector, String description) {
        int[] listed = new int[view.subgraphIndices().size()];
        for (int i = 0; i < listed.length; i++) {
            listed[i] = subgraphOffsets[view.subgraphIndices().get(i)];
        }
        int subgraphsVector = Model.createSubgraphsVector(fbb, listed);
        int[] sigs = new int[view.signatures().size()];
        for (int i = 0; i < sigs.length; i++) {
            SignatureSpec spec = view.signatures().get(i);
            int position = view.subgraphIndices().indexOf(spec.subgraphIndex());
            if (position < 0) {
                throw new IllegalArgumentException("signature " + spec.key() + " names subgraph " + spec.subgraphIndex()
                        + " which view " + view.key() + " does not list");
            }
            SignatureDefT def = new SignatureDefT();
            def.setSignatureKey(spec.key());
            def.setSubgraphIndex(position);
            def.setInputs(tensorMaps(spec.inputs()));
            def.setOutputs(tensorMaps(spec.outputs()));
            sigs[i] = SignatureDef.pack(fbb, def);
        }
        int sigVector = Model.createSignatureDefsVector(fbb, sigs);
        int desc = fbb.createString(description);
        Model.startModel(fbb);
        Model.addVersion(fbb, 3);
        Model.addOperatorCodes(fbb, codesVector);
        Model.addSubgraphs(fbb, subgraphsVector);
        Model.addDescription(fbb, desc);
        Model.addBuffers(fbb, buffersVector);
        Model.addSignatureDefs(fbb, sigVector);
        return Model.endModel(fbb);
    }

    private static TensorMapT[] tensorMaps(Map<String, Integer> named) {
        TensorMapT[] maps = new TensorMapT[named.size()];
        int i = 0;
        for (Map.Entry<String, Integer> e : named.entrySet()) {
            TensorMapT m = new TensorMapT();
            m.setName(e.getKey());
            m.setTensorIndex(e.getValue());
            maps[i++] = m;
        }
        return maps;
    }
}
