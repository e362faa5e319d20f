package io.c2f.models.tflite;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;

/**
 * Proves that a freshly built interpreter really runs the model (a delegate can accept a graph and
 * still fail at the first invoke). Throw anything to reject the link.
 */
@FunctionalInterface
interface InterpreterProbe {
    void probe(Interpreter interpreter) throws Exception;

    /** Accepts any interpreter that was built; runs nothing. */
    static InterpreterProbe none() {
        return interpreter -> {
        };
    }

    /** One inference of the primary subgraph on all-zero inputs of their current shapes. */
    static InterpreterProbe zeros() {
        return interpreter -> {
            Object[] inputs = new Object[interpreter.getInputTensorCount()];
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = zeroBuffer(interpreter.getInputTensor(i));
            }
            Map<Integer, Object> outputs = new HashMap<>();
            for (int i = 0; i < interpreter.getOutputTensorCount(); i++) {
                outputs.put(i, zeroBuffer(interpreter.getOutputTensor(i)));
            }
            interpreter.runForMultipleInputsOutputs(inputs, outputs);
        };
    }

    private static ByteBuffer zeroBuffer(Tensor tensor) {
        return ByteBuffer.allocateDirect(tensor.numBytes()).order(ByteOrder.nativeOrder());
    }
}
