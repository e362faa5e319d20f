package io.c2f.models.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MacCounterTest {
    @Test
    void countsConvFullyConnectedAndBatchMatMulFromTheFile() {
        GraphBuilder g = new GraphBuilder(WeightType.FP32);
        Subgraph s = g.addSubgraph("tiny");
        int x = s.input("x", new int[] {1, 8, 8, 4}, null);
        int conv = s.conv2d(x, s.constant("w", new float[8 * 3 * 3 * 4], new int[] {8, 3, 3, 4}),
                s.constant("b", new float[8], new int[] {8}), 1, Subgraph.Pad.SAME);
        int v = s.input("v", new int[] {1, 16}, null);
        int fc = s.fullyConnected(v, s.constant("fw", new float[32 * 16], new int[] {32, 16}),
                s.constant("fb", new float[32], new int[] {32}));
        int a = s.input("a", new int[] {1, 4, 8}, null);
        int m = s.batchMatMul(a, s.constant("m", new float[8 * 5], new int[] {1, 8, 5}), false, false);
        int strided = s.conv2d(x, s.constant("w2", new float[2 * 3 * 3 * 4], new int[] {2, 3, 3, 4}),
                s.constant("b2", new float[2], new int[] {2}), 2, Subgraph.Pad.VALID);
        s.output("conv", conv);
        s.output("fc", fc);
        s.output("mm", m);
        s.output("strided", strided);
        long expected = 8L * 8 * 8 * 3 * 3 * 4 // conv: output elements x kernel x input channels
                + 16L * 32                    // fully connected
                + 4L * 5 * 8                  // batch matmul: M x N x K
                + 3L * 3 * 2 * 3 * 3 * 4;     // stride-2 VALID: 3x3 outputs of 2 channels
        assertEquals(expected, MacCounter.count(g.serialize(List.of()), 0));
    }
}
