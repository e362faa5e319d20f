package io.c2f.models.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.c2f.models.tensor.Resolution;
import io.c2f.models.unet.UnetConfig;
import io.c2f.models.unet.UnetWeights;
import io.c2f.models.writer.GraphForm;
import io.c2f.models.writer.MacCounter;
import io.c2f.models.writer.OpCensus;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.lite.schema.BuiltinOperator;

/** The ops-only models hold exactly the ops picked from the UNet's graph, and they run. */
class OpsOnlyModelTest {
    static ByteBuffer unet;

    @BeforeAll
    static void writeUnet() throws Exception {
        UnetWeights weights = UnetWeights.load(Path.of("../zoo/emoji32-c2f/checkpoint/ema.safetensors"),
                UnetConfig.edgeSmall());
        unet = ForwardBreakdown.unet(weights, Resolution.square(32), 0, GraphForm.TILED, UnaryOperator.identity());
    }

    @Test
    void convsAloneAreEveryConvOfTheGraphWithItsMacsAndFp16Weights() {
        Map<String, Integer> full = OpCensus.count(unet, 0);
        OpsOnlyModel.Ops convs = OpsOnlyModel.of(unet, o -> o.kind() == BuiltinOperator.CONV_2D);
        Map<String, Integer> census = OpCensus.count(ByteBuffer.wrap(convs.model()), 0);
        assertEquals(full.get("CONV_2D"), convs.ops());
        assertEquals(full.get("CONV_2D"), census.get("CONV_2D"));
        assertEquals(2, census.size(), "CONV_2D and the DEQUANTIZE of fp16 weights only: " + census);
        // 74 image convs' filters and biases, but the 18 q/k/v biases the attention GroupNorm's shift is folded into
        assertEquals(2 * 74 - 18, census.get("DEQUANTIZE"), "every fp16 weight of the convs stays fp16: " + census);
        assertEquals(MacCounter.count(convs.model(), 0), convs.macs(), "the MACs as the file counts them");
        long all = MacCounter.count(unet, 0);
        assertTrue(convs.macs() < all && convs.macs() > 0.98 * all, convs.macs() + " of " + all);
        try (GraphTimer t = new GraphTimer(ByteBuffer.wrap(convs.model()), 1)) {
            t.run();
        }
    }

    @Test
    void eachKindAloneHoldsTheGraphsOpsOfThatKind() {
        Map<String, Integer> full = OpCensus.count(unet, 0);
        for (int kind : OpsOnlyModel.SUPPORTED) {
            String name = BuiltinOperator.name(kind);
            if (!full.containsKey(name)) {
                continue;
            }
            OpsOnlyModel.Ops ops = OpsOnlyModel.of(unet, o -> o.kind() == kind);
            assertEquals(full.get(name), OpCensus.count(ByteBuffer.wrap(ops.model()), 0).get(name), name);
            try (GraphTimer t = new GraphTimer(ByteBuffer.wrap(ops.model()), 1)) {
                t.run();
            }
        }
    }

    @Test
    void anOpKindItCannotHoldIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpsOnlyModel.of(unet, o -> o.kind() == BuiltinOperator.FULLY_CONNECTED));
        assertTrue(e.getMessage().contains("FULLY_CONNECTED"), e.getMessage());
    }
}
