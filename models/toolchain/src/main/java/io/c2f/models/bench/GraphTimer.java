package io.c2f.models.bench;

import io.c2f.models.tflite.TfliteDenoiser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.lite.DataType;
import org.tensorflow.lite.Interpreter;
import org.tensorflow.lite.Tensor;

/**
 * One model's primary subgraph open in a TFLite interpreter with XNNPACK on (as TfliteDenoiser's
 * default chain opens it), every float input filled with fixed pseudo-random values in [-1, 1], ready
 * to be run again and again for timing.
 */
final class GraphTimer implements AutoCloseable {
    private final Interpreter interpreter;
    private final Object[] inputs;
    private final Map<Integer, Object> outputs;

    GraphTimer(ByteBuffer model, int threads) {
        TfliteDenoiser.loadNativeLibrary();
        ByteBuffer bytes = ByteBuffer.allocateDirect(model.remaining()).order(ByteOrder.nativeOrder());
        bytes.put(model.duplicate()).rewind();
        interpreter = new Interpreter(bytes, new Interpreter.Options().setNumThreads(threads).setUseXNNPACK(true));
        SplittableRandom random = new SplittableRandom(1000);
        inputs = new Object[interpreter.getInputTensorCount()];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = interpreter.getInputTensor(i);
            if (t.dataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("input " + i + " (" + t.name() + ") is " + t.dataType()
                        + "; the timer feeds float32 inputs only");
            }
            ByteBuffer b = ByteBuffer.allocateDirect(t.numBytes()).order(ByteOrder.nativeOrder());
            FloatBuffer f = b.asFloatBuffer();
            while (f.hasRemaining()) {
                f.put((float) random.nextDouble(-1, 1));
            }
            inputs[i] = b;
        }
        outputs = Map.of(0, ByteBuffer.allocateDirect(interpreter.getOutputTensor(0).numBytes())
                .order(ByteOrder.nativeOrder()));
    }

    /** Runs the graph once. */
    void run() {
        ((ByteBuffer) outputs.get(0)).rewind();
        interpreter.runForMultipleInputsOutputs(inputs, outputs);
    }

    /** Mean wall and CPU ms of {@code n} runs ({@link BenchCases#perRun}). */
    BenchCases.Timing msPerRun(int n) {
        return BenchCases.perRun(n, this::run);
    }

    @Override
    public void close() {
        interpreter.close();
    }
}
