package io.c2f.models.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trainable tensors of a model by diffusers name, in PyTorch layout, owned by one long-lived
 * manager. Ops must never start from a parameter without attaching the result to a step manager
 * (DJL attaches results to the first operand's manager): {@link #onStep} does that.
 */
final class ParameterStore {
    private final NDManager manager;
    private final Map<String, NDArray> byName = new LinkedHashMap<>();

    ParameterStore(NDManager manager) {
        this.manager = manager;
    }

    NDArray create(String name, float[] data, int... shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        NDArray a = manager.create(data, new Shape(dims));
        a.setName(name);
        a.setRequiresGradient(true);
        byName.put(name, a);
        return a;
    }

    NDArray get(String name) {
        NDArray a = byName.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return a;
    }

    Map<String, NDArray> all() {
        return Collections.unmodifiableMap(byName);
    }

    NDManager manager() {
        return manager;
    }

    /** Moves an array derived from a parameter onto the step's manager, so closing the step frees it. */
    static NDArray onStep(NDArray derived, NDManager step) {
        derived.attach(step);
        return derived;
    }
}
