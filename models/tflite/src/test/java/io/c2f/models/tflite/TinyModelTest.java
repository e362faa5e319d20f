package io.c2f.models.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hand-written test models run correctly on the real interpreter, on both built-in links. */
class TinyModelTest {
    @BeforeAll
    static void load() {
        TfliteNative.load();
    }

    @Test
    void addThroughItsSignature() throws Exception {
        for (DelegateLink link : new DelegateLink[] {new XnnpackLink(), new CpuLink()}) {
            try (OpenedInterpreter opened = DelegateChain.of(link).open(TestModels.add().toBuffer(), 1,
                    InterpreterProbe.zeros())) {
                assertArrayEquals(new String[] {"add"}, opened.interpreter().getSignatureDefNames());
                float[][] y = new float[1][4];
                Map<String, Object> outputs = new HashMap<>();
                outputs.put("y", y);
                opened.interpreter().runSignature(Map.of("x", new float[][] {{0f, 1f, -1f, 10f}}), outputs, "add");
                assertArrayEquals(new float[] {0.625f, 1.625f, -0.375f, 10.625f}, y[0], link.name());
            }
        }
    }

    @Test
    void conv3x3MatchesTheJavaReference() throws Exception {
        TestModels.ConvWeights w = TestModels.ConvWeights.random(3, 8, 1);
        float[] x = TestModels.randomInput(2 * 5 * 7 * 3, 2);
        float[] expected = w.forward(x, 2, 5, 7);
        for (DelegateLink link : new DelegateLink[] {new XnnpackLink(), new CpuLink()}) {
            try (OpenedInterpreter opened = DelegateChain.of(link).open(TestModels.conv(w, 2, 5, 7).toBuffer(), 1,
                    InterpreterProbe.zeros())) {
                assertEquals(link.name(), opened.activeLink());
                float err = TestModels.maxAbsDiff(expected, TestModels.run(opened.interpreter(), x));
                System.out.println("conv3x3 3->8 [2,5,7] on " + link.name() + ": max abs error " + err);
                assertTrue(err < 1e-5f, link.name() + " max abs error " + err);
            }
        }
    }
}
