package io.c2f.models.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.c2f.models.unet.Safetensors;
import io.c2f.models.unet.UnetWeights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A fixed forward pass of a checkpoint, as a file that another implementation of the UNet can be held
 * to. {@code models/training/gpu/train_gpu.py} (the PyTorch/CUDA trainer) reads one before it trains
 * and refuses to start when its forward differs from DjlUnet's, and writes one after, which
 * {@code --check} recomputes here: both directions of "the two trainers train the same network".
 *
 * <p>File layout (safetensors, float32): {@code x_full} [N,3,32,32], {@code x_low} [N,3,16,16],
 * {@code t} [N], {@code eps_full} (label 0), {@code eps_low} (label 1), all NCHW.
 * <pre>
 * ForwardProbe --checkpoint DIR --write FILE [--weights ema|raw] [--n 4]
 * ForwardProbe --checkpoint DIR --check FILE [--weights ema|raw] [--tolerance 1e-3]
 * </pre>
 */
public final class ForwardProbe {
    private ForwardProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path checkpoint = null;
        Path write = null;
        Path check = null;
        String which = "ema";
        int n = 4;
        double tolerance = 1e-3;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--checkpoint" -> checkpoint = Path.of(v);
                case "--write" -> write = Path.of(v);
                case "--check" -> check = Path.of(v);
                case "--weights" -> which = v;
                case "--n" -> n = Integer.parseInt(v);
                case "--tolerance" -> tolerance = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        if (checkpoint == null || (write == null) == (check == null)) {
            System.err.println("usage: ForwardProbe --checkpoint DIR (--write FILE | --check FILE) [--weights ema|raw]"
                    + " [--n N] [--tolerance E]");
            System.exit(2);
        }
        Path latest = Checkpoints.latest(checkpoint);
        CheckpointState state = Checkpoints.readState(latest);
        Checkpoints.Loaded c = Checkpoints.load(latest, state.unet());
        UnetWeights w = switch (which) {
            case "ema" -> c.ema();
            case "raw" -> c.weights();
            default -> throw new IllegalArgumentException("--weights must be ema or raw, got '" + which + "'");
        };
        if (write != null) {
            write(w, n, write);
            System.out.printf("wrote %s: %d inputs at 32x32 and 16x16 and DjlUnet's outputs for %s (step %d, %s)%n",
                    write, n, latest, state.step(), which);
        } else {
            double err = check(w, check);
            System.out.printf("%s vs DjlUnet on %s (step %d, %s): max |difference| %.3g (tolerance %.3g)%n", check,
                    latest, state.step(), which, err, tolerance);
            if (!(err <= tolerance)) {
                System.err.println("forward passes differ: the checkpoint and the probe do not belong together");
                System.exit(1);
            }
        }
    }

    /** Random inputs (seed 7) and this checkpoint's outputs at both resolutions. */
    public static void write(UnetWeights w, int n, Path file) throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        float[] xFull = gaussian(r, n * 3 * 32 * 32);
        float[] xLow = gaussian(r, n * 3 * 16 * 16);
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = (i * 997 + 13) % 1000;
        }
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        put(tensors, shapes, "x_full", xFull, n, 3, 32, 32);
        put(tensors, shapes, "x_low", xLow, n, 3, 16, 16);
        put(tensors, shapes, "t", t, n);
        put(tensors, shapes, "eps_full", forward(w, xFull, new Shape(n, 3, 32, 32), t, 0), n, 3, 32, 32);
        put(tensors, shapes, "eps_low", forward(w, xLow, new Shape(n, 3, 16, 16), t, 1), n, 3, 16, 16);
        Safetensors.write(file, tensors, shapes);
    }

    /** Largest difference between the file's outputs and DjlUnet's on the file's inputs. */
    public static double check(UnetWeights w, Path file) throws IOException {
        Map<String, Safetensors.Entry> p = Safetensors.read(file);
        for (String key : new String[] {"x_full", "x_low", "t", "eps_full", "eps_low"}) {
            if (!p.containsKey(key)) {
                throw new IOException(file + ": no tensor '" + key + "' (not a forward probe)");
            }
        }
        float[] t = p.get("t").data();
        double full = maxDiff(forward(w, p.get("x_full").data(), shape(p.get("x_full")), t, 0), p.get("eps_full").data());
        double low = maxDiff(forward(w, p.get("x_low").data(), shape(p.get("x_low")), t, 1), p.get("eps_low").data());
        return Math.max(full, low);
    }

    static float[] forward(UnetWeights w, float[] x, Shape shape, float[] t, int label) {
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager(); DjlUnet model = DjlUnet.fromUnetWeights(m, w)) {
            NDArray in = m.create(x, shape);
            return model.forward(in, t, label).toFloatArray();
        }
    }

    private static Shape shape(Safetensors.Entry e) {
        long[] s = new long[e.shape().length];
        for (int i = 0; i < s.length; i++) {
            s[i] = e.shape()[i];
        }
        return new Shape(s);
    }

    private static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static float[] gaussian(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static void put(Map<String, float[]> tensors, Map<String, int[]> shapes, String name, float[] data,
                            int... shape) {
        tensors.put(name, data);
        shapes.put(name, shape);
    }
}
