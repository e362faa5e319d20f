package io.c2f.models.training;

/** PyTorch thread pools, set before the engine starts (DJL reads these properties once). */
public final class Threads {
    private Threads() {
    }

    public static void configure(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }
}
