package io.c2f.models.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.BufferT;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.SignatureDef;
import org.tensorflow.lite.schema.SignatureDefT;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.SubGraphT;

/**
 * Prototype of a file layout for TFLite 2.6.2, which can only run subgraph 0: one flatbuffer that
 * holds several Model root tables ("views"). Each view's subgraph 0 is one of the file's subgraphs;
 * all views share the one buffers vector (the weights) and the subgraph tables. A view is opened by
 * handing the interpreter a slice of the file that starts at the view's 16-byte aligned header
 * (root offset + "TFL3"); flatbuffer offsets only point forward, so everything a view references
 * lies after its header. The first view is the ordinary root at offset 0: every tool sees a normal
 * model with all subgraphs and signatures.
 */
final class ModelViews {
    final byte[] bytes;
    /** Signature key -> byte offset of that view's header in {@link #bytes}. */
    final Map<String, Integer> viewOffsets;

    private ModelViews(byte[] bytes, Map<String, Integer> viewOffsets) {
        this.bytes = bytes;
        this.viewOffsets = viewOffsets;
    }

    /** One view per signature of the model (its subgraph moved to index 0), plus the full model at 0. */
    static ModelViews write(ModelT model) {
        FlatBufferBuilder builder = new FlatBufferBuilder(1 << 16);
        // Created first = stored last: the weights end up at the end of the file.
        BufferT[] buffers = model.getBuffers();
        int[] bufferOffsets = new int[buffers.length];
        for (int i = buffers.length - 1; i >= 0; i--) {
            bufferOffsets[i] = packBuffer(builder, buffers[i]);
        }
        int buffersVector = Model.createBuffersVector(builder, bufferOffsets);
        OperatorCodeT[] codes = model.getOperatorCodes();
        int[] codeOffsets = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            codeOffsets[i] = OperatorCode.pack(builder, codes[i]);
        }
        int codesVector = Model.createOperatorCodesVector(builder, codeOffsets);
        SubGraphT[] graphs = model.getSubgraphs();
        int[] graphOffsets = new int[graphs.length];
        for (int i = 0; i < graphs.length; i++) {
            graphOffsets[i] = SubGraph.pack(builder, graphs[i]);
        }
        List<Integer> headerOffsetsFromEnd = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (SignatureDefT signature : model.getSignatureDefs()) {
            int graph = (int) signature.getSubgraphIndex();
            SignatureDefT moved = new SignatureDefT();
            moved.setSignatureKey(signature.getSignatureKey());
            moved.setInputs(signature.getInputs());
            moved.setOutputs(signature.getOutputs());
            moved.setSubgraphIndex(0);
            int sig = SignatureDef.pack(builder, moved);
            int sigs = Model.createSignatureDefsVector(builder, new int[] {sig});
            int subgraphs = Model.createSubgraphsVector(builder, new int[] {graphOffsets[graph]});
            int description = builder.createString("view " + signature.getSignatureKey());
            int root = Model.createModel(builder, 3, codesVector, subgraphs, description, buffersVector, 0, 0, sigs);
            // What FlatBufferBuilder.finish(root, "TFL3") writes, without ending the buffer.
            builder.prep(16, 8);
            for (int i = 3; i >= 0; i--) {
                builder.addByte((byte) TfliteModelFile.IDENTIFIER.charAt(i));
            }
            builder.addOffset(root);
            headerOffsetsFromEnd.add(builder.offset());
            keys.add(signature.getSignatureKey());
        }
        int[] sigOffsets = new int[model.getSignatureDefs().length];
        for (int i = 0; i < sigOffsets.length; i++) {
            sigOffsets[i] = SignatureDef.pack(builder, model.getSignatureDefs()[i]);
        }
        int root = Model.createModel(builder, 3, codesVector, Model.createSubgraphsVector(builder, graphOffsets),
                builder.createString("all subgraphs"), buffersVector, 0, 0,
                Model.createSignatureDefsVector(builder, sigOffsets));
        builder.prep(16, 8);
        builder.finish(root, TfliteModelFile.IDENTIFIER);
        byte[] bytes = builder.sizedByteArray();
        Map<String, Integer> views = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            int offset = bytes.length - headerOffsetsFromEnd.get(i);
            if (offset % 16 != 0) {
                throw new IllegalStateException("view " + keys.get(i) + " header at " + offset + " is not 16-aligned");
            }
            views.put(keys.get(i), offset);
        }
        return new ModelViews(bytes, views);
    }

    /** Weight bytes 16-byte aligned, as TFLite wants for constant tensors. */
    private static int packBuffer(FlatBufferBuilder builder, BufferT buffer) {
        int[] data = buffer.getData();
        if (data == null || data.length == 0) {
            return Buffer.createBuffer(builder, 0);
        }
        ByteBuffer target = builder.createUnintializedVector(1, data.length, 16);
        for (int value : data) {
            target.put((byte) value);
        }
        return Buffer.createBuffer(builder, builder.endVector());
    }
}
