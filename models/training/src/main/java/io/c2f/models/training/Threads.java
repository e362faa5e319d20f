package io.c2f.models.training;

/**
 * Process settings read once when the PyTorch engine starts: thread pools, offline mode, and where
 * DJL unpacks its 432 MB native library (DJL_CACHE_DIR; default target/djl-cache under the working
 * directory, which git ignores, instead of ~/.djl.ai).
 */
final class Threads {
    private Threads() {
    }

    public static void configure(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", "target/djl-cache");
        }
    }
}
