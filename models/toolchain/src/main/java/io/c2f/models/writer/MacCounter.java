package io.c2f.models.writer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.Tensor;

/**
 * Counts multiply-accumulates of a subgraph from the model file itself: CONV_2D (output elements x
 * kernel height x width x input channels), DEPTHWISE_CONV_2D, FULLY_CONNECTED (rows x in x out) and
 * BATCH_MATMUL (batch x M x N x K), using the tensor shapes stored in the file. Elementwise ops,
 * normalisation and softmax are not counted (the convention of the published GMAC figures).
 */
public final class MacCounter {
    private MacCounter() {
    }

    /** MACs of one run of subgraph {@code subgraphIndex} at the shapes written in the file. */
    public static long count(byte[] model, int subgraphIndex) {
        return count(ByteBuffer.wrap(model).order(ByteOrder.LITTLE_ENDIAN), subgraphIndex);
    }

    public static long count(ByteBuffer model, int subgraphIndex) {
        Model m = Model.getRootAsModel(model.duplicate().order(ByteOrder.LITTLE_ENDIAN));
        if (subgraphIndex < 0 || subgraphIndex >= m.subgraphsLength()) {
            throw new IllegalArgumentException("model has " + m.subgraphsLength() + " subgraphs, asked for " + subgraphIndex);
        }
        SubGraph g = m.subgraphs(subgraphIndex);
        long macs = 0;
        for (int i = 0; i < g.operatorsLength(); i++) {
            Operator op = g.operators(i);
            OperatorCode code = m.operatorCodes((int) op.opcodeIndex());
            int builtin = Math.max(code.builtinCode(), code.deprecatedBuiltinCode());
            switch (builtin) {
                case BuiltinOperator.CONV_2D -> {
                    int[] out = shape(g.tensors(op.outputs(0)));
                    int[] filter = shape(g.tensors(op.inputs(1)));
                    macs += numel(out) * filter[1] * filter[2] * filter[3];
                }
                case BuiltinOperator.DEPTHWISE_CONV_2D -> {
                    int[] out = shape(g.tensors(op.outputs(0)));
                    int[] filter = shape(g.tensors(op.inputs(1)));
                    macs += numel(out) * filter[1] * filter[2];
                }
                case BuiltinOperator.FULLY_CONNECTED -> {
                    int[] out = shape(g.tensors(op.outputs(0)));
                    int[] weights = shape(g.tensors(op.inputs(1)));
                    macs += numel(out) * weights[1];
                }
                case BuiltinOperator.BATCH_MATMUL -> {
                    int[] out = shape(g.tensors(op.outputs(0)));
                    int[] a = shape(g.tensors(op.inputs(0)));
                    boolean adjX = op.builtinOptions(new org.tensorflow.lite.schema.BatchMatMulOptions()) instanceof
                            org.tensorflow.lite.schema.BatchMatMulOptions o && o.adjX();
                    int k = adjX ? a[a.length - 2] : a[a.length - 1];
                    macs += numel(out) * k;
                }
                default -> {
                }
            }
        }
        return macs;
    }

    private static int[] shape(Tensor t) {
        int[] s = new int[t.shapeLength()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.shape(i);
        }
        return s;
    }

    private static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }
}
