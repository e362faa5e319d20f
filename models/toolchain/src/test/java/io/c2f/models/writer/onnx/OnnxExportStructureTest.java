package io.c2f.models.writer.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.Resolution;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetExporter;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.Half;
import io.c2f.models.writer.WeightType;
import io.c2f.models.writer.onnx.proto.GraphProto;
import io.c2f.models.writer.onnx.proto.ModelProto;
import io.c2f.models.writer.onnx.proto.NodeProto;
import io.c2f.models.writer.onnx.proto.TensorProto;
import io.c2f.models.writer.onnx.proto.TensorShapeProto;
import io.c2f.models.writer.onnx.proto.ValueInfoProto;
import io.c2f.proto.v1.ModelFile;
import io.c2f.proto.v1.ModelInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX file the exporter writes, read back as a ModelProto: format versions, NHWC inputs and
 * output with symbolic dims, the op histogram the UNet description implies (every conv a Conv,
 * every group norm one InstanceNormalization, Transposes only at entry, exit and per attention),
 * and fp16 weights holding the same bits as the TFLite model's.
 */
class OnnxExportStructureTest {
    /** Every block kind: shortcut convs, attention down/mid/up, down and up sampling. */
    static final UnetConfig TINY = new UnetConfig(16, List.of(1, 2), 1, Set.of(1), 4, 32, 2, 3, 1e-6f);

    @TempDir
    Path dir;

    private static ModelProto export(WeightType type) throws Exception {
        return ModelProto.parseFrom(UnetExporter.exportOnnx(UnetWeights.random(TINY, 3, 0.5), type, "tiny"));
    }

    private static Map<String, Long> histogram(GraphProto g) {
        return g.getNodeList().stream().collect(Collectors.groupingBy(NodeProto::getOpType, TreeMap::new,
                Collectors.counting()));
    }

    private static List<String> dims(ValueInfoProto v) {
        return v.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.getValueCase() == TensorShapeProto.Dimension.ValueCase.DIM_PARAM ? d.getDimParam()
                        : Long.toString(d.getDimValue())).toList();
    }

    @Test
    void opsetInputsAndOutputs() throws Exception {
        ModelProto m = export(WeightType.FP16);
        assertEquals(8, m.getIrVersion());
        assertEquals(1, m.getOpsetImportCount());
        assertEquals("", m.getOpsetImport(0).getDomain());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        GraphProto g = m.getGraph();
        assertEquals(List.of("x", "t", "label"), g.getInputList().stream().map(ValueInfoProto::getName).toList());
        assertEquals(List.of("batch", "height", "width", "3"), dims(g.getInput(0)));
        assertEquals(TensorProto.DataType.FLOAT_VALUE, g.getInput(0).getType().getTensorType().getElemType());
        assertEquals(List.of("batch"), dims(g.getInput(1)));
        assertEquals(TensorProto.DataType.FLOAT_VALUE, g.getInput(1).getType().getTensorType().getElemType());
        assertEquals(List.of("batch"), dims(g.getInput(2)));
        assertEquals(TensorProto.DataType.INT64_VALUE, g.getInput(2).getType().getTensorType().getElemType());
        assertEquals(1, g.getOutputCount());
        assertEquals("eps", g.getOutput(0).getName());
        assertEquals(List.of("batch", "height", "width", "3"), dims(g.getOutput(0)));
    }

    @Test
    void opHistogramFollowsTheDescription() throws Exception {
        GraphProto g = export(WeightType.FP16).getGraph();
        Map<String, Long> ops = histogram(g);
        System.out.println("ONNX op histogram of the tiny UNet: " + ops);
        // TINY: conv_in; level 0: 1 resnet (2 convs), downsampler; level 1: 1 resnet (2 convs + shortcut) +
        // attention (q, k, v, out); mid: 2 resnets (4 convs) + attention; up level 0 (64 ch): 2 resnets with
        // shortcuts (6) + 2 attentions + upsampler conv; up level 1: 2 resnets with shortcuts (6); conv_out.
        long attentions = 1 + 1 + 2;
        long convs = 1 + 2 + 1 + 3 + 4 + 6 + 1 + 6 + 1 + 4 * attentions;
        assertEquals(convs, ops.get("Conv"));
        long resnets = 1 + 1 + 2 + 2 + 2;
        long groupNorms = 2 * resnets + attentions + 1;
        assertEquals(groupNorms, ops.get("InstanceNormalization"));
        assertEquals(2 + attentions, ops.get("Transpose"), "entry, exit and k^T per attention only");
        assertEquals(attentions, ops.get("Softmax"));
        assertEquals(1L, ops.get("Resize"));
        assertEquals(1L, ops.get("Gather"));
        assertEquals(2 * resnets + 1 /* time MLP */ + 1 /* temb */ + 1 /* conv_norm_out */, ops.get("Sigmoid"), "SiLU as x * Sigmoid(x)");
        for (String absent : List.of("Pad", "GroupNormalization", "DequantizeLinear", "ReduceMean")) {
            assertFalse(ops.containsKey(absent), absent + " in the graph: " + ops);
        }
        // no Transpose between a Conv and the next layer: every Transpose reads the input, a Reshape or the last conv
        Set<String> transposeInputs = g.getNodeList().stream().filter(n -> n.getOpType().equals("Transpose"))
                .map(n -> n.getInput(0)).collect(Collectors.toSet());
        long fromConv = g.getNodeList().stream().filter(n -> n.getOpType().equals("Conv"))
                .filter(n -> transposeInputs.contains(n.getOutput(0))).count();
        assertEquals(1, fromConv, "only conv_out's output is transposed (to NHWC at the exit)");
    }

    @Test
    void fp16WeightsAreHalfInitializersWithOneCastEach() throws Exception {
        UnetWeights weights = UnetWeights.random(TINY, 3, 0.5);
        GraphProto g = ModelProto.parseFrom(UnetExporter.exportOnnx(weights, WeightType.FP16, "tiny")).getGraph();
        List<TensorProto> halves = g.getInitializerList().stream()
                .filter(t -> t.getDataType() == TensorProto.DataType.FLOAT16_VALUE).toList();
        long casts = g.getNodeList().stream().filter(n -> n.getOpType().equals("Cast")).count();
        assertEquals(halves.size(), casts);
        TensorProto conv = halves.stream().filter(t -> t.getName().equals("conv_in.weight/fp16")).findFirst()
                .orElseThrow();
        assertEquals(List.of(16L, 3L, 3L, 3L), conv.getDimsList(), "OIHW as PyTorch");
        ByteBuffer raw = conv.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] w = weights.get("conv_in.weight");
        for (int i = 0; i < w.length; i++) {
            assertEquals(Half.fromFloat(w[i]), raw.getShort(), "fp16 bits of conv_in.weight[" + i + "]");
        }
        long halfBytes = halves.stream().mapToLong(t -> t.getRawData().size()).sum();
        assertEquals(2 * weights.parameterCount(), halfBytes, "every parameter stored once as fp16 (to_q pre-scaled)");
        ModelProto fp32 = ModelProto.parseFrom(UnetExporter.exportOnnx(weights, WeightType.FP32, "tiny"));
        assertFalse(fp32.getGraph().getNodeList().stream().anyMatch(n -> n.getOpType().equals("Cast")));
    }

    @Test
    void exporterWritesOnnxBesideTfliteAndListsBothInTheManifest() throws Exception {
        UnetExporter.ExportedModel e = UnetExporter.export(UnetWeights.random(TINY, 3, 0.5),
                List.of(Resolution.square(16), Resolution.square(8)), WeightType.FP16, "tiny", dir.resolve("m.tflite"));
        assertEquals(dir.resolve("m.onnx"), e.onnxFile());
        assertTrue(Files.isRegularFile(e.onnxFile()));
        ModelInfo info = UnetExporter.readManifest(e.manifestFile());
        Map<String, ModelFile> files = info.getModelFilesList().stream()
                .collect(Collectors.toMap(ModelFile::getEngine, f -> f));
        assertEquals(Set.of("tflite", "onnx"), files.keySet());
        assertEquals("m.tflite", files.get("tflite").getPath());
        assertEquals(info.getModelSha256(), files.get("tflite").getSha256());
        assertEquals("m.onnx", files.get("onnx").getPath());
        assertEquals(Files.size(e.onnxFile()), files.get("onnx").getSizeBytes());
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(e.onnxFile()))), files.get("onnx").getSha256());
        double ratio = (double) Files.size(e.onnxFile()) / Files.size(e.modelFile());
        System.out.printf("tiny UNet fp16: onnx %d bytes, tflite %d bytes (%.2f)%n", Files.size(e.onnxFile()),
                Files.size(e.modelFile()), ratio);
    }
}
