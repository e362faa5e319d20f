package io.c2f.models.unet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The parameters of a {@link UnetConfig} model: float arrays by diffusers name, in PyTorch layouts
 * (conv OIHW, linear [out, in]). Immutable once built; the arrays are not copied on access, so
 * callers must not write to them.
 */
public final class UnetWeights {
    private final UnetConfig config;
    private final Map<String, float[]> tensors;

    private UnetWeights(UnetConfig config, Map<String, float[]> tensors) {
        this.config = config;
        Map<String, int[]> shapes = config.parameterShapes();
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            float[] data = tensors.get(e.getKey());
            if (data == null) {
                throw new IllegalArgumentException("missing parameter " + e.getKey());
            }
            if (data.length != numel(e.getValue())) {
                throw new IllegalArgumentException("parameter " + e.getKey() + " has " + data.length + " values, shape "
                        + Arrays.toString(e.getValue()) + " needs " + numel(e.getValue()));
            }
        }
        for (String name : tensors.keySet()) {
            if (!shapes.containsKey(name)) {
                throw new IllegalArgumentException("unexpected parameter " + name + " for this configuration");
            }
        }
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public static UnetWeights of(UnetConfig config, Map<String, float[]> tensors) {
        return new UnetWeights(config, tensors);
    }

    /**
     * Random weights from a seed (SplittableRandom, so reproducible across JVMs): conv and linear
     * weights N(0, 1/fan_in), biases N(0, 0.05^2), norm scales 1 + N(0, 0.1^2), norm shifts N(0, 0.1^2),
     * label embedding N(0, labelStd^2) (0: all zero, the model is then label-free).
     */
    public static UnetWeights random(UnetConfig config, long seed, double labelStd) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> t = new LinkedHashMap<>();
        config.parameterShapes().forEach((name, shape) -> {
            float[] data = new float[numel(shape)];
            boolean norm = name.contains("norm") && !name.contains("to_");
            for (int i = 0; i < data.length; i++) {
                double g = random.nextGaussian();
                if (name.equals("class_embedding.weight")) {
                    data[i] = (float) (g * labelStd);
                } else if (name.endsWith(".weight") && shape.length > 1) {
                    int fanIn = numel(shape) / shape[0];
                    data[i] = (float) (g / Math.sqrt(fanIn));
                } else if (norm && name.endsWith(".weight")) {
                    data[i] = (float) (1 + 0.1 * g);
                } else if (norm) {
                    data[i] = (float) (0.1 * g);
                } else {
                    data[i] = (float) (0.05 * g);
                }
            }
            t.put(name, data);
        });
        return new UnetWeights(config, t);
    }

    public UnetConfig config() {
        return config;
    }

    /** The parameter, or an exception naming it when the configuration has no such parameter. */
    public float[] get(String name) {
        float[] data = tensors.get(name);
        if (data == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return data;
    }

    public int[] shape(String name) {
        int[] shape = config.parameterShapes().get(name);
        if (shape == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return shape;
    }

    public Map<String, float[]> tensors() {
        return tensors;
    }

    public long parameterCount() {
        long n = 0;
        for (float[] a : tensors.values()) {
            n += a.length;
        }
        return n;
    }

    /** A copy with one parameter replaced. */
    public UnetWeights with(String name, float[] data) {
        Map<String, float[]> t = new LinkedHashMap<>(tensors);
        t.put(name, data.clone());
        return new UnetWeights(config, t);
    }

    public void save(Path file) throws IOException {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        tensors.keySet().forEach(k -> shapes.put(k, shape(k)));
        Safetensors.write(file, tensors, shapes);
    }

    /** Loads a safetensors file (F32 tensors) and checks it against the configuration. */
    public static UnetWeights load(Path file, UnetConfig config) throws IOException {
        Map<String, Safetensors.Entry> entries = Safetensors.read(file);
        Map<String, float[]> t = new LinkedHashMap<>();
        for (Map.Entry<String, int[]> e : config.parameterShapes().entrySet()) {
            Safetensors.Entry entry = entries.get(e.getKey());
            if (entry == null) {
                throw new IOException(file + " has no tensor " + e.getKey());
            }
            if (!Arrays.equals(entry.shape(), e.getValue())) {
                throw new IOException(file + ": tensor " + e.getKey() + " has shape " + Arrays.toString(entry.shape())
                        + ", the configuration expects " + Arrays.toString(e.getValue()));
            }
            t.put(e.getKey(), entry.data());
        }
        return new UnetWeights(config, t);
    }

    static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        }
        return (int) n;
    }
}
