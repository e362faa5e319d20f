package io.c2f.agent.sim;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A simulated device's speed: its cost per million MACs. It can be changed while the device runs
 * (a device getting slower: thermal throttling, a noisy neighbour) and restored to the speed it
 * started with.
 */
public final class DeviceSpeed {
    private final long baseNanosPerMegaMac;
    private final AtomicLong nanosPerMegaMac;

    public DeviceSpeed(long baseNanosPerMegaMac) {
        if (baseNanosPerMegaMac < 1) {
            throw new IllegalArgumentException("cost per million MACs must be >= 1 ns, got " + baseNanosPerMegaMac);
        }
        this.baseNanosPerMegaMac = baseNanosPerMegaMac;
        this.nanosPerMegaMac = new AtomicLong(baseNanosPerMegaMac);
    }

    /** The current cost of a million MACs in nanoseconds (what the simulated engine sleeps). */
    public long nanosPerMegaMac() {
        return nanosPerMegaMac.get();
    }

    public long baseNanosPerMegaMac() {
        return baseNanosPerMegaMac;
    }

    /** Multiplies the cost per MAC (2 = twice as slow, 0.5 = twice as fast). */
    public void slowDown(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("slow-down factor must be a positive finite number, got " + factor);
        }
        nanosPerMegaMac.updateAndGet(v -> Math.max(1, Math.round(v * factor)));
    }

    /** Back to the speed the device started with. */
    public void recover() {
        nanosPerMegaMac.set(baseNanosPerMegaMac);
    }

    /** Current cost over the starting cost: 1 when not slowed. */
    public double factor() {
        return (double) nanosPerMegaMac.get() / baseNanosPerMegaMac;
    }
}
