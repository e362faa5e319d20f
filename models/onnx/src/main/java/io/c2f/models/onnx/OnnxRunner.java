package io.c2f.models.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.c2f.models.tensor.Resolution;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/**
 * One resolution's warm session and its I/O: direct buffers wrapped as ONNX tensors (ONNX Runtime
 * reads and writes them in place), rebuilt only when the batch size changes.
 */
final class OnnxRunner implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;
    private final Resolution resolution;
    private final long label;
    private final int channels;
    private int batch = -1;
    private FloatBuffer x;
    private FloatBuffer t;
    private FloatBuffer eps;
    private OnnxTensor xTensor;
    private OnnxTensor tTensor;
    private OnnxTensor labelTensor;
    private OnnxTensor epsTensor;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> outputs;

    OnnxRunner(OrtEnvironment env, OrtSession session, Resolution resolution, int label, int channels) {
        this.env = env;
        this.session = session;
        this.resolution = resolution;
        this.label = label;
        this.channels = channels;
    }

    private static FloatBuffer floats(int n) {
        return ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private void bind(int b) throws OrtException {
        closeTensors();
        int n = b * resolution.height() * resolution.width() * channels;
        long[] image = {b, resolution.height(), resolution.width(), channels};
        x = floats(n);
        t = floats(b);
        eps = floats(n);
        LongBuffer labels = ByteBuffer.allocateDirect(b * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
        for (int i = 0; i < b; i++) {
            labels.put(i, label);
        }
        xTensor = OnnxTensor.createTensor(env, x, image);
        tTensor = OnnxTensor.createTensor(env, t, new long[] {b});
        labelTensor = OnnxTensor.createTensor(env, labels, new long[] {b});
        epsTensor = OnnxTensor.createTensor(env, eps, image);
        inputs = Map.of("x", xTensor, "t", tTensor, "label", labelTensor);
        outputs = Map.of("eps", epsTensor);
        batch = b;
    }

    /** eps for {@code data} (batch b at this resolution, NHWC) at one time step, into a new array. */
    float[] run(float[] data, int b, int timestep) throws OrtException {
        if (b != batch) {
            bind(b);
        }
        x.put(0, data);
        for (int i = 0; i < b; i++) {
            t.put(i, timestep);
        }
        try (OrtSession.Result ignored = session.run(inputs, outputs)) {
            float[] out = new float[data.length];
            eps.get(0, out);
            return out;
        } catch (OrtException | RuntimeException e) {
            batch = -1; // rebind next time: never trust tensors after a failed run
            throw e;
        }
    }

    /** One inference on zeros at batch 1: the first run allocates and plans; later ones are warm. */
    void warmUp() throws io.c2f.models.diffusion.DenoiserException {
        try {
            run(new float[resolution.height() * resolution.width() * channels], 1, 0);
        } catch (OrtException e) {
            throw new OnnxModelFileException("the " + resolution + " session fails on zeros: "
                    + OnnxDenoiser.firstLine(e), e);
        }
    }

    private void closeTensors() {
        for (OnnxTensor tensor : new OnnxTensor[] {xTensor, tTensor, labelTensor, epsTensor}) {
            if (tensor != null) {
                tensor.close();
            }
        }
        xTensor = null;
        tTensor = null;
        labelTensor = null;
        epsTensor = null;
    }

    @Override
    public void close() {
        closeTensors();
        try {
            session.close();
        } catch (OrtException e) {
            // nothing to recover: the session's native memory is released either way
        }
    }
}
