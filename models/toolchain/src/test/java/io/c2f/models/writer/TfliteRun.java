package io.c2f.models.writer;

import io.c2f.models.tflite.TfliteDenoiser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.tensorflow.lite.Interpreter;

/** Test helper: runs model bytes through a real TFLite interpreter (XNNPACK on). */
final class TfliteRun {
    private TfliteRun() {
    }

    static ByteBuffer direct(byte[] model) {
        ByteBuffer b = ByteBuffer.allocateDirect(model.length).order(ByteOrder.nativeOrder());
        b.put(model).rewind();
        return b;
    }

    /** Runs subgraph 0 with float inputs (in input order), resized to the given shapes. */
    static float[] run(byte[] model, float[][] inputs, int[][] shapes, int outputFloats) {
        TfliteDenoiser.loadNativeLibrary();
        Interpreter.Options options = new Interpreter.Options().setUseXNNPACK(true).setNumThreads(1);
        try (Interpreter interpreter = new Interpreter(direct(model), options)) {
            return run(interpreter, inputs, shapes, outputFloats);
        }
    }

    static float[] run(Interpreter interpreter, float[][] inputs, int[][] shapes, int outputFloats) {
        Object[] in = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            interpreter.resizeInput(i, shapes[i]);
            in[i] = floats(inputs[i]);
        }
        interpreter.allocateTensors();
        ByteBuffer out = ByteBuffer.allocateDirect(outputFloats * 4).order(ByteOrder.nativeOrder());
        Map<Integer, Object> outs = new HashMap<>();
        outs.put(0, out);
        interpreter.runForMultipleInputsOutputs(in, outs);
        out.rewind();
        float[] result = new float[outputFloats];
        out.asFloatBuffer().get(result);
        return result;
    }

    static ByteBuffer floats(float[] data) {
        ByteBuffer b = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(data);
        return b;
    }
}
