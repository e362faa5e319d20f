package io.c2f.models.unet;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.c2f.models.tensor.Resolution;
import io.c2f.models.writer.GraphBuilder;
import io.c2f.models.writer.GraphForm;
import io.c2f.models.writer.MacCounter;
import io.c2f.models.writer.Subgraph;
import io.c2f.models.writer.WeightType;
import io.c2f.proto.bundle.ModelEngines;
import io.c2f.proto.v1.BetaSchedule;
import io.c2f.models.writer.onnx.OnnxBackend;
import io.c2f.models.writer.onnx.OnnxGraph;
import io.c2f.proto.v1.MacsAtResolution;
import io.c2f.proto.v1.ModelFile;
import io.c2f.proto.v1.ModelInfo;
import io.c2f.proto.v1.NoiseScheduleSpec;
import io.c2f.proto.v1.PredictionType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes a UNet as ONE .tflite file (layout in MODEL_FORMAT.md): subgraph 0 shape-free (inputs x,
 * t, label), one fixed-resolution subgraph per resolution with its label embedding as a constant,
 * all sharing one copy of the weights; each fixed subgraph is also reachable as the primary
 * subgraph of an embedded model view "res{H}x{W}", because TFLite 2.6 runs only subgraph 0.
 * Beside it, the same weights as ONE .onnx file (opset 17, symbolic batch/height/width, inputs x,
 * t, label; {@link OnnxBackend}) for the ONNX Runtime engine. Writes the {@link ModelInfo} manifest
 * next to them as JSON, listing both files with their sha256.
 */
public final class UnetExporter {
    public static final String ARCHITECTURE = "diffusers-unet2d+resolution-label";

    private UnetExporter() {
    }

    /** The written model: TFLite file, manifest file, manifest, TFLite bytes, and the ONNX file. */
    public record ExportedModel(Path modelFile, Path manifestFile, ModelInfo info, long fileBytes, Path onnxFile) {
    }

    public static String signatureKey(Resolution r) {
        return "res" + r.height() + "x" + r.width();
    }

    /** {@link #export(UnetWeights, List, WeightType, GraphForm, String, Path)} in the default graph form. */
    public static ExportedModel export(UnetWeights weights, List<Resolution> resolutions, WeightType type, String name,
                                       Path modelFile) throws IOException {
        return export(weights, resolutions, type, GraphForm.DEFAULT, name, modelFile);
    }

    /**
     * @param resolutions resolution i gets resolution label i
     * @param form the TFLite ops the layers are written as (the .onnx file does not depend on it)
     */
    public static ExportedModel export(UnetWeights weights, List<Resolution> resolutions, WeightType type,
                                       GraphForm form, String name, Path modelFile) throws IOException {
        UnetConfig cfg = weights.config();
        if (resolutions.isEmpty() || resolutions.size() > cfg.numResolutionLabels()) {
            throw new IllegalArgumentException(resolutions.size() + " resolutions for " + cfg.numResolutionLabels()
                    + " resolution labels");
        }
        GraphBuilder g = new GraphBuilder(type);
        UnetGraph unet = new UnetGraph(weights);
        Subgraph free = g.addSubgraph("shape_free");
        unet.emitShapeFree(free, resolutions.get(0).height(), form);
        List<GraphBuilder.View> views = new ArrayList<>();
        List<Subgraph> fixed = new ArrayList<>();
        for (int i = 0; i < resolutions.size(); i++) {
            Resolution r = resolutions.get(i);
            Subgraph s = g.addSubgraph(signatureKey(r));
            unet.emitFixed(s, r.height(), r.width(), i, form);
            fixed.add(s);
            views.add(new GraphBuilder.View(signatureKey(r), List.of(s.index()),
                    List.of(GraphBuilder.SignatureSpec.of(signatureKey(r), s))));
        }
        GraphBuilder.View root = new GraphBuilder.View("shape_free", List.of(free.index()),
                List.of(GraphBuilder.SignatureSpec.of("shape_free", free)));
        byte[] bytes = g.serialize(root, views);
        Files.createDirectories(modelFile.toAbsolutePath().getParent());
        Files.write(modelFile, bytes);
        Path onnxFile = onnxPath(modelFile);
        byte[] onnx = onnxBytes(unet, type, name);
        Files.write(onnxFile, onnx);

        String tfliteSha256 = sha256(bytes);
        ModelInfo.Builder info = ModelInfo.newBuilder()
                .setName(name)
                .setArchitecture(ARCHITECTURE)
                .setNoiseSchedule(NoiseScheduleSpec.newBuilder().setKind(BetaSchedule.BETA_SCHEDULE_LINEAR)
                        .setTrainTimesteps(1000).setBetaStart(1e-4).setBetaEnd(0.02))
                .setPrediction(PredictionType.PREDICTION_TYPE_EPSILON)
                .setParameters(weights.parameterCount())
                .setModelSha256(tfliteSha256)
                .setChannels(cfg.inChannels())
                .setWeightType(type.label())
                .addModelFiles(ModelFile.newBuilder().setEngine(ModelEngines.TFLITE)
                        .setPath(modelFile.getFileName().toString()).setSha256(tfliteSha256).setSizeBytes(bytes.length))
                .addModelFiles(ModelFile.newBuilder().setEngine(ModelEngines.ONNX)
                        .setPath(onnxFile.getFileName().toString()).setSha256(sha256(onnx)).setSizeBytes(onnx.length));
        for (int i = 0; i < resolutions.size(); i++) {
            Resolution r = resolutions.get(i);
            io.c2f.proto.v1.Resolution pr = io.c2f.proto.v1.Resolution.newBuilder()
                    .setHeight(r.height()).setWidth(r.width()).build();
            info.addResolutions(pr);
            info.addMacsPerForward(MacsAtResolution.newBuilder().setResolution(pr)
                    .setMacs(MacCounter.count(GraphBuilder.view(bytes, signatureKey(r)), 0)).setSignature(signatureKey(r)));
            info.putResolutionLabels(r.height(), i);
        }
        ModelInfo built = info.build();
        Path manifest = manifestPath(modelFile);
        Files.writeString(manifest, JsonFormat.printer().print(built), StandardCharsets.UTF_8);
        return new ExportedModel(modelFile, manifest, built, bytes.length, onnxFile);
    }

    /** The ONNX model of these weights (one graph for all resolutions), serialised. */
    public static byte[] exportOnnx(UnetWeights weights, WeightType type, String name) {
        return onnxBytes(new UnetGraph(weights), type, name);
    }

    private static byte[] onnxBytes(UnetGraph unet, WeightType type, String name) {
        OnnxGraph graph = new OnnxGraph(type);
        unet.emitOnnx(graph);
        return graph.toModel(name, ARCHITECTURE + ", " + type.label() + " weights; inputs x [batch,height,width,C]"
                + " float, t [batch] float, label [batch] int64; output eps [batch,height,width,C]").toByteArray();
    }

    /** "model.tflite" -> "model.onnx". */
    public static Path onnxPath(Path modelFile) {
        String file = modelFile.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return modelFile.resolveSibling((dot > 0 ? file.substring(0, dot) : file) + ".onnx");
    }

    /** "model.tflite" -> "model.json". */
    public static Path manifestPath(Path modelFile) {
        String file = modelFile.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return modelFile.resolveSibling((dot > 0 ? file.substring(0, dot) : file) + ".json");
    }

    public static ModelInfo readManifest(Path manifest) throws IOException {
        ModelInfo.Builder b = ModelInfo.newBuilder();
        try {
            JsonFormat.parser().merge(Files.readString(manifest, StandardCharsets.UTF_8), b);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("invalid model manifest " + manifest + ": " + e.getMessage(), e);
        }
        return b.build();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
